"""``benchmarks/cold_start.py`` runs end to end and prints a row per contender.

Timings are not asserted: the benchmark reports them, a unit test on a shared machine
cannot judge them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cold_start.py"
ROWS = ("ssm_config", "powertools", "pydantic-settings", "floor", "python -c pass")


@pytest.mark.server
def test_one_round_prints_every_contender_with_its_figures() -> None:
    """``--runs 1`` exits 0; each contender's row has ready, exit, CPU and RSS figures."""
    pytest.importorskip("aws_lambda_powertools")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [r for r in ROWS if f"{r}: not run" not in done.stdout]  # an old pydantic-settings
    assert {"ssm_config", "powertools", "floor"} <= set(rows)
    for row in rows:
        line = next((x for x in done.stdout.splitlines() if x.startswith(row + "  ")), None)
        assert line is not None, f"no row {row!r}:\n{done.stdout}"
        figures = re.split(r"\s{2,}", line.strip())[1:]
        assert len(figures) == 9, line
        assert all(re.fullmatch(r"[+-]?\d+(\.\d+)?(-\d+)?", f) for f in figures), line
