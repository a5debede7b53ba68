"""Every code block of the docs and README.rst runs, or is checked, as its class says.

How blocks are found and what each class means: ``tests/docs/_blocks.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ssm_config import _client

from ._blocks import ROOT, Block, Page, code_block_count, contains_as_unit, matches, pages, read

pytest_plugins = ("tests._cli_support",)

REGION = "us-east-1"
PAGES = [read(path) for path in pages()]

SEEDS: dict[str, list[dict[str, str]]] = {
    "empty": [],
    "orders": [
        {
            "Name": "/shared/mongodb/url",
            "Value": "mongodb://orders:pw@db-1.internal:27017/orders",
            "Type": "SecureString",
        },
        {"Name": "/shared/relationship-api/url", "Value": "https://rel.example.com/"},
        {"Name": "/orders/prod/page-size", "Value": "25"},
        {"Name": "/orders/prod/flags", "Value": '{"beta": true}'},
        {"Name": "/orders/prod/features/search", "Value": "on"},
    ],
}


def _inject(code: str, message: str) -> Callable[[pytest.MonkeyPatch], None]:
    """A fault: every SSM request of a client ssm_config builds gets AWS error ``code``."""

    def install(monkeypatch: pytest.MonkeyPatch) -> None:
        # Imported here: pytest loads the module as a plugin first (pytest_plugins).
        from tests._cli_support import error_response, hook_clients, zero_backoff

        zero_backoff(monkeypatch)

        def refuse(request: Any, **_: Any) -> Any:
            return error_response(request, code, message)

        hook_clients(monkeypatch, lambda c: c.meta.events.register("before-send.ssm", refuse))

    return install


def _no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "fault-kms-denied": _inject(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/orders/fn is not authorized to perform:"
        " kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd",
    ),
    "fault-ssm-denied": _inject(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/orders/fn is not authorized to perform:"
        " ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter/orders",
    ),
    "fault-throttled": _inject("ThrottlingException", "Rate exceeded"),
    "fault-no-region": _no_region,
    "fault-no-credentials": _no_credentials,
    "fault-unreachable": _unreachable,
}


def _ids(kind: str) -> list[Any]:
    return [pytest.param(page, id=page.path) for page in PAGES if _has(page, kind)]


def _has(page: Page, *kinds: str) -> bool:
    return any(block.kind in kinds for block in page.blocks)


def test_every_block_is_found_and_classified() -> None:
    """Each page parses cleanly and each of its code blocks carries exactly one known class."""
    for page, path in zip(PAGES, pages(), strict=True):
        assert not page.problems, page.problems
        assert not page.unclassified, f"blocks without one known :class: {page.unclassified}"
        assert len(page.blocks) == code_block_count(path), f"{page.path}: a block was lost"
        assert page.fixture in SEEDS, f"{page.path}: unknown docs-fixture {page.fixture!r}"
    for page in PAGES:
        for before, block in zip(page.blocks, page.blocks[1:], strict=False):
            if block.kind in {"output", "contains"}:
                assert before.kind in {"run", "shell"}, f"{block.where}: nothing printed it"
        if page.blocks:
            assert page.blocks[0].kind not in {"output", "contains"}, page.blocks[0].where
    found = {block.kind for page in PAGES for block in page.blocks}
    assert {"run", "output", "shell", "contains", "ci", "bench", "sample"} <= found


def test_names_of_run_blocks_are_known_faults_or_none() -> None:
    """A ``:name:`` on a run block names a fault the harness injects (a typo would not)."""
    for page in PAGES:
        for block in page.blocks:
            if block.kind == "run" and block.name.startswith("fault-"):
                assert block.name in FAULTS, f"{block.where}: unknown fault {block.name}"


def test_ci_blocks_are_run_verbatim_by_ci() -> None:
    """Each command of a ``ci`` block is a line of .ci/run, so CI runs what the docs say."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [
        (block, line.strip())
        for page in PAGES
        for block in page.blocks
        if block.kind == "ci"
        for line in block.text.splitlines()
        if line.strip()
    ]
    assert commands
    for block, command in commands:
        assert command in ci, f"{block.where}: .ci/run does not run {command!r}"


