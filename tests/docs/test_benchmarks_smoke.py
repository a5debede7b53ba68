"""The benchmark runs end to end in its quickest mode and prints every row.

The command is the docs' (the ``bench`` block of docs/benchmarks.rst), run with ``--quick``;
the table the docs show (its ``sample`` block) must have the rows a run prints, in order.
Timings are not asserted here: performance targets are the benchmark's to report
(PASS/FAIL in its table), never a timed unit test's.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from ._blocks import DOCS, ROOT, read

RUN = ROOT / "benchmarks" / "run.py"
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
    page = read(DOCS / "benchmarks.rst")
    (command,) = [b.text.strip() for b in page.blocks if b.kind == "bench" and RUN.name in b.text]
    words = shlex.split(command)
    assert words[:2] == ["python", "benchmarks/run.py"], command
    done = subprocess.run(
        [sys.executable, str(RUN), *words[2:], "--quick", "--delay-ms", "1"],
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
    (sample,) = [b.text for b in page.blocks if b.kind == "sample"]
    assert _row_labels(sample.splitlines()) == _row_labels(lines), "the docs' table is stale"


def _row_labels(lines: list[str]) -> list[str]:
    """The metric column of a benchmark table: the first cell of each row under the rule."""
    rule = next(i for i, line in enumerate(lines) if set(line.strip()) == {"-"})
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        label = re.split(r"\s{2,}", line.strip())[0]
        rows.append(re.sub(r"[\d.]+", "N", label))  # measured figures in labels may differ
    return rows
