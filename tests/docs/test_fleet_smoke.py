"""The fleet simulation runs end to end in its quickest mode and prints both tables.

Rates are the simulation's to report; the only invariants checked here are ones that hold
for any seed: a sentinel polls less than batching, which polls less than one call a key.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FLEET = Path(__file__).resolve().parents[2] / "benchmarks" / "fleet.py"
STEADY_COLUMNS = 11
STORM_COLUMNS = 8


def _table(lines: list[str], first: str) -> list[list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _number(cell: str) -> float:
    match = re.match(r"[\d,.]+", cell)
    assert match is not None, cell
    return float(match.group().replace(",", ""))


def test_quick_run_prints_every_mode_and_a_sentinel_polls_least() -> None:
    """`fleet.py --quick` exits 0, prints full rows, and the mean rates order as designed."""
    done = subprocess.run(
        [sys.executable, str(FLEET), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    steady = _table(lines, "mode")
    storms = _table(lines, "storm")
    assert all(len(row) == STEADY_COLUMNS for row in steady), steady
    assert all(len(row) == STORM_COLUMNS for row in storms), storms
    assert storms
    mean: dict[tuple[str, str], float] = {}
    for row in steady:
        mean[row[0].split(" TTL")[0], row[1]] = _number(row[4])
    for envs in {row[1] for row in steady}:
        assert mean["sentinel 300 s", envs] < mean["batched", envs] < mean["per-key", envs]
