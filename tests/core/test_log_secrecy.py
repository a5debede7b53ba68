"""No decrypted value in any log record ssm_config can control, at any logging level.

botocore logs response bodies (``botocore.parsers``) and request parameters
(``botocore.endpoint``) at DEBUG; for a decrypted read the body is the secret. Every read
path runs here with the root logger at each level, and every record is searched for the
values: the loads (one batch and several, whose calls run on worker threads), a refresh,
the ad-hoc reads, and a failing read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import pytest
from pydantic import SecretStr, create_model

from ssm_config import (
    Param,
    ParameterNotFoundError,
    SSMSettings,
    SSMSettingsConfigDict,
    get_parameter,
    get_parameters_by_path,
)

SECRET = "s3cr3t-value-7f1c"
PLAIN = "plain-value-2b9e"
MANY = 23
"""Names in the wide class: three GetParameters calls, overlapped on worker threads."""
NOT_OURS = ("moto", "werkzeug", "responses")
"""The fake's own loggers: they are not in a deployed process."""


class Secrets(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/logs", ssm_refresh="off")

    token: SecretStr
    note: Annotated[str, Param("note")]


class WideBase(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/logs/wide", ssm_refresh="off")


Wide: Any = create_model(
    "Wide", __base__=WideBase, **{f"p{i:02d}": (SecretStr, ...) for i in range(MANY)}
)


@pytest.fixture
def seeded(ssm: Any) -> Any:
    """A SecureString, a String and a wide path of SecureStrings, each holding a value."""
    ssm.put_parameter(Name="/logs/token", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/logs/note", Value=PLAIN, Type="String")
    for i in range(MANY):
        ssm.put_parameter(Name=f"/logs/wide/p{i:02d}", Value=f"{SECRET}-{i}", Type="SecureString")
    return ssm


class Capture(logging.Handler):
    """Every record that reaches the root logger, formatted as a handler would print it."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[str]:
        return [self.format(r) for r in self.records if not r.name.startswith(NOT_OURS)]


@contextmanager
def capturing(level: int) -> Iterator[Capture]:
    """The root logger at ``level``, with a handler capturing what reaches it."""
    root = logging.getLogger()
    handler = Capture()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield handler
    finally:
        root.setLevel(saved)
        root.removeHandler(handler)


@pytest.fixture(params=[1, logging.DEBUG, logging.INFO, logging.WARNING], ids=str)
def captured(request: pytest.FixtureRequest) -> Iterator[Capture]:
    """Each level in turn (1 lets every record through)."""
    with capturing(request.param) as handler:
        yield handler


def assert_no_value_in(texts: list[str]) -> None:
    leaks = [t for t in texts if SECRET in t or PLAIN in t]
    assert leaks == []


def test_loads_and_refresh_log_no_value(seeded: Any, captured: Capture) -> None:
    """A load through the caller's client, a wide load and a refresh log no value."""
    config = Secrets(_ssm_client=seeded)
    assert config.token.get_secret_value() == SECRET
    config.ssm_refresh()
    assert Wide(_ssm_client=seeded).p00.get_secret_value() == f"{SECRET}-0"
    assert_no_value_in(captured.texts())


def test_default_client_and_adhoc_reads_log_no_value(seeded: Any, captured: Capture) -> None:
    """The default client's load and get_parameter / get_parameters_by_path log no value."""
    assert Secrets().note == PLAIN
    assert get_parameter("/logs/token") == SECRET
    assert get_parameters_by_path("/logs", recursive=False) == {
        "/logs/token": SECRET,
        "/logs/note": PLAIN,
    }
    with pytest.raises(ParameterNotFoundError):
        get_parameter("/logs/missing")
    assert_no_value_in(captured.texts())


def test_debug_shows_our_calls_without_their_bodies(seeded: Any) -> None:
    """At DEBUG the calls still show, their bodies withheld; the caller's own calls are left."""
    with capturing(logging.DEBUG) as captured:
        get_parameter("/logs/token")
        texts = captured.texts()
        seeded.get_parameter(Name="/logs/note")  # the caller's own call: botocore's usual log
    assert any("Response body: withheld by ssm_config" in t for t in texts)
    assert any("Making request for OperationModel(name=GetParameter)" in t for t in texts)
    assert any(PLAIN in t for t in captured.texts())
