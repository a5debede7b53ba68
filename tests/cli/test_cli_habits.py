"""CLI habits a newcomer brings: help, --version, options anywhere, file paths, a local SSM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from ssm_config import __version__

if TYPE_CHECKING:
    from tests._cli_support import Run

pytest_plugins = ("tests._cli_support",)

ROOT = Path(__file__).resolve().parents[2]

HANDLER = """\
import logging
from typing import Annotated
from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

logging.getLogger("ssm_config").warning("ssm_config: refresh of /app/x failed")


class Config(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app")
    greeting: Annotated[str, Param("greeting")]
"""


def test_bare_command_prints_the_help(cli: Callable[..., Run]) -> None:
    """``ssm-config`` alone prints the help on stdout and exits 0."""
    result = cli()
    assert result.code == 0
    assert result.out.startswith("usage: ssm-config")
    assert "get" in result.out
    assert result.err == ""


def test_python_m_without_arguments_prints_the_help() -> None:
    """``python -m ssm_config`` alone is the same program: the help, exit 0."""
    done = subprocess.run(
        [sys.executable, "-m", "ssm_config"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("usage: ssm-config")


def test_version(cli: Callable[..., Run]) -> None:
    """``--version`` prints the program and its version."""
    result = cli("--version")
    assert (result.code, result.out) == (0, f"ssm-config {__version__}\n")


def test_global_options_after_the_subcommand(ssm: Any, cli: Callable[..., Run]) -> None:
    """``get NAME --region R`` reads from region R, as the AWS CLI allows."""
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/app/where", Value="ireland", Type="String"
    )
    after = cli("get", "/app/where", "--region", "eu-west-1")
    before = cli("--region", "eu-west-1", "get", "/app/where")
    assert (after.code, after.out, after.err) == (0, "ireland\n", "")
    assert after == before


def test_a_global_option_before_stays_when_none_follows(ssm: Any, cli: Callable[..., Run]) -> None:
    """A global option given before the subcommand is not reset by the subcommand."""
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/app/where", Value="ireland", Type="String"
    )
    assert cli("--region", "eu-west-1", "get", "/app/where", "--json").code == 0


def test_policy_accepts_a_file_path(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``policy src/handler.py`` imports the file from its folder; a warning logged meanwhile
    is one ``ssm-config: warning:`` line without the logger's name twice."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "handler.py").write_text(HANDLER)
    monkeypatch.chdir(tmp_path)
    for target in ("src/handler.py", str(src / "handler.py:Config")):
        result = cli("policy", target)
        assert result.code == 0, result.err
        [statement] = json.loads(result.out)["Statement"]
        assert statement["Resource"] == ["arn:aws:ssm:*:*:parameter/app/greeting"]
        assert result.err == "ssm-config: warning: refresh of /app/x failed\n"
    assert "handler" not in sys.modules


def test_policy_with_a_missing_file_is_one_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    """A .py target that does not exist says so."""
    result = cli("policy", str(tmp_path / "nope.py"))
    assert (result.code, result.err) == (
        1,
        f"ssm-config: error: {tmp_path}/nope.py: no such file\n",
    )


def test_overwrite_without_type_checks_a_stored_string_list(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """--overwrite with no --type applies the StringList rules when the stored type is one."""
    ssm.put_parameter(Name="/app/hosts", Value="a.example.com,b", Type="StringList")
    result = cli("put", "/app/hosts", "a.example.com, b", "--overwrite")
    assert result.code == 1
    assert "StringList item 2 begins or ends with whitespace" in result.err
    assert ssm.get_parameter(Name="/app/hosts")["Parameter"]["Value"] == "a.example.com,b"
    assert cli("put", "/app/hosts", "a.example.com,c", "--overwrite").code == 0


@pytest.mark.server
def test_demo_serve_runs_a_local_ssm_until_ctrl_c(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``demo --serve`` prints exports and a key alias that work, then exits 0 at Ctrl-C."""
    with subprocess.Popen(
        [sys.executable, "-m", "ssm_config", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    ) as server:
        try:
            assert server.stdout is not None
            lines: list[str] = []
            while not lines or lines[-1] != "Stop with Ctrl-C.":
                line = server.stdout.readline()
                assert line, "the server ended before it printed its instructions"
                lines.append(line.rstrip("\n"))
            exports = dict(
                line.removeprefix("export ").split("=", 1)
                for line in lines
                if line.startswith("export ")
            )
            assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
            for name in [k for k in os.environ if k.startswith("AWS_")]:
                monkeypatch.delenv(name)
            for name, value in exports.items():
                monkeypatch.setenv(name, value)
            secure = ("--type", "SecureString", "--key-id", "alias/local")
            put = cli("put", "/app/pw", "s3cret", *secure)
            assert put.code == 0, put.err
            assert cli("get", "/app/pw").out == "s3cret\n"
            server.send_signal(signal.SIGINT)
            out, err = server.communicate(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    assert server.returncode == 0, err
    assert "Stopped" in out
