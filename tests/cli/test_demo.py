"""``ssm-config demo``: the whole hot-swap story, run in-process against the embedded moto."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import types
from typing import Any

import pytest

from ssm_config._demo import _story
from ssm_config._demo._show import MASK, mask_secret
from ssm_config.cli import main

from .._demo_support import accepts_connections

pytestmark = pytest.mark.server  # the embedded local SSM is moto's HTTP server

SECRETS = ("hunter2-d3mo", "c0rrect-h0rse")


@pytest.fixture(scope="module")
def once_run() -> tuple[int, str, str]:
    """``ssm-config demo --once``, run once for the module: (exit code, stdout, stderr)."""
    with pytest.MonkeyPatch.context() as patch:
        out: list[str] = []
        err: list[str] = []
        patch.setattr(sys, "stdout", _Sink(out))
        patch.setattr(sys, "stderr", _Sink(err))
        code = main(["demo", "--once"])
    return code, "".join(out), "".join(err)


class _Sink:
    """A minimal text stream that keeps what is written (a module-scoped capsys)."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""


def test_once_exits_zero_and_quietly(once_run: tuple[int, str, str]) -> None:
    """The story ends by itself with exit 0 and nothing on stderr (no request logging)."""
    code, _, err = once_run
    assert code == 0
    assert err == ""


def test_once_shows_the_batched_load(once_run: tuple[int, str, str]) -> None:
    """The load reports its four fields and the single API call it took."""
    out = once_run[1]
    assert "loaded 4 fields in 1 API call" in out
    assert "page_size        = 50" in out


def test_once_shows_each_change(once_run: tuple[int, str, str]) -> None:
    """Every operator change is printed as ``field: old -> new``, in order."""
    out = once_run[1]
    expected = [
        "page_size: 50 -> 100",
        'flags: {"beta": false, "new-checkout": true} -> {"beta": true, "new-checkout": true}',
        "db_url: mongodb://***@db-1.internal:27017/orders -> mongodb://***@db-2.internal:27017/orders",
        "page_size: 100 -> 25",
    ]
    positions = [out.index(line) for line in expected]
    assert positions == sorted(positions)


def test_once_reconnects_the_database(once_run: tuple[int, str, str]) -> None:
    """The on-change callback rebuilds the database client and the handler uses the new one."""
    out = once_run[1]
    assert "db: on_change reconnects" in out
    assert '"db": "db-2.internal"' in out


def test_once_rejects_the_bad_value_and_keeps_the_last_good(once_run: tuple[int, str, str]) -> None:
    """The bad page size is rejected with a warning and the handler still serves 100."""
    out = once_run[1]
    rejected = out.index("warning on the ssm_config logger:")
    assert "/demo/orders/page-size" in out[rejected:]
    assert "rejected" in out[rejected:]
    assert "page_size: 100 -> lots" not in out
    assert "handler still serves page_size = 100 (the last good value)" in out


def test_once_prints_no_secret_in_clear(once_run: tuple[int, str, str]) -> None:
    """Neither password of the database URL appears anywhere in the output."""
    _, out, err = once_run
    for secret in SECRETS:
        assert secret not in out
        assert secret not in err
    assert "orders:" not in out  # the user part of the URL is masked too


def test_once_shows_policy_or_says_it_is_skipped(once_run: tuple[int, str, str]) -> None:
    """The IAM step prints a policy, or one line saying it is skipped in this build."""
    out = once_run[1]
    assert "IAM policy: skipped" in out or '"Statement"' in out


def test_server_is_loopback_and_stopped_afterwards(once_run: tuple[int, str, str]) -> None:
    """The embedded endpoint listened on 127.0.0.1 only and is closed once the demo ends."""
    out = once_run[1]
    match = re.search(r"listening on http://([\d.]+):(\d+)", out)
    assert match is not None
    host, port = match.group(1), int(match.group(2))
    assert host == "127.0.0.1"
    assert f"http://127.0.0.1:{port} stopped" in out
    assert not accepts_connections((host, port))


def test_missing_moto_gives_one_install_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without moto's server the command prints one line naming the pip install, exit 1."""
    monkeypatch.setitem(sys.modules, "moto.server", None)
    assert main(["demo", "--once"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert "pip install 'ssm-config[demo]'" in lines[0]


def test_cli_and_package_import_without_moto() -> None:
    """``import ssm_config``, the CLI parser and the demo package never import moto."""
    code = (
        "import sys; sys.modules['moto'] = None\n"
        "import ssm_config, ssm_config._demo\n"
        "from ssm_config.cli import build_parser\n"
        "build_parser().parse_args(['demo', '--once'])\n"
        "assert sys.modules['moto'] is None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf", "1e12"])
def test_bad_duration_is_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A duration that is not a positive number of seconds exits 2 before starting anything."""
    assert main(["demo", "--duration", value]) == 2
    assert "--duration" in capsys.readouterr().err


def test_ctrl_c_ends_with_exit_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in the middle of the story stops the server and exits 0."""

    def interrupted(self: object, config: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_story._Story, "play", interrupted)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "interrupted (Ctrl-C)" in out
    match = re.search(r"listening on http://([\d.]+):(\d+)", out)
    assert match is not None
    assert not accepts_connections((match.group(1), int(match.group(2))))


def test_default_run_uses_the_background_refresher(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --once the running handler sees a change the refresher picked up, and the
    demo ends by itself after --duration."""
    started = time.monotonic()
    assert main(["demo", "--duration", "6"]) == 0
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert "changed  page_size: 50 -> 100" in out
    assert re.search(r'handler \(call #\d+\) -> \{[^}]*"limit": 100', out)
    assert elapsed < 6 + 5
    for secret in SECRETS:
        assert secret not in out


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("mongodb://u:p@db-1:27017/orders?authSource=admin", "mongodb://***@db-1:27017/orders"),
        ("postgres://user@host/db", "postgres://***@host/db"),
        ("https://no-credentials.example/x", MASK),
        ("hunter2", MASK),
        ("", MASK),
    ],
)
def test_mask_secret(secret: str, expected: str) -> None:
    """A secret URL keeps only scheme, host and path; anything else is fully masked."""
    assert mask_secret(secret) == expected


def test_policy_step_prints_the_generated_policy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When ``ssm_config.iam`` exists, the demo prints policy_for(OrdersConfig) for the local
    region and account."""
    calls: list[tuple[tuple[type, ...], dict[str, Any]]] = []

    def policy_for(*classes: type, **where: Any) -> dict[str, object]:
        calls.append((classes, where))
        return {"Version": "2012-10-17", "Statement": [{"Sid": "FromTheFake"}]}

    iam = types.ModuleType("ssm_config.iam")
    iam.policy_for = policy_for  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ssm_config.iam", iam)
    assert main(["demo", "--once"]) == 0
    assert '"Sid": "FromTheFake"' in capsys.readouterr().out
    assert len(calls) == 1
    classes, where = calls[0]
    assert classes == (_story.OrdersConfig,)
    assert where["region"] == "us-east-1"
    assert where["account"] == "123456789012"
    assert where["kms_keys"][_story.KMS_ALIAS].startswith("arn:aws:kms:us-east-1:123456789012:key/")
