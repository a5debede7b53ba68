"""check, diff, copy, export and import over HTTP, against moto's server.

Faults in writes are injected here rather than in-process: moto's in-process mock applies a
request even when a test's hook answers it first, so a refused write would still land.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from ._env_helpers import stored

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support", "tests.cli._env_support")

SECRET = "server-side-secret-value"
CONFIG = """
from typing import Annotated
from pydantic import SecretStr
from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

class AppConfig(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app/prod")
    db_password: Annotated[SecretStr, Param("db/password")]
    page_size: Annotated[int, Param("page-size")] = 50
"""


@pytest.fixture
def server(moto_endpoint: str) -> Any:
    """An SSM client on moto's HTTP server, with /app/staging seeded."""
    client = boto3.client("ssm", endpoint_url=moto_endpoint, region_name="us-east-1")
    client.put_parameter(Name="/app/staging/db/password", Value=SECRET, Type="SecureString")
    client.put_parameter(Name="/app/staging/page-size", Value="50", Type="String")
    client.put_parameter(Name="/app/staging/origins", Value="a.com", Type="StringList")
    return client


@pytest.mark.server
def test_the_commands_work_through_a_real_endpoint(
    server: Any, moto_endpoint: str, tmp_path: Path
) -> None:
    """copy, diff, export | import and check run as the console script over HTTP."""
    script = shutil.which("ssm-config", path=str(Path(sys.executable).parent))
    assert script is not None, (
        "install the package: pip install -e '.[cli,demo]' -r requirements-dev.txt"
    )
    (tmp_path / "app_config.py").write_text(CONFIG)

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, "--endpoint-url", moto_endpoint, *argv],
            input=stdin,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    failing = run("check", "app_config")
    copied = run("copy", "/app/staging", "/app/prod", "--rate", "100")
    passing = run("check", "app_config")
    same = run("diff", "/app/staging", "/app/prod")
    exported = run("export", "/app/prod", "--format", "yaml")
    imported = run("import", "-", "/app/eu", "--format", "yaml", stdin=exported.stdout)
    elsewhere = run("copy", "/app/prod", "/app/prod", "--to-region", "eu-west-1", "--rate", "100")

    assert failing.returncode == 1
    assert failing.stderr == (
        "ssm-config: error: 1 of 2 parameters failed the check: /app/prod/db/password\n"
    )
    assert (copied.returncode, copied.stderr) == (0, "")
    assert (passing.returncode, passing.stderr) == (0, "")
    assert "2 checked: 2 ok, 0 warnings, 0 failed" in passing.stdout
    assert (same.returncode, same.stdout) == (
        0,
        "3 same, 0 changed, 0 only in /app/staging, 0 only in /app/prod\n",
    )
    assert (imported.returncode, imported.stderr) == (0, "")
    assert stored(server, "/app/eu") == {
        "/app/eu/db/password": ("SecureString", SECRET),
        "/app/eu/origins": ("StringList", "a.com"),
        "/app/eu/page-size": ("String", "50"),
    }
    assert elsewhere.returncode == 0
    other = boto3.client("ssm", endpoint_url=moto_endpoint, region_name="eu-west-1")
    assert len(stored(other, "/app/prod")) == 3
    for done in (failing, copied, passing, same, imported, elsewhere):
        assert SECRET not in done.stdout + done.stderr


@pytest.mark.server
def test_a_failure_part_way_says_what_was_written_and_what_was_not(
    server: Any,
    moto_endpoint: str,
    cli: Callable[..., Run],
    fail_with: Callable[..., Requests],
) -> None:
    """A refused write stops the copy; stdout lists the written and the unwritten names."""
    fail_with("PutParameter", "AccessDeniedException", when="/app/prod/origins", message="no")

    result = cli("--endpoint-url", moto_endpoint, "copy", "/app/staging", "/app/prod")

    assert result.code == 1
    assert result.out.splitlines() == [
        "created    /app/prod/db/password",
        "not written /app/prod/origins",
        "not written /app/prod/page-size",
    ]
    assert result.err == (
        "ssm-config: error: stopped at /app/prod/origins: access denied to ssm:PutParameter: "
        "no; 1 written, 2 not written (each listed on standard output); run again to finish: "
        "what is already there is left as it is\n"
    )
    assert list(stored(server, "/app/prod")) == ["/app/prod/db/password"]


@pytest.mark.server
def test_rerunning_after_a_failure_finishes_the_copy(
    server: Any,
    moto_endpoint: str,
    cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run again after a stop: what was written is 'same', the rest is created."""
    from tests._cli_support import error_response, hook_clients

    refused = [True]

    def refuse_origins_once(client: Any) -> None:
        def handler(request: Any, **kwargs: Any) -> Any:
            if refused[0] and b"/app/prod/origins" in request.body:
                refused[0] = False
                return error_response(request, "AccessDeniedException", "no")
            return None

        client.meta.events.register("before-send.ssm.PutParameter", handler)

    hook_clients(monkeypatch, refuse_origins_once)
    first = cli("--endpoint-url", moto_endpoint, "copy", "/app/staging", "/app/prod")
    second = cli("--endpoint-url", moto_endpoint, "copy", "/app/staging", "/app/prod")

    assert first.code == 1
    assert (second.code, second.err) == (0, "")
    assert second.out.splitlines() == [
        "same       /app/prod/db/password",
        "created    /app/prod/origins",
        "created    /app/prod/page-size",
    ]


@pytest.mark.server
def test_throttled_writes_are_retried_by_botocore(
    server: Any, moto_endpoint: str, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PutParameter throttled twice, then answered: the copy completes, nothing reported."""
    from tests._cli_support import error_response, hook_clients, zero_backoff

    remaining = [2]

    def throttle_twice(client: Any) -> None:
        def handler(request: Any, **kwargs: Any) -> Any:
            if remaining[0] == 0:
                return None
            remaining[0] -= 1
            return error_response(request, "ThrottlingException", "Rate exceeded")

        client.meta.events.register("before-send.ssm.PutParameter", handler)

    zero_backoff(monkeypatch)
    hook_clients(monkeypatch, throttle_twice)

    result = cli("--endpoint-url", moto_endpoint, "copy", "/app/staging", "/app/prod")

    assert (result.code, result.err) == (0, "")
    assert remaining == [0]
    assert len(stored(server, "/app/prod")) == 3


@pytest.mark.server
def test_throttling_that_persists_stops_with_what_was_written(
    server: Any,
    moto_endpoint: str,
    cli: Callable[..., Run],
    fail_with: Callable[..., Requests],
) -> None:
    """Throttled on every attempt: botocore retries, then the copy stops naming the rest."""
    sent = fail_with("PutParameter", "ThrottlingException", message="Rate exceeded")

    result = cli("--endpoint-url", moto_endpoint, "copy", "/app/staging", "/app/prod")

    assert result.code == 1
    assert sent.count("PutParameter") > 1
    assert result.err.startswith(
        "ssm-config: error: stopped at /app/prod/db/password: throttled by SSM (PutParameter)"
    )
    assert result.out.count("not written ") == 3
    assert stored(server, "/app/prod") == {}
