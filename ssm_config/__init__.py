"""Typed, live configuration from AWS SSM Parameter Store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._adhoc import get_parameter, get_parameters_by_path
from ._declare import Param, SSMSettingsConfigDict
from ._errors import (
    AccessDeniedError,
    ConfigError,
    DeclarationError,
    DecryptionError,
    EndpointError,
    FetchError,
    InvalidNameError,
    ParameterNotFoundError,
    Problem,
    SSMConfigError,
    StaleValueError,
    ThrottledError,
)
from ._handler import refresh_before
from ._settings import SSMSettings

if TYPE_CHECKING:
    from . import iam

__all__ = [
    "AccessDeniedError",
    "ConfigError",
    "DeclarationError",
    "DecryptionError",
    "EndpointError",
    "FetchError",
    "InvalidNameError",
    "Param",
    "ParameterNotFoundError",
    "Problem",
    "SSMConfigError",
    "SSMSettings",
    "SSMSettingsConfigDict",
    "StaleValueError",
    "ThrottledError",
    "get_parameter",
    "get_parameters_by_path",
    "iam",
    "refresh_before",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``ssm_config.iam`` (SPEC spells ``ssm_config.iam.policy_for``), imported on first use.

    A function that only loads settings never needs the policy generator, so its cold
    start does not pay for importing it.
    """
    if name == "iam":
        import importlib  # noqa: PLC0415 - only on the first use of ssm_config.iam

        return importlib.import_module(".iam", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "iam"})
