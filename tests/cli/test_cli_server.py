"""The installed ``ssm-config`` script and ``python -m ssm_config`` against moto's server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ("tests._cli_support",)


def fake_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The current environment with every AWS_* variable replaced by fake credentials."""
    env = {key: val for key, val in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
    )
    env.update(extra)
    return env


@pytest.mark.server
def test_the_console_script_round_trips_through_a_real_endpoint(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """put from stdin, get, list --json and delete work over HTTP with --endpoint-url."""
    script = shutil.which("ssm-config", path=str(Path(sys.executable).parent))
    assert script is not None, (
        "install the package: pip install -e '.[cli,demo]' -r requirements-dev.txt"
    )
    env = fake_env(tmp_path)

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, "--endpoint-url", moto_endpoint, *argv],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    put = run("put", "/demo/db-password", "-", "--type", "SecureString", stdin="s3cret\n")
    assert (put.returncode, put.stdout, put.stderr) == (0, "1\n", "")

    get = run("get", "/demo/db-password", "/demo/missing")
    assert (get.returncode, get.stdout) == (1, "s3cret\n")
    assert get.stderr == "ssm-config: error: /demo/missing: parameter not found\n"

    listed = run("list", "/demo", "--json")
    assert [item["Name"] for item in json.loads(listed.stdout)] == ["/demo/db-password"]
    assert "s3cret" not in listed.stdout

    delete = run("delete", "/demo/db-password")
    assert (delete.returncode, delete.stdout) == (0, "deleted /demo/db-password\n")


@pytest.mark.server
def test_python_m_honours_the_endpoint_environment_variable(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """python -m ssm_config is the same program, and AWS_ENDPOINT_URL_SSM points it at SSM."""
    env = fake_env(tmp_path, AWS_ENDPOINT_URL_SSM=moto_endpoint)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ssm_config", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert run("put", "/demo/greeting", "hello").returncode == 0
    result = run("get", "--json", "/demo/greeting")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["Value"] == "hello"
    assert run("delete", "/demo/greeting").returncode == 0


def test_closed_pipe_is_quiet() -> None:
    """Output into a pipe nobody reads (`| head` gone) ends without a traceback."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    script = Path(sys.executable).with_name("ssm-config")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: EPIPE, deterministically
    try:
        result = subprocess.run(
            [str(script), "policy", "lambda_handler"],
            cwd=examples,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""


def _script() -> str:
    script = shutil.which("ssm-config", path=str(Path(sys.executable).parent))
    assert script is not None, (
        "install the package: pip install -e '.[cli,demo]' -r requirements-dev.txt"
    )
    return script


@pytest.mark.server
def test_put_from_a_closed_standard_input_is_one_clear_line(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """`put NAME - <&-` (no standard input at all) exits 1 with one line; nothing is written."""
    result = subprocess.run(
        ["/bin/sh", "-c", 'exec "$@" <&-', "sh", _script(), "--endpoint-url", moto_endpoint,
         "put", "/a/x", "-"],
        env=fake_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "ssm-config: error: /a/x: VALUE '-' reads standard input, but there is none "
        "(it is closed); pipe the value in or use --value-file\n"
    )
    assert _nothing_stored(moto_endpoint, tmp_path)


@pytest.mark.server
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["plain", "json"])
def test_an_output_encoding_that_cannot_hold_the_value_is_one_line(
    moto_endpoint: str, tmp_path: Path, json_flag: list[str]
) -> None:
    """With PYTHONIOENCODING=ascii a non-ASCII value is one line suggesting utf-8, not echoed."""
    env = fake_env(tmp_path, PYTHONIOENCODING="ascii")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_script(), "--endpoint-url", moto_endpoint, *argv],
            env=env,
            capture_output=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )

    assert run("put", "/a/u", "héllo").returncode == 0  # argv is not stdout: it is fine

    result = run("get", *json_flag, "/a/u")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "ssm-config: error: the output encoding (ascii) cannot represent a value to print; "
        "set PYTHONIOENCODING=utf-8 (or use a UTF-8 locale)\n"
    )


@pytest.mark.server
def test_a_closed_standard_output_is_one_line_before_any_request(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """`put NAME VALUE >&-` (no standard output at all) exits 1 with one line, writing nothing."""
    result = subprocess.run(
        ["/bin/sh", "-c", 'exec "$@" >&-', "sh", _script(), "--endpoint-url", moto_endpoint,
         "put", "/a/x", "v"],
        env=fake_env(tmp_path),
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr == (
        "ssm-config: error: there is no standard output to print to (it is closed); "
        "redirect it to /dev/null instead\n"
    )
    assert _nothing_stored(moto_endpoint, tmp_path)


def _nothing_stored(endpoint: str, tmp_path: Path) -> bool:
    """Whether the server holds no parameter at all (a refused put wrote nothing)."""
    listed = subprocess.run(
        [_script(), "--endpoint-url", endpoint, "list", "/"],
        env=fake_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return (listed.returncode, listed.stdout) == (0, "")
