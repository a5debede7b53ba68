"""A Lambda handler with its config at module level, outside the handler.

The config loads once per execution environment, at cold start, in one batched call;
warm invocations read plain attributes. Lambda freezes the process between invocations,
so ``refresh_before`` refreshes keys that went due meanwhile at the start of the next
invocation (bounded by its timeout); ``ssm_on_change`` rebuilds the database client when
its URL changes, so a rotated password or a moved database needs no redeploy.

Deploy it with ``Handler: lambda_handler.handler`` and the IAM policy printed by
``ssm-config policy lambda_handler``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import HttpUrl, SecretStr

import ssm_config
from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


class OrdersConfig(SSMSettings):
    """What the orders function reads from Parameter Store."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    relationship_api: Annotated[HttpUrl, Param("/shared/relationship-api/url")]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}


class Database:
    """Stands in for a real driver (pymongo, psycopg...): connects once, is reused."""

    def __init__(self, url: str) -> None:
        self.host = urlsplit(url).hostname
        self.closed = False

    def find_orders(self, limit: int) -> list[dict[str, Any]]:
        return [{"id": n, "db": self.host} for n in range(min(limit, 3))]

    def close(self) -> None:
        self.closed = True


config = OrdersConfig()  # cold start: one batched GetParameters call
_db: Database | None = None


def database() -> Database:
    """The client, connected on first use and reused by every warm invocation.

    Connecting lazily rather than at import keeps the module importable without values
    (``ssm-config policy lambda_handler`` imports it with no AWS access).
    """
    global _db  # noqa: PLW0603 - one client per execution environment
    if _db is None:
        _db = Database(config.db_url.get_secret_value())
    return _db


@config.ssm_on_change(fields=["db_url"])
def reconnect(changes: dict[str, tuple[Any, Any]]) -> None:
    """The shared database URL changed: connect to the new one, then drop the old client."""
    global _db
    _, new_url = changes["db_url"]
    old, _db = _db, Database(new_url.get_secret_value())
    if old is not None:
        old.close()


@ssm_config.refresh_before(config)
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Reads the config on every invocation: values at most TTL + 0.5 s old."""
    limit = int(event.get("limit", config.page_size))
    return {
        "orders": database().find_orders(limit=min(limit, config.page_size)),
        "page_size": config.page_size,
        "relationship_api": str(config.relationship_api),
        "beta": config.flags.get("beta", False),
    }
