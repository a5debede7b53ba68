"""Newcomer traps at load: silent defaults, silent environment overrides, global failures."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import pytest

from ssm_config import ConfigError, DeclarationError, Param, SSMSettings, SSMSettingsConfigDict

from .._support import Recorder

SECRET = "s3cret-value-never-logged"


class Pages(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_refresh="off")

    page_size: Annotated[int, Param("page-sise")] = 50
    timeout_seconds: int = 10
    title: str = "x"


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ssm_config" and r.levelno == level]


def test_a_missing_parameter_behind_a_default_is_a_warning(
    ssm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A typo'd name on a field with a default logs one warning naming parameter and field."""
    ssm.put_parameter(Name="/app/page-size", Value="20", Type="String")
    ssm.put_parameter(Name="/app/timeout-seconds", Value="30", Type="String")
    ssm.put_parameter(Name="/app/title", Value=SECRET, Type="String")
    with caplog.at_level(logging.INFO, logger="ssm_config"):
        config = Pages(_ssm_client=ssm)
    assert config.page_size == 50
    warnings = _lines(caplog, logging.WARNING)
    assert len(warnings) == 2
    assert warnings[0].startswith(
        "Pages.page_size: SSM parameter /app/page-sise not found, so the field has its default"
    )
    assert "Param('timeout-seconds')" in warnings[1]
    assert all("\n" not in w and SECRET not in w and "ssm_config:" not in w for w in warnings)


def test_ssm_missing_error_refuses_the_default(ssm: Any) -> None:
    """With ssm_missing='error' a missing parameter fails the load, naming field and name."""

    class Strict(Pages):
        model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_missing="error")

    ssm.put_parameter(Name="/app/timeout_seconds", Value="30", Type="String")
    ssm.put_parameter(Name="/app/title", Value="t", Type="String")
    with pytest.raises(ConfigError) as info:
        Strict(_ssm_client=ssm)
    assert [(p.ssm_name, p.field) for p in info.value.problems] == [("/app/page-sise", "page_size")]
    assert "ssm_missing='error'" in str(info.value)


def test_ssm_missing_ignore_is_silent(ssm: Any, caplog: pytest.LogCaptureFixture) -> None:
    """With ssm_missing='ignore' the default applies with no log line."""

    class Quiet(Pages):
        model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_missing="ignore")

    with caplog.at_level(logging.DEBUG, logger="ssm_config"):
        assert Quiet(_ssm_client=ssm).page_size == 50
    assert _lines(caplog, logging.WARNING) == []


def test_ssm_missing_takes_three_values() -> None:
    """Any other ssm_missing value is refused at class definition."""
    with pytest.raises(DeclarationError, match="ssm_missing must be 'warn', 'error' or 'ignore'"):

        class Bad(SSMSettings):
            model_config = {"ssm_missing": "raise"}  # type: ignore[typeddict-unknown-key,assignment]
            a: int = 1


def test_an_unknown_ssm_key_is_refused_with_the_nearest() -> None:
    """A typo'd ssm_ key in a plain-dict model_config fails at class definition."""
    with pytest.raises(DeclarationError) as info:

        class Typo(SSMSettings):
            model_config = {"ssm_prefx": "/app"}  # type: ignore[typeddict-unknown-key,assignment]
            a: int = 1

    assert str(info.value) == (
        "Typo: model_config has no setting 'ssm_prefx'; did you mean 'ssm_prefix'?"
    )


def test_known_keys_pass_including_the_sentinel_ones() -> None:
    """Every documented ssm_ key, the sentinel ones too, and pydantic's own keys pass."""

    class Fine(SSMSettings):
        model_config = {  # type: ignore[typeddict-unknown-key,assignment]
            "ssm_prefix": "/a",
            "ssm_sentinel": "/a/version",
            "ssm_sentinel_ttl": 5,
            "ssm_missing": "warn",
            "env_prefix": "A_",
        }
        a: int = 1

    assert Fine.model_config["ssm_prefix"] == "/a"