@pytest.mark.parametrize("page", _ids("run"))
def test_python_blocks_run(page: Page, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The page's Python blocks run in order on moto; output and contains blocks match."""
    if page.path.endswith("migration.rst"):  # CI's oldest pass runs pydantic-settings 2.7
        pytest.importorskip(
            "pydantic_settings", minversion="2.16", reason="the guide migrates from 2.16's source"
        )
    module = types.ModuleType(f"docs_{Path(page.path).stem.replace('-', '_')}")
    namespace = module.__dict__
    sys.modules[module.__name__] = module  # as a user's module would be, for pydantic
    printed: str | None = None
    monkeypatch.chdir(tmp_path)
    try:
        with mock_aws():
            ssm = boto3.client("ssm", region_name=REGION)
            for parameter in SEEDS[page.fixture]:
                ssm.put_parameter(**{"Type": "String", **parameter})
            for block in page.blocks:
                if block.kind == "run":
                    printed = _run_python(block, namespace, monkeypatch)
                elif block.kind in {"output", "contains"} and printed is not None:
                    _check_printed(block, printed)
                    printed = None
                elif block.kind == "shell":
                    printed = None  # what follows it is the shell test's to check
    finally:
        del sys.modules[module.__name__]
        _close_all(namespace)


def _run_python(block: Block, namespace: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> str:
    out = io.StringIO()
    with monkeypatch.context() as patch, contextlib.redirect_stdout(out):
        if block.name in FAULTS:
            FAULTS[block.name](patch)
        _client.reset_default_clients()
        try:
            code = compile(block.text + "\n", block.where, "exec", dont_inherit=True)
            exec(code, namespace)  # noqa: S102 - the docs' own code, run as a user would
        finally:
            _client.reset_default_clients()
    return out.getvalue()


def _check_printed(block: Block, printed: str) -> None:
    if block.kind == "output":
        assert matches(block.text.splitlines(), printed.splitlines()), (
            f"{block.where}: the block before it printed:\n{printed}"
        )
    else:
        assert contains_as_unit(block.text, printed), (
            f"{block.where}: does not hold what the block before it printed:\n{printed}"
        )


def _close_all(namespace: dict[str, Any]) -> None:
    for value in list(namespace.values()):
        close = getattr(value, "ssm_close", None)
        if callable(close) and not isinstance(value, type):
            close()


@pytest.fixture
def shell_env(moto_endpoint: str, tmp_path: Path) -> dict[str, str]:
    """A shell environment against moto's server, in a copy of examples/ (no real AWS)."""
    work = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", work)
    env = {key: val for key, val in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL_SSM=moto_endpoint,
        AWS_ENDPOINT_URL_KMS=moto_endpoint,
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        DB_URL="mongodb://orders:pw@db.internal/orders",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        PWD=str(work),
    )
    return env


@pytest.mark.server
@pytest.mark.parametrize("page", _ids("shell"))
def test_shell_blocks_print_what_they_show(page: Page, shell_env: dict[str, str]) -> None:
    """Each ``$ command`` of the page prints the lines shown after it; contains blocks match."""
    seed = boto3.client("ssm", region_name=REGION, endpoint_url=shell_env["AWS_ENDPOINT_URL_SSM"])
    for parameter in SEEDS[page.fixture]:
        seed.put_parameter(**{"Type": "String", **parameter})
    printed: str | None = None
    for block in page.blocks:
        if block.kind == "shell":
            printed = "".join(_run_session(block, shell_env))
        elif block.kind in {"output", "contains"} and printed is not None:
            _check_printed(block, printed)
            printed = None
        elif block.kind == "run":
            printed = None  # what follows it is the Python test's to check


def _run_session(block: Block, env: dict[str, str]) -> Iterator[str]:
    steps: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"{block.where}: a shell block starts with '$ '"
            steps[-1][1].append(line)
    for command, shown in steps:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=env["PWD"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        printed = (done.stdout + done.stderr).splitlines()
        assert matches(shown, printed), f"{block.where}: {command}\nprinted:\n" + "\n".join(printed)
        yield done.stdout
