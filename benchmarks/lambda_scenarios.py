"""Lambda scenarios: four ways to read SSM in a handler, under the real Lambda lifecycle.

One command, one run, one table::

    python benchmarks/lambda_scenarios.py [--delay-ms 20] [--ttl 2] [--quick]

Each lane is a function run by AWS's own runtime client (``awslambdaric``) under the
test suite's Lambda harness (``tests/lambda_runtime``): frozen (SIGSTOP) whenever it waits
for an event, thawed to handle one, and, for SnapStart, frozen at the snapshot and
restored through the runtime's after-restore hooks. SSM is moto's server behind a proxy
that adds ``--delay-ms`` to each request and counts them. 10 String parameters, TTL
``--ttl``; the handler returns one of them, which the benchmark keeps changing.

Lanes: Powertools ``parameters.get_parameter`` per name in the handler (``max_age`` =
TTL); plain boto3 ``get_parameters`` in the handler on every invocation; ssm_config with
the config at module level; the same with ``@ssm_config.refresh_before(config)``.

Scenarios, each on a fresh function per lane:

- sparse: a change, then an idle of 1.5 x TTL, then invocations 0.25 x TTL apart, over
  several cycles;
- burst after idle: a change, an idle of 2 x TTL, then 20 invocations back to back;
- SnapStart restore: init, a change during the snapshot (and the snapshot's connections
  reset), the restore, then invocations 0.25 x TTL apart.

Rows: handler duration p50/p99 (event delivered to response, as Lambda bills it); the
longest time from a change to the first invocation that returned it (idle time included:
no invocation can return a change before the next one arrives), and how much of that came
after the first invocation that followed the change (the library's own delay); answers
that were already replaced when their invocation started; SSM requests in the scenario.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the harness lives in tests/lambda_runtime

from ssm_config._demo._server import LocalSSM  # noqa: E402
from tests.lambda_runtime._faults import FaultProxy  # noqa: E402
from tests.lambda_runtime._runtime import LambdaFunction, write_function  # noqa: E402

PREFIX = "/bench"
NAMES = [f"{PREFIX}/p{i:02d}" for i in range(10)]
CHANGING = NAMES[0]
LANES = ("powertools", "boto3", "ssm_config", "ssm_config+refresh_before")
NEEDS = {"ssm_config+refresh_before": "ssm_config.refresh_before"}


def source(lane: str, ttl: float) -> str:
    """The function module of ``lane``: what a user would write."""
    if lane == "powertools":
        return (
            "from aws_lambda_powertools.utilities import parameters\n"
            f"NAMES = {NAMES!r}\n"
            "def handler(event, context):\n"
            f"    values = {{n: parameters.get_parameter(n, max_age={ttl}) for n in NAMES}}\n"
            "    return {'value': values[NAMES[0]]}\n"
        )
    if lane == "boto3":
        return (
            "import boto3\n"
            "ssm = boto3.client('ssm')\n"
            f"NAMES = {NAMES!r}\n"
            "def handler(event, context):\n"
            "    found = ssm.get_parameters(Names=NAMES, WithDecryption=True)['Parameters']\n"
            "    values = {p['Name']: p['Value'] for p in found}\n"
            "    return {'value': values[NAMES[0]]}\n"
        )
    fields = "".join(f"    p{i:02d}: str\n" for i in range(len(NAMES)))
    decorator = "@ssm_config.refresh_before(config)\n" if lane.endswith("refresh_before") else ""
    return (
        "import ssm_config\n"
        "from ssm_config import SSMSettings, SSMSettingsConfigDict\n"
        "class Config(SSMSettings):\n"
        f"    model_config = SSMSettingsConfigDict(ssm_prefix={PREFIX!r}, ssm_ttl={ttl})\n"
        f"{fields}"
        "config = Config()\n"
        f"{decorator}"
        "def handler(event, context):\n"
        "    return {'value': config.p00}\n"
    )


@functools.cache
def missing(lane: str) -> str | None:
    """What the functions' ssm_config lacks to run ``lane`` (None: it can run).

    Asked of a fresh interpreter with the functions' ``PYTHONPATH``: this script puts the
    checkout first on its own path, so its own ``import ssm_config`` may differ.
    """
    need = NEEDS.get(lane)
    if need is None:
        return None
    module, _, name = need.rpartition(".")
    probe = subprocess.run(
        [sys.executable, "-c", f"import {module}; print(hasattr({module}, {name!r}))"],
        cwd=tempfile.gettempdir(),  # as a function's: not this checkout
        capture_output=True,
        text=True,
        check=False,
    )
    return None if probe.stdout.strip() == "True" else need


@dataclass
class Outcome:
    """One lane in one scenario."""

    durations: list[float] = field(default_factory=list)
    lags: list[float | None] = field(default_factory=list)
    """Per change: seconds to the first invocation returning it (None: none did)."""
    extra: list[float] = field(default_factory=list)
    """Per change: of those, the seconds after the first invocation that followed it."""
    stale: int = 0
    requests: int = 0
    restore: float | None = None
    skipped: str | None = None


@dataclass
class Bench:
    """The shared SSM, proxy and folder; runs one scenario for one lane."""

    local: LocalSSM
    proxy: FaultProxy
    folder: Path
    ttl: float
    cycles: int
    writer: Any = None
    changes: list[tuple[str, float]] = field(default_factory=list)
    step: int = 0

    def change(self) -> None:
        self.step += 1
        value = f"v{self.step}"
        self.writer.put_parameter(Name=CHANGING, Value=value, Type="String", Overwrite=True)
        self.changes.append((value, time.monotonic()))

    def run(self, lane: str, scenario: Callable[[Bench, LambdaFunction], Outcome]) -> Outcome:
        lacking = missing(lane)
        if lacking:
            return Outcome(skipped=lacking)
        self.change()
        self.changes = self.changes[-1:]
        folder = self.folder / f"{lane}-{scenario.__name__}"
        handler = write_function(folder, source(lane, self.ttl))
        env = {"AWS_ENDPOINT_URL_SSM": self.proxy.endpoint_url}
        snapstart = scenario is snapstart_restore
        with LambdaFunction(handler, folder, env, snapstart=snapstart) as function:
            function.start()
            calls = self.proxy.requests()
            outcome = scenario(self, function)
            outcome.requests = self.proxy.requests() - calls
        return outcome

    def record(self, outcome: Outcome, invocations: list[Any]) -> None:
        """Durations, stale answers, and each change's lag, from what the handler returned."""
        order = [value for value, _ in self.changes]
        for invocation in invocations:
            outcome.durations.append(invocation.duration)
            value = invocation.result["value"]
            current = [v for v, at in self.changes if at <= invocation.delivered_at]
            if current and value in order and order.index(value) < order.index(current[-1]):
                outcome.stale += 1
        for value, at in self.changes[1:]:
            after = [i for i in invocations if i.delivered_at >= at]
            seen = [i for i in after if _at_least(i.result["value"], value, order)]
            outcome.lags.append(seen[0].finished_at - at if seen else None)
            if seen:
                outcome.extra.append(seen[0].finished_at - after[0].finished_at)


