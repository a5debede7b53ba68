"""Classes with many names, whose policies reach IAM's size limits."""

from __future__ import annotations

from typing import Annotated, Any

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


def _many(class_name: str, count: int) -> type[SSMSettings]:
    """A class reading ``count`` names under /orders/prod and two shared ones."""
    annotations: dict[str, Any] = {
        f"setting_{i:03}": Annotated[str, Param(f"setting-{i:03}")] for i in range(count)
    }
    annotations["db_url"] = Annotated[str, Param("/shared/db/url")]
    annotations["api_url"] = Annotated[str, Param("/shared/api/url")]
    namespace = {
        "__module__": __name__,
        "__doc__": f"{count} names under /orders/prod and two under /shared.",
        "__annotations__": annotations,
        "model_config": SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_refresh="off"),
    }
    return type(class_name, (SSMSettings,), namespace)


Hundred = _many("Hundred", 100)
HundredFifty = _many("HundredFifty", 150)
