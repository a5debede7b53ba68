"""Billing handler: a different class under the same module name as the orders handler."""

from __future__ import annotations

from typing import Annotated

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


class BillingConfig(SSMSettings):
    """The billing function's parameters."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/billing/prod")

    stripe_key: Annotated[str, Param("stripe-key")]
    currencies: Annotated[dict[str, str], Param(path="currencies")] = {}


config = BillingConfig()


def lambda_handler(event: object, context: object) -> str:
    """Return the key's length."""
    return str(len(config.stripe_key))
