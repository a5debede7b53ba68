"""Typed, live configuration from AWS SSM Parameter Store."""

from . import iam  # SPEC spells it ssm_config.iam.policy_for(...)
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