def _at_least(served: str, wanted: str, order: list[str]) -> bool:
    return served in order and order.index(served) >= order.index(wanted)


# -- scenarios ------------------------------------------------------------------------------


def sparse(bench: Bench, function: LambdaFunction) -> Outcome:
    invocations = [function.invoke()]
    for _ in range(bench.cycles):
        function.wait_frozen()
        bench.change()
        function.idle(1.5 * bench.ttl)
        invocations.append(function.invoke())
        for _ in range(3):
            function.idle(0.25 * bench.ttl)
            invocations.append(function.invoke())
    outcome = Outcome()
    bench.record(outcome, invocations)
    return outcome


def burst(bench: Bench, function: LambdaFunction) -> Outcome:
    invocations = [function.invoke()]
    function.wait_frozen()
    bench.change()
    function.idle(2 * bench.ttl)
    invocations += [function.invoke() for _ in range(20)]
    outcome = Outcome()
    bench.record(outcome, invocations[1:])
    return outcome


def snapstart_restore(bench: Bench, function: LambdaFunction) -> Outcome:
    bench.change()
    bench.proxy.break_connections("reset")  # a snapshot's sockets are dead on restore
    function.idle(bench.ttl)
    outcome = Outcome(restore=function.restore())
    invocations = [function.invoke()]
    for _ in range(4):
        function.idle(0.25 * bench.ttl)
        invocations.append(function.invoke())
    bench.record(outcome, invocations)
    return outcome


