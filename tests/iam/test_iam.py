"""``ssm_config.iam.policy_for``: exact documents, validation, and parliament's review."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Annotated, Any

import pytest

from ssm_config import DeclarationError, Param, SSMSettings, SSMSettingsConfigDict
from ssm_config.iam import policy_for

from ..iam_fixtures.configs import (
    KEY_ID,
    AliasKey,
    ClassKey,
    CustomerKey,
    PathConfig,
    PrefixMix,
    SecretRef,
    SecretUnderKey,
    ThreeNames,
)
from ..iam_fixtures.lint import findings

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PARAM = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
READ = ["ssm:GetParameter", "ssm:GetParameters"]


def _exact(*classes: type[SSMSettings], **kwargs: Any) -> dict[str, Any]:
    return policy_for(*classes, region=REGION, account=ACCOUNT, **kwargs)


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _read(*names: str) -> dict[str, Any]:
    return {
        "Sid": "SsmGetParameters",
        "Effect": "Allow",
        "Action": READ,
        "Resource": [f"{PARAM}{n}" for n in names],
    }


def test_three_exact_names() -> None:
    """Three declared names give one statement on exactly their ARNs, selector stripped."""
    assert _exact(ThreeNames) == _policy(_read("/app/db/host", "/app/db/port", "/app/db/user"))


def test_relative_and_absolute_names_under_a_prefix() -> None:
    """Relative names and a field without Param join the prefix; an absolute name stands."""
    assert _exact(PrefixMix) == _policy(
        _read(
            "/orders/prod/allowed_origins",
            "/orders/prod/page-size",
            "/shared/relationship-api/url",
        )
    )


def test_path_field_grants_by_path_on_the_path_arn_only() -> None:
    """A path field grants GetParametersByPath on the path ARN, and nothing under it."""
    assert _exact(PathConfig) == _policy(
        _read("/orders/prod/region"),
        {
            "Sid": "SsmGetParametersByPath",
            "Effect": "Allow",
            "Action": ["ssm:GetParametersByPath"],
            "Resource": [f"{PARAM}/orders/prod/features"],
        },
    )


def test_securestring_under_a_customer_key() -> None:
    """A customer key adds kms:Decrypt via SSM for its parameter only; aws/ssm adds nothing."""
    assert _exact(CustomerKey) == _policy(
        {
            "Sid": f"KmsDecrypt{KEY_ID.replace('-', '')}",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [KEY_ARN],
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": [f"ssm.{REGION}.amazonaws.com"],
                    "kms:EncryptionContext:PARAMETER_ARN": [f"{PARAM}/orders/prod/api-key"],
                }
            },
        },
        _read("/orders/prod/api-key", "/orders/prod/db-password", "/orders/prod/timeout"),
    )


def test_class_level_key_covers_names_and_items_under_paths() -> None:
    """ssm_kms_key applies to every field; a path's items are matched with StringLike."""
    statement = _exact(ClassKey)["Statement"][0]
    assert statement["Resource"] == [KEY_ARN]
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"ssm.{REGION}.amazonaws.com"]},
        "StringLike": {
            "kms:EncryptionContext:PARAMETER_ARN": [
                f"{PARAM}/billing/secrets/*",
                f"{PARAM}/billing/token",
            ]
        },
    }


def test_secrets_manager_reference() -> None:
    """A Secrets Manager reference grants the SSM read and GetSecretValue on the secret."""
    assert _exact(SecretRef) == _policy(
        {
            "Sid": "SecretsManagerGetSecretValue",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db-??????"],
        },
        _read("/aws/reference/secretsmanager/prod/db"),
    )


def test_secret_under_a_customer_key_is_decrypted_through_secrets_manager() -> None:
    """A key on a Secrets Manager reference is scoped to Secrets Manager and the secret's ARN."""
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db-??????"
    kms = _exact(SecretUnderKey)["Statement"][0]
    assert kms == {
        "Sid": f"KmsDecryptViaSecretsManager{KEY_ID.replace('-', '')}",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [KEY_ARN],
        "Condition": {
            "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com"]},
            "StringLike": {"kms:EncryptionContext:SecretARN": [secret_arn]},
        },
    }


