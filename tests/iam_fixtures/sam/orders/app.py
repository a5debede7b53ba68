"""Orders handler: reads its own config, built at import time."""

from __future__ import annotations

from typing import Annotated

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


class OrdersConfig(SSMSettings):
    """The orders function's parameters."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod")

    db_url: Annotated[str, Param("db-url")]
    page_size: Annotated[int, Param("page-size")] = 50


config = OrdersConfig()


def handler(event: object, context: object) -> int:
    """Return the page size."""
    return config.page_size