SCENARIOS = {
    "sparse": sparse,
    "burst after idle": burst,
    "SnapStart restore": snapstart_restore,
}


# -- the table ------------------------------------------------------------------------------


def render(results: dict[str, dict[str, Outcome]], lanes: tuple[str, ...] = LANES) -> str:
    rows: list[tuple[str, list[str]]] = [("scenario / metric", list(lanes))]
    for name, outcomes in results.items():
        cells = [outcomes[lane] for lane in lanes]
        rows.append((name, ["" for _ in lanes]))

        def row(metric: str, fmt: Callable[[Outcome], str], cells: list[Outcome] = cells) -> None:
            rows.append((f"  {metric}", ["n/a" if o.skipped else fmt(o) for o in cells]))

        row("handler p50, ms", lambda o: f"{_pct(o.durations, 50) * 1000:.1f}")
        row("handler p99, ms", lambda o: f"{_pct(o.durations, 99) * 1000:.1f}")
        row("change -> first invocation returning it: max, s", _lag)
        row("  beyond the first invocation after it: max, s", _extra)
        row("stale answers / invocations", lambda o: f"{o.stale}/{len(o.durations)}")
        row("SSM requests", lambda o: str(o.requests))
        if name == "SnapStart restore":
            row(
                "restore phase (after-restore hooks), ms", lambda o: f"{(o.restore or 0) * 1e3:.0f}"
            )
    widths = [max(len(r[1][i]) for r in rows) for i in range(len(lanes))]
    first = max(len(r[0]) for r in rows)
    lines = [
        f"{label.ljust(first)}  "
        + "  ".join(v.rjust(w) for v, w in zip(values, widths, strict=True))
        for label, values in rows
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(line.rstrip() for line in lines)


def _extra(outcome: Outcome) -> str:
    return f"{max(outcome.extra):.2f}" if outcome.extra else "-"


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _lag(outcome: Outcome) -> str:
    if not outcome.lags:
        return "-"
    if any(lag is None for lag in outcome.lags):
        return "never"
    return f"{max(lag for lag in outcome.lags if lag is not None):.2f}"


def describe(opts: argparse.Namespace, lanes: tuple[str, ...]) -> str:
    dists = ("ssm-config", "aws-lambda-powertools", "boto3", "awslambdaric", "moto")
    versions = ", ".join(f"{d} {_version(d)}" for d in dists)
    notes = [
        f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"versions: {versions}",
        f"{len(NAMES)} parameters, TTL {opts.ttl:g} s, {opts.delay_ms:g} ms per SSM request; "
        f"sparse: {opts.cycles} cycles of (change, idle {1.5 * opts.ttl:g} s, 4 invocations "
        f"{0.25 * opts.ttl:g} s apart)",
    ]
    notes += [
        f"n/a: {lane} needs {why}, which this ssm_config does not have"
        for lane in lanes
        if (why := missing(lane))
    ]
    return "\n".join(notes)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=20.0, help="per request (default 20)")
    parser.add_argument("--ttl", type=float, default=None, help="seconds (default 2)")
    parser.add_argument("--quick", action="store_true", help="a smoke test, not a measurement")
    parser.add_argument(
        "--lane", action="append", choices=LANES, help="run only this lane (repeatable)"
    )
    opts = parser.parse_args(argv)
    lanes = tuple(opts.lane or LANES)
    opts.ttl = opts.ttl or (0.5 if opts.quick else 2.0)
    opts.cycles = 1 if opts.quick else 3
    started = time.perf_counter()
    results: dict[str, dict[str, Outcome]] = {}
    with LocalSSM() as local, tempfile.TemporaryDirectory() as tmp:
        writer = local.client("ssm")
        for name in NAMES:
            writer.put_parameter(Name=name, Value="v0", Type="String", Overwrite=True)
        proxy = FaultProxy(local.address, latency=opts.delay_ms / 1000)
        bench = Bench(local, proxy, Path(tmp), opts.ttl, opts.cycles, writer)
        try:
            for name, scenario in SCENARIOS.items():
                results[name] = {}
                for lane in lanes:
                    elapsed = time.perf_counter() - started
                    print(f"{elapsed:5.1f}s {name}: {lane}", file=sys.stderr, flush=True)
                    results[name][lane] = bench.run(lane, scenario)
        finally:
            proxy.close()
    print(describe(opts, lanes))
    print()
    print(render(results, lanes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
