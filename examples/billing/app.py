"""The billing function of ``examples/template.yaml`` (``CodeUri: billing/``).

It shares ``/shared/mongodb/url`` with the orders function and also reads an API key that
is encrypted with its own customer-managed KMS key, declared with ``kms_key=`` so its
generated policy allows ``kms:Decrypt`` on that key only. The key is declared by id (an
ARN works too): IAM cannot name a key by alias, so an alias would need
``ssm-config policy --resolve-keys``, which asks KMS.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

PAYMENTS_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
"""The id of the customer-managed key the payments API key is encrypted with."""


class BillingConfig(SSMSettings):
    """The billing function's parameters."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/billing/prod", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    payments_api_key: Annotated[SecretStr, Param("payments-api-key", kms_key=PAYMENTS_KEY)]
    currency: Annotated[str, Param("currency")] = "EUR"


config = BillingConfig()


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Charges an amount (the payment call is left out: the config is the point)."""
    return {
        "function": "billing",
        "db_url_set": bool(config.db_url.get_secret_value()),
        "api_key_set": bool(config.payments_api_key.get_secret_value()),
        "amount": f"{event.get('amount', 0)} {config.currency}",
    }
