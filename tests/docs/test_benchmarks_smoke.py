"""The benchmark runs end to end in its quickest mode and prints every row.

Timings are not asserted here: performance targets are the benchmark's to report
(PASS/FAIL in its table), never a timed unit test's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
LIBRARIES = ("ssm_config", "powertools", "ssm-cache")
ROWS = (
    "warm read, ns",
    "x plain attribute",
    "x ssm_config",
    "cold load 40 params",
    "in round trips",
    "API calls",
    "reader stall during expiries: max, ms",
    "p99, ms",
    "reads over 1 ms / reads",
    "change -> visible",
    "max, ms",
    "API calls per cycle",
    "API calls per hour",
    "import time, ms",
    "import peak memory, MB",
)


@pytest.mark.server
def test_quick_run_prints_a_row_per_metric_with_all_three_libraries() -> None:
    """`run.py --quick` exits 0 and its table has every row, each with three values."""
    pytest.importorskip("aws_lambda_powertools")
    pytest.importorskip("ssm_cache")
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--delay-ms", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("metric"))
    assert header.split()[1:4] == list(LIBRARIES)
    body = lines[lines.index(header) + 2 :]
    for row in ROWS:
        line = next((b for b in body if b.strip().startswith(row)), None)
        assert line is not None, f"missing row {row!r}:\n{done.stdout}"
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) >= 4, line  # the metric, then a value per library