def test_positional_ttl_names_the_field() -> None:
    """Param('/x', '60') is refused at class definition, naming the field and the fix."""
    with pytest.raises(DeclarationError) as info:

        class Timeouts(SSMSettings):
            timeout: Annotated[int, Param("/x", "60")] = 1  # type: ignore[arg-type]

    assert str(info.value).startswith("Timeouts.timeout: Param takes only the name positionally")
    assert "Param('/x', ttl=60)" in str(info.value)


# -- a field supplied by the environment --------------------------------------------------


class Greeting(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_refresh="off")

    home: Annotated[str, Param("greeting")] = "hi"
    page_size: Annotated[int, Param("page-size")] = 50


def test_an_ambient_variable_that_replaces_a_param_is_a_warning(
    ssm: Any, recorder: Recorder, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HOME supplying a Param field logs a warning naming field, variable and parameter."""
    monkeypatch.setenv("HOME", "/root")
    monkeypatch.setenv("PAGE_SIZE", "7")
    with caplog.at_level(logging.INFO, logger="ssm_config"):
        config = Greeting(_ssm_client=ssm)
    assert (config.home, config.page_size) == ("/root", 7)
    assert recorder.calls == []
    [warning] = _lines(caplog, logging.WARNING)
    assert warning.startswith(
        "Greeting.home: set from environment variable HOME, so SSM parameter /app/greeting "
        "was not read; HOME is set by the system"
    )
    assert "env_prefix" in warning
    assert "/root" not in warning
    [note] = _lines(caplog, logging.INFO)
    assert note.startswith("Greeting.page_size: set from environment variable PAGE_SIZE")


def test_the_variable_is_named_as_the_environment_spells_it(
    ssm: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With env_prefix and any case, the line names the variable as it is spelled; init
    arguments are not reported."""

    class Prefixed(Greeting):
        model_config = SSMSettingsConfigDict(
            ssm_prefix="/app", ssm_refresh="off", env_prefix="APP_"
        )

    monkeypatch.setenv("App_Page_Size", "7")
    monkeypatch.setenv("APP_HOME", "here")
    with caplog.at_level(logging.INFO, logger="ssm_config"):
        config = Prefixed(_ssm_client=ssm, home="given")
    assert (config.home, config.page_size) == ("given", 7)
    assert _lines(caplog, logging.WARNING) == []
    [note] = _lines(caplog, logging.INFO)
    assert note.startswith("Prefixed.page_size: set from environment variable App_Page_Size,")


# -- one global problem, once ---------------------------------------------------------------


class Eight(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_refresh="off")

    a: str
    b: str
    c: str
    d: str
    e: str
    f: str
    g: str
    h: int = 1


def _single_cause(error: ConfigError) -> str:
    lines = str(error).splitlines()
    assert lines[0] == "Eight: 8 parameters failed to load"
    assert len(lines) == 2
    assert len(error.problems) == 8
    return lines[1]


def test_no_credentials_is_one_line_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials is reported once, with the ways to provide them."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ConfigError) as info:
        Eight()
    line = _single_cause(info.value)
    assert line.startswith("  no AWS credentials found: set AWS_PROFILE")
    assert "; for 8 parameters: /app/a (field 'a'), /app/b (field 'b'), " in line
    assert line.endswith("/app/h (field 'h')")


def test_no_region_is_one_line_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """No region is reported once, naming AWS_REGION."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigError) as info:
        Eight()
    assert _single_cause(info.value).startswith("  no AWS region configured: set AWS_REGION")


def test_unreachable_endpoint_names_the_url_and_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unreachable endpoint is reported once, with the URL and the variable that set it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(ConfigError) as info:
        Eight()
    line = _single_cause(info.value)
    assert line.startswith("  SSM unreachable at http://127.0.0.1:9")
    assert "set by AWS_ENDPOINT_URL_SSM: check that it is running, or correct or unset" in line
