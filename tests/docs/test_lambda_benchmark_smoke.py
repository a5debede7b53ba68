"""The Lambda benchmark runs end to end in its quickest mode and prints its table.

The command is the docs' (the ``bench`` block of docs/benchmarks.rst naming it), run with
``--quick``. Timings are not asserted: the benchmark reports them; the Lambda tests assert
behaviour.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from ._blocks import DOCS, read

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "lambda_scenarios.py"
ROWS = (
    "handler p50, ms",
    "handler p99, ms",
    "change -> first invocation returning it: max, s",
    "stale answers / invocations",
    "SSM requests",
    "restore phase (after-restore hooks), ms",
)


@pytest.mark.server
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the harness needs Linux")
def test_quick_run_prints_every_scenario_and_row() -> None:
    """`lambda_scenarios.py --quick --lane ssm_config` exits 0 with each scenario's rows."""
    page = read(DOCS / "benchmarks.rst")
    (command,) = [b.text.strip() for b in page.blocks if b.kind == "bench" and RUN.name in b.text]
    words = shlex.split(command)
    assert words[:2] == ["python", "benchmarks/lambda_scenarios.py"], command
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            *words[2:],
            "--quick",
            "--lane",
            "ssm_config",
            "--delay-ms",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("scenario / metric"))
    assert header.split()[-1] == "ssm_config"
    for scenario in ("sparse", "burst after idle", "SnapStart restore"):
        assert scenario in lines, done.stdout
    for row in ROWS:
        assert any(line.strip().startswith(row) for line in lines), f"{row!r}:\n{done.stdout}"