def test_wildcard_region_and_account() -> None:
    """The defaults give wildcard region and account segments and StringLike conditions."""
    assert policy_for(CustomerKey) == _policy(
        {
            "Sid": f"KmsDecrypt{KEY_ID.replace('-', '')}",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [f"arn:aws:kms:*:*:key/{KEY_ID}"],
            "Condition": {
                "StringLike": {
                    "kms:ViaService": ["ssm.*.amazonaws.com"],
                    "kms:EncryptionContext:PARAMETER_ARN": [
                        "arn:aws:ssm:*:*:parameter/orders/prod/api-key"
                    ],
                }
            },
        },
        {
            "Sid": "SsmGetParameters",
            "Effect": "Allow",
            "Action": READ,
            "Resource": [
                f"arn:aws:ssm:*:*:parameter/orders/prod/{n}"
                for n in ("api-key", "db-password", "timeout")
            ],
        },
    )


def test_partition_changes_arns_and_service_domain() -> None:
    """Another partition shows in every ARN and in the kms:ViaService domain."""
    policy = policy_for(CustomerKey, region="cn-north-1", account=ACCOUNT, partition="aws-cn")
    kms, read = policy["Statement"]
    assert kms["Resource"] == [f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{KEY_ID}"]
    assert kms["Condition"]["StringEquals"]["kms:ViaService"] == ["ssm.cn-north-1.amazonaws.com.cn"]
    assert all(r.startswith("arn:aws-cn:ssm:cn-north-1:") for r in read["Resource"])


def test_several_classes_are_merged_without_duplicates() -> None:
    """Two classes give one document; a name both declare is listed once."""

    class Again(SSMSettings):
        """Declares a name ThreeNames also declares."""

        host: Annotated[str, Param("/app/db/host")]

    assert _exact(ThreeNames, Again) == _exact(ThreeNames)


def test_alias_key_is_granted_through_the_keys_alias() -> None:
    """An alias cannot be a resource: the grant is any key of the account carrying that alias,
    still only through SSM and only for the declared parameter; no AWS call is needed."""
    assert _exact(AliasKey) == _policy(
        {
            "Sid": "KmsDecryptAliasorders",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"],
            "Condition": {
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/orders"]},
                "StringEquals": {
                    "kms:ViaService": [f"ssm.{REGION}.amazonaws.com"],
                    "kms:EncryptionContext:PARAMETER_ARN": [f"{PARAM}/orders/api-key"],
                },
            },
        },
        _read("/orders/api-key"),
    )
    assert findings(_exact(AliasKey)) == []


def test_resource_aliases_is_a_condition_of_the_kms_key_resource() -> None:
    """The evidence behind the alias grant (and behind ignoring parliament's action-level
    complaint about it): IAM's reference lists kms:ResourceAliases on the key resource."""
    from ..iam_fixtures.lint import resource_aliases_is_a_key_condition

    assert resource_aliases_is_a_key_condition()


def test_alias_key_resolved_through_kms_keys() -> None:
    """kms_keys maps a declared alias to the key ARN used as the resource."""
    policy = _exact(AliasKey, kms_keys={"alias/orders": KEY_ARN})
    assert policy["Statement"][0]["Resource"] == [KEY_ARN]


def test_alias_resolved_to_an_aws_managed_key_needs_no_statement() -> None:
    """kms_keys mapping an alias to None (an AWS-managed key) adds no kms:Decrypt."""
    policy = _exact(AliasKey, kms_keys={"alias/orders": None})
    assert [s["Sid"] for s in policy["Statement"]] == ["SsmGetParameters"]


def test_key_arn_is_used_as_declared() -> None:
    """A key declared by ARN (here another account's) is the resource as written."""
    other = "arn:aws:kms:us-east-1:210987654321:key/mrk-0123456789abcdef0123456789abcdef"

    class CrossAccount(SSMSettings):
        """A key from another account."""

        token: Annotated[str, Param("/x/token", kms_key=other)]

    statement = _exact(CrossAccount)["Statement"][0]
    assert statement["Resource"] == [other]
    assert statement["Sid"] == "KmsDecryptmrk0123456789abcdef0123456789abcdef"


def test_malformed_key_is_refused() -> None:
    """A kms_key that is neither ARN, key id nor alias is a declaration error."""

    class Garbled(SSMSettings):
        """A typo in the key."""

        token: Annotated[str, Param("/x/token", kms_key="not a key")]

    with pytest.raises(DeclarationError, match="not a key ARN, key id or alias"):
        policy_for(Garbled)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region": "Europe"}, "region 'Europe'"),
        ({"account": "12345"}, "account '12345'"),
        ({"partition": "azure"}, "partition 'azure'"),
    ],
)
def test_bad_target_values_are_refused(kwargs: dict[str, str], message: str) -> None:
    """Region, account and partition must be able to stand in an ARN."""
    with pytest.raises(DeclarationError, match=message):
        policy_for(ThreeNames, **kwargs)


