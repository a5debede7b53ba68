"""A broken AWS environment is one FetchError (or ConfigError) naming the variable at fault.

botocore reads the environment and config files when the default client is built, and
raises ``ValueError`` or one of its own exceptions from there; ``_client.default_client``
is the one boundary that turns them into ssm_config's errors. No request is made in any
of these cases: the client cannot even be built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest

from ssm_config import (
    ConfigError,
    FetchError,
    Param,
    SSMSettings,
    SSMSettingsConfigDict,
    get_parameter,
    get_parameters_by_path,
)


class AppConfig(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app")

    page_size: int
    token: Annotated[str, Param("token")] = "unset"


BAD_CONFIG = "[default\nregion = us-east-1\n"
"""An unterminated section header: configparser cannot read it."""

# (variables to set, the variable the message must name, a word of the fix it must give)
CASES = {
    "max attempts not a number": ({"AWS_MAX_ATTEMPTS": "abc"}, "AWS_MAX_ATTEMPTS", "'abc'"),
    "max attempts below one": ({"AWS_MAX_ATTEMPTS": "0"}, "AWS_MAX_ATTEMPTS", "1 or more"),
    "SSM endpoint not a URL": (
        {"AWS_ENDPOINT_URL_SSM": "not a url"},
        "AWS_ENDPOINT_URL_SSM",
        "https://",
    ),
    "endpoint not a URL": ({"AWS_ENDPOINT_URL": "not a url"}, "AWS_ENDPOINT_URL ", "https://"),
    "config file unreadable": ({"AWS_CONFIG_FILE": "{bad}"}, "AWS_CONFIG_FILE", "syntax"),
    "credentials file unreadable": (
        {"AWS_SHARED_CREDENTIALS_FILE": "{bad}"},
        "AWS_SHARED_CREDENTIALS_FILE",
        "syntax",
    ),
    "retry mode unknown": ({"AWS_RETRY_MODE": "bogus"}, "AWS_RETRY_MODE", "'standard'"),
    "profile unknown": ({"AWS_PROFILE": "nobody"}, "AWS_PROFILE", "'nobody'"),
    "region malformed": ({"AWS_REGION": "not a region!"}, "AWS_REGION", "us-east-1"),
    "default region malformed": (
        {"AWS_DEFAULT_REGION": "us east 1"},
        "AWS_DEFAULT_REGION",
        "us-east-1",
    ),
    "default region blank": ({"AWS_DEFAULT_REGION": ""}, "AWS_REGION", "set AWS_REGION"),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def broken(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[str, str]:
    """The environment of one case (on top of the suite's clean one); its variable and fix."""
    variables, named, fix = CASES[request.param]
    bad = tmp_path / "config"
    bad.write_text(BAD_CONFIG)
    for key, value in variables.items():
        monkeypatch.setenv(key, value.format(bad=bad))
    return named, fix


def test_get_parameter_raises_fetch_error_naming_the_variable(broken: tuple[str, str]) -> None:
    """get_parameter raises FetchError (as its docstring promises) naming the variable and fix."""
    named, fix = broken
    with pytest.raises(FetchError) as caught:
        get_parameter("/app/page_size")
    assert named in str(caught.value)
    assert fix in str(caught.value)
    assert "\n" not in str(caught.value)


def test_get_parameters_by_path_raises_fetch_error(broken: tuple[str, str]) -> None:
    """get_parameters_by_path goes through the same boundary."""
    named, _ = broken
    with pytest.raises(FetchError, match=named.strip()):
        get_parameters_by_path("/app")


def test_the_constructor_raises_config_error_naming_the_variable(broken: tuple[str, str]) -> None:
    """Constructing settings raises ConfigError, one problem per SSM field, each naming it."""
    named, fix = broken
    with pytest.raises(ConfigError) as caught:
        AppConfig()
    problems = caught.value.problems
    assert [p.field for p in problems] == ["page_size", "token"]
    assert all(named in p.message and fix in p.message for p in problems)
    assert isinstance(problems[0].cause, FetchError)


def test_a_fixed_environment_is_used_on_the_next_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed build is not cached: once the variable is fixed, the next call builds a client."""
    from ssm_config import _client

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "abc")
    with pytest.raises(FetchError):
        _client.default_client()
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    assert _client.default_client().meta.region_name == "us-east-1"


def test_clients_share_parsed_models_but_not_settings() -> None:
    """A rebuilt client (restore, fork) reuses the parsed data, never the region."""
    from ssm_config._client import make_client

    first = make_client("ssm", region="us-east-1")
    second = make_client("ssm", region="eu-west-1")
    assert first._loader is second._loader
    assert (first.meta.region_name, second.meta.region_name) == ("us-east-1", "eu-west-1")
