"""Fixtures: moto's server behind a fault proxy, and functions run by the Lambda harness."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ssm_config._demo._server import LocalSSM

from ._faults import FaultProxy
from ._runtime import LambdaFunction, write_function

LATENCY = 0.02
"""Seconds added to each SSM request: an in-region round trip."""

if not sys.platform.startswith("linux"):  # the harness needs process groups, SIGSTOP, /proc
    collect_ignore_glob = ["test_*.py"]

Launch = Callable[..., LambdaFunction]


@pytest.fixture
def ssm_writer(local_ssm: LocalSSM) -> Any:
    """A client that writes straight to moto (never through the proxy, never counted)."""
    return local_ssm.client("ssm")


@pytest.fixture
def proxy(local_ssm: LocalSSM) -> Iterator[FaultProxy]:
    """The function's way to SSM: 20 ms a request, and faults on demand."""
    faults = FaultProxy(local_ssm.address, latency=LATENCY)
    yield faults
    faults.close()


@pytest.fixture
def launch(tmp_path: Path, proxy: FaultProxy) -> Iterator[Launch]:
    """Start a function from handler source; each is killed after the test."""
    started: list[LambdaFunction] = []

    def start(source: str, *, snapstart: bool = False, **env: str) -> LambdaFunction:
        folder = tmp_path / f"function{len(started)}"
        handler = write_function(folder, textwrap.dedent(source))
        function = LambdaFunction(
            handler,
            folder,
            {"AWS_ENDPOINT_URL_SSM": proxy.endpoint_url, **env},
            snapstart=snapstart,
        )
        started.append(function)
        return function.start()

    yield start
    for function in started:
        function.stop()
