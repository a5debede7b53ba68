"""The orders function of ``examples/template.yaml`` (``CodeUri: orders/``).

It shares ``/shared/mongodb/url`` with the billing function; each function declares only
what it reads, so each gets its own least-privilege policy
(``ssm-config policy --template examples/template.yaml``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


class OrdersConfig(SSMSettings):
    """The orders function's parameters."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 50
    features: Annotated[dict[str, str], Param(path="features")] = {}


config = OrdersConfig()


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lists a page of orders (the database is left out: the config is the point)."""
    return {
        "function": "orders",
        "db_url_set": bool(config.db_url.get_secret_value()),
        "page_size": config.page_size,
        "features": config.features,
    }