def test_nothing_to_grant_is_an_error() -> None:
    """No class, a non-settings class, or a class with no field is refused."""

    class Empty(SSMSettings):
        """No fields."""

    with pytest.raises(DeclarationError, match="at least one"):
        policy_for()
    with pytest.raises(DeclarationError, match="SSMSettings classes"):
        policy_for(dict)  # type: ignore[arg-type]
    with pytest.raises(DeclarationError, match="Empty: declares no SSM parameter"):
        policy_for(Empty)


def test_sentinel_is_granted_with_the_names() -> None:
    """A class's ssm_sentinel (relative or absolute, never a field) joins the read grant."""

    class Watched(SSMSettings):
        """Two names and a sentinel."""

        model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_sentinel="version")
        page_size: int = 50

    class OnlySentinel(SSMSettings):
        """Nothing but a sentinel, still something to grant."""

        model_config = SSMSettingsConfigDict(ssm_sentinel="/shared/version")

    assert _exact(Watched, ThreeNames) == _policy(
        _read(
            "/app/db/host",
            "/app/db/port",
            "/app/db/user",
            "/orders/prod/page_size",
            "/orders/prod/version",
        )
    )
    assert _exact(OnlySentinel) == _policy(_read("/shared/version"))


def test_output_is_deterministic_and_sorted() -> None:
    """The same classes in any order give the same document, statements sorted by Sid."""
    classes = (SecretRef, PathConfig, CustomerKey, PrefixMix)
    first = policy_for(*classes)
    assert json.dumps(first) == json.dumps(policy_for(*reversed(classes)))
    sids = [s["Sid"] for s in first["Statement"]]
    assert sids == sorted(sids)
    for statement in first["Statement"]:
        assert statement["Resource"] == sorted(statement["Resource"])


ALL = (ThreeNames, PrefixMix, PathConfig, CustomerKey, ClassKey, SecretRef, SecretUnderKey)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("region", "account"), [("*", "*"), (REGION, ACCOUNT)])
def test_parliament_has_no_findings(cls: type[SSMSettings], region: str, account: str) -> None:
    """parliament finds nothing wrong with any generated policy."""
    assert findings(policy_for(cls, region=region, account=account)) == []


def test_parliament_would_flag_a_broken_policy() -> None:
    """The parliament check can fail: a bad action on a parameter ARN is a finding."""
    broken = _policy({**_read("/a"), "Action": ["ssm:GetParameterz"]})
    assert findings(broken) != []


def test_importing_the_library_and_iam_does_not_import_yaml() -> None:
    """The runtime path, policy generation included, never needs PyYAML."""
    code = "import sys, ssm_config, ssm_config.iam; sys.exit('yaml' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_spec_example_class_gets_its_policy_without_aws() -> None:
    """SPEC.md's own example (an alias key, a path, a default name) yields a clean policy."""
    from pydantic import HttpUrl, SecretStr

    from ssm_config import SSMSettingsConfigDict

    class OrdersConfig(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_ttl=300)
        db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
        relationship_api: Annotated[HttpUrl, Param("/shared/relationship-api/url")]
        page_size: Annotated[int, Param("page-size", ttl=30)] = 50
        flags: Annotated[dict[str, bool], Param("flags")] = {}
        allowed_origins: list[str] = []
        features: Annotated[dict[str, str], Param(path="features")] = {}
        api_key: Annotated[SecretStr, Param("api-key", kms_key="alias/orders")]

    policy = policy_for(OrdersConfig)
    assert findings(policy) == []
    assert [s["Sid"] for s in policy["Statement"]] == [
        "KmsDecryptAliasorders",
        "SsmGetParameters",
        "SsmGetParametersByPath",
    ]
    by_path = policy["Statement"][2]
    assert by_path["Resource"] == ["arn:aws:ssm:*:*:parameter/orders/prod/features"]
