"""One settings class per shape of declaration the policy generator must handle."""

from __future__ import annotations

from typing import Annotated

from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


class ThreeNames(SSMSettings):
    """Three absolute names, one with a version selector."""

    model_config = SSMSettingsConfigDict(ssm_refresh="off")

    host: Annotated[str, Param("/app/db/host")]
    port: Annotated[int, Param("/app/db/port:2")] = 5432
    user: Annotated[str, Param("/app/db/user")]


class PrefixMix(SSMSettings):
    """Relative names joined to the prefix, an absolute one, and a field without Param."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_refresh="off")

    page_size: Annotated[int, Param("page-size")] = 50
    relationship_api: Annotated[str, Param("/shared/relationship-api/url")]
    allowed_origins: list[str] = []


class PathConfig(SSMSettings):
    """A path field next to one plain name."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_refresh="off")

    features: Annotated[dict[str, str], Param(path="features")] = {}
    region_name: Annotated[str, Param("region")] = "eu-west-1"


class CustomerKey(SSMSettings):
    """A SecureString under a customer-managed key, one under aws/ssm, and a plain name."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_refresh="off")

    api_key: Annotated[SecretStr, Param("api-key", kms_key=KEY_ID)]
    db_password: Annotated[SecretStr, Param("db-password", kms_key="alias/aws/ssm")]
    timeout: Annotated[int, Param("timeout")] = 3


class SecretRef(SSMSettings):
    """A Secrets Manager secret read through its Parameter Store reference."""

    model_config = SSMSettingsConfigDict(ssm_refresh="off")

    db_credentials: Annotated[SecretStr, Param("/aws/reference/secretsmanager/prod/db")]


class ClassKey(SSMSettings):
    """A class-level default key applied to a name and a path."""

    model_config = SSMSettingsConfigDict(
        ssm_prefix="/billing", ssm_kms_key=KEY_ID, ssm_refresh="off"
    )

    token: Annotated[SecretStr, Param("token")]
    secrets: Annotated[dict[str, str], Param(path="secrets")] = {}


class AliasKey(SSMSettings):
    """A SecureString whose key is declared by alias."""

    model_config = SSMSettingsConfigDict(ssm_refresh="off")

    api_key: Annotated[SecretStr, Param("/orders/api-key", kms_key="alias/orders")]


class SecretUnderKey(SSMSettings):
    """A Secrets Manager reference whose secret is encrypted with a customer key."""

    model_config = SSMSettingsConfigDict(ssm_refresh="off")

    db_credentials: Annotated[
        SecretStr, Param("/aws/reference/secretsmanager/prod/db", kms_key=KEY_ID)
    ]
