"""The public surface: exactly the names below, sorted, each importable.

SPEC.md names most of them; the rest are the exception tree's leaves and ``Problem``
(what a ``ConfigError`` carries), which users catch and read.
"""

from __future__ import annotations

import ssm_config

PUBLIC = [
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


def test_all_is_exactly_the_public_names() -> None:
    """__all__ is exactly the public names, sorted, and each resolves."""
    assert ssm_config.__all__ == PUBLIC
    assert ssm_config.iam.policy_for is not None  # SPEC writes ssm_config.iam.policy_for
    for name in ssm_config.__all__:
        assert getattr(ssm_config, name) is not None


def test_every_error_has_one_root() -> None:
    """Every exported exception derives from SSMConfigError."""
    errors = [
        v for v in vars(ssm_config).values() if isinstance(v, type) and issubclass(v, Exception)
    ]
    assert errors
    assert all(issubclass(e, ssm_config.SSMConfigError) for e in errors)
    assert issubclass(ssm_config.ConfigError, ssm_config.SSMConfigError)


def test_import_pulls_no_optional_dependency() -> None:
    """`import ssm_config` loads no optional dependency, nor boto3's s3transfer (cold start)."""
    import subprocess
    import sys

    code = (
        "import sys, ssm_config, ssm_config.cli; "
        "bad = [m for m in ('yaml', 'moto', 'flask', 'rich', 'boto3', 's3transfer') "
        "if m in sys.modules]; "
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
