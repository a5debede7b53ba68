"""A module that defines settings classes but holds no instance of them."""

from __future__ import annotations

from typing import Annotated

from ssm_config import Param, SSMSettings

from .configs import ThreeNames  # imported, not defined here: not part of this module's policy


class FirstConfig(SSMSettings):
    """One name."""

    a: Annotated[str, Param("/first/a")]


class SecondConfig(SSMSettings):
    """Another name."""

    b: Annotated[str, Param("/second/b")]


__all__ = ["FirstConfig", "SecondConfig", "ThreeNames"]
