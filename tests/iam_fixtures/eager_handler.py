"""A handler module that builds its config at import time, as users are told to."""

from __future__ import annotations

from typing import Annotated

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict


class EagerConfig(SSMSettings):
    """Loaded at import: generating its policy must still not call AWS."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/eager")

    url: Annotated[str, Param("url")]


class UnusedConfig(SSMSettings):
    """Defined here but never instantiated: the instance above decides the policy."""

    other: Annotated[str, Param("/unused/other")]


config = EagerConfig()


def handler(event: object, context: object) -> str:
    """Return the configured URL."""
    return config.url
