"""``LocalSSM``: the embedded moto SSM + KMS that the demo, examples and benchmarks share."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from typing import Annotated

import pytest
from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict
from ssm_config._demo import DemoDependencyError, LocalSSM

from .._demo_support import accepts_connections

pytestmark = pytest.mark.server  # the embedded local SSM is moto's HTTP server


@pytest.fixture
def local() -> Iterator[LocalSSM]:
    """A running LocalSSM, stopped after the test."""
    with LocalSSM() as server:
        yield server


class _Tiny(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/tiny", ssm_refresh="off")

    secret: Annotated[SecretStr, Param("secret")]
    size: int = 1


def test_binds_loopback_on_a_free_port(local: LocalSSM) -> None:
    """The server listens on 127.0.0.1 at a port the OS chose, and says so in its URL."""
    assert local.host == "127.0.0.1"
    assert local.port > 0
    assert local.endpoint_url == f"http://127.0.0.1:{local.port}"
    assert accepts_connections(local.address)


def test_stop_closes_the_port_and_is_idempotent() -> None:
    """After stop() nothing listens on the port; a second stop() is harmless."""
    server = LocalSSM().start()
    address = server.address
    server.stop()
    server.stop()
    assert not server.running
    assert not accepts_connections(address)


def test_settings_load_secure_string_under_a_local_kms_key(local: LocalSSM) -> None:
    """A SecureString under a key made in the local KMS loads, decrypted, into a settings class."""
    key = local.kms_client().create_key()["KeyMetadata"]["KeyId"]
    ssm = local.ssm_client()
    ssm.put_parameter(Name="/tiny/secret", Value="s3cret", Type="SecureString", KeyId=key)
    ssm.put_parameter(Name="/tiny/size", Value="7", Type="String")
    config = _Tiny(_ssm_client=ssm)  # type: ignore[call-arg]
    assert config.secret.get_secret_value() == "s3cret"
    assert config.size == 7
    assert config.ssm_stats()["api_calls"] == 1


def test_clients_leave_the_environment_alone(local: LocalSSM) -> None:
    """Handing out clients and env() changes nothing in os.environ."""
    before = dict(os.environ)
    local.ssm_client().describe_parameters()
    env = local.env()
    assert dict(os.environ) == before
    assert env["AWS_ENDPOINT_URL"] == local.endpoint_url
    assert env["AWS_REGION"] == local.region


def test_stop_forgets_the_accounts_data() -> None:
    """A new server does not see parameters a stopped one held."""
    with LocalSSM() as first:
        first.ssm_client().put_parameter(Name="/left/over", Value="x", Type="String")
    with LocalSSM() as second:
        found = second.ssm_client().get_parameters(Names=["/left/over"])
    assert found["InvalidParameters"] == ["/left/over"]


def test_distinct_accounts_do_not_share_data(local: LocalSSM) -> None:
    """A server with its own account id keeps its parameters apart from the default account."""
    local.ssm_client().put_parameter(Name="/shared/name", Value="default", Type="String")
    with LocalSSM(account_id="111122223333") as other:
        ssm = other.ssm_client()
        assert ssm.get_parameters(Names=["/shared/name"])["InvalidParameters"] == ["/shared/name"]
        ssm.put_parameter(Name="/shared/name", Value="other", Type="String")
    value = local.ssm_client().get_parameter(Name="/shared/name")["Parameter"]["Value"]
    assert value == "default"


def test_request_lines_are_not_logged(
    local: LocalSSM, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """werkzeug's per-request log lines do not reach handlers or the terminal."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    local.ssm_client().describe_parameters()
    assert not [r for r in caplog.records if r.name == "werkzeug"]
    assert "POST /" not in capfd.readouterr().err


def test_missing_moto_raises_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """start() without moto's server raises DemoDependencyError naming the pip install."""
    monkeypatch.setitem(sys.modules, "moto.server", None)
    with pytest.raises(DemoDependencyError, match=r"pip install 'ssm-config\[demo\]'"):
        LocalSSM().start()


def test_address_before_start_is_an_error() -> None:
    """Asking where a never-started server listens is a clear RuntimeError."""
    with pytest.raises(RuntimeError, match="not been started"):
        _ = LocalSSM().endpoint_url
