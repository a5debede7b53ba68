"""Compare ssm_config with aws-lambda-powertools' Parameters and ssm-cache, side by side.

One command, one run, one table::

    python benchmarks/run.py [--delay-ms 20] [--quick]

Everything runs against moto's server in a child process, behind a proxy that adds
``--delay-ms`` to every request (an in-region round trip) and counts requests per AWS
action; both listen on 127.0.0.1 only. Scenarios, in order, for each library:

1. cold load of 40 parameters (10 SecureString) with the library's best batching API;
2. warm read of a cached value, against a plain attribute read;
3. a reader thread reading in a tight loop while keys expire (TTL ``--ttl``, default
   1 s) and two of them keep changing: per-read max and p99, and the API calls made;
4. time from a ``put_parameter`` to a reader seeing the new value (same TTL);
5. import time and peak import memory, each in a fresh interpreter.

API calls per hour at a 60 s TTL: for the peers, the calls observed per refresh cycle in
scenario 3 x 60 cycles an hour (their reads re-fetch what expired, batched as at load);
for ssm_config, whose per-key jitter scales with the TTL, its refresher's own step run on
a clock that skips the waits, at the real 60 s TTL (see ``_peers.SSMConfigLib``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: make the sibling modules importable

import _peers  # noqa: E402
from _scenarios import (  # noqa: E402
    COUNT,
    PlainReader,
    Server,
    cold_load,
    import_cost,
    latency,
    make_client,
    round_trip_ms,
    seed,
    stall,
    time_to_visible,
    warm_read_ns,
)

SECURE = 10
LONG_TTL = 60.0
"""The TTL of the cold-load and warm-read scenarios (and of the calls-per-hour figure)."""
CHANGING = ("p01", "p31")
"""Parameters rewritten during the stall scenario: one String, one SecureString."""
IMPORTS = {
    "ssm_config": "import ssm_config",
    "powertools": "from aws_lambda_powertools.utilities import parameters",
    "ssm-cache": "import ssm_cache",
}
IMPORT_STATEMENTS = (*IMPORTS.values(), "import boto3")
DISTRIBUTIONS = {
    "ssm_config": "ssm-config",
    "powertools": "aws-lambda-powertools",
    "ssm-cache": "ssm-cache",
}


@dataclass(frozen=True, slots=True)
class Options:
    """How hard to measure; ``--quick`` shrinks every count for the smoke test."""

    delay_ms: float
    ttl: float
    cycles: int
    cold_reps: int
    warm_number: int
    warm_repeat: int
    trials: int
    import_reps: int
    rtt_reps: int
    sim_cycles: int

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Options:
        if args.quick:
            return cls(args.delay_ms, args.ttl or 0.2, 1, 1, 2_000, 2, 1, 0, 3, 1)
        return cls(args.delay_ms, args.ttl or 1.0, 3, 5, 1_000_000, 7, 8, 5, 15, 6)


@dataclass(slots=True)
class Result:
    """Everything measured for one library."""

    cold_ms: float = 0.0
    cold_calls: int = 0
    warm_ns: float = 0.0
    stall_max_ms: float = 0.0
    stall_p99_ms: float = 0.0
    slow_reads: int = 0
    reads: int = 0
    cycle_calls: float = 0.0
    hour_calls: float = 0.0
    visible_ms: list[float] = field(default_factory=list)
    import_ms: float = 0.0
    import_mb: float = 0.0


# -- the run ------------------------------------------------------------------------------


def measure(opts: Options, out: Callable[[str], None]) -> tuple[dict[str, Result], dict[str, Any]]:
    all_names = _peers.names(COUNT)
    secure = set(all_names[COUNT - SECURE :])
    by_field = {_peers.field_of(n): n for n in all_names}
    changing = {
        by_field[f]: ("SecureString" if by_field[f] in secure else "String") for f in CHANGING
    }
    results = {lib.label: Result() for lib in _peers.LIBRARIES}
    context: dict[str, Any] = {"load": os.getloadavg()[0]}

    quick_imports = None
    pool = ThreadPoolExecutor(len(IMPORT_STATEMENTS))
    server = Server(opts.delay_ms)
    if not opts.import_reps:  # --quick: only that it runs, alongside everything else
        quick_imports = [pool.submit(import_cost, stmt, 0) for stmt in IMPORT_STATEMENTS]
    try:
        writer = make_client(server.moto_url)
        seed(writer, all_names, secure)
        context["rtt_ms"] = round_trip_ms(
            make_client(server.proxy_url), all_names[:10], opts.rtt_reps
        )
        plain_ns = [warm_read_ns(*_peers.plain_read(), opts.warm_number, opts.warm_repeat)]
        context["pydantic_ns"] = warm_read_ns(
            *_peers.pydantic_read(), opts.warm_number, opts.warm_repeat
        )
        out("  noise floor: a plain reader while parameters change")
        floor_window = (opts.cycles + 0.5) * opts.ttl
        server.churn(changing, opts.ttl / 2, floor_window)
        context["floor"] = latency(stall(PlainReader(), floor_window))  # type: ignore[arg-type]
        for factory in _peers.LIBRARIES:
            res = results[factory.label]
            out(f"  {factory.label}: cold load, warm read")
            client = make_client(server.proxy_url)
            client.get_parameters(Names=[all_names[0]])  # open a connection, as a warm process has
            lib = factory(client, all_names, secure, LONG_TTL)
            res.cold_ms, res.cold_calls = cold_load(lib, server, opts.cold_reps)
            # The baseline right before each library too: the best of all is the plain read.
            plain_ns.append(warm_read_ns(*_peers.plain_read(), opts.warm_number, opts.warm_repeat))
            res.warm_ns = warm_read_ns(*lib.warm_read(), opts.warm_number, opts.warm_repeat)
            lib.close()
            if isinstance(lib, _peers.SSMConfigLib):
                out(
                    f"  {factory.label}: refresher schedule at a {LONG_TTL:g} s TTL, fast-forwarded"
                )
                per_cycle = lib.simulated_calls_per_cycle(LONG_TTL, opts.sim_cycles)
                res.hour_calls = per_cycle * 3600 / LONG_TTL

            out(f"  {factory.label}: reader during expiries, change propagation")
            lib = factory(client, all_names, secure, opts.ttl)
            lib.load()
            window = (opts.cycles + 0.5) * opts.ttl
            server.churn(changing, opts.ttl / 2, window)
            server.reset()
            samples = stall(lib, window)
            res.cycle_calls = server.calls() / opts.cycles
            res.stall_max_ms, res.stall_p99_ms, res.slow_reads, res.reads = latency(samples)
            if not isinstance(lib, _peers.SSMConfigLib):
                res.hour_calls = res.cycle_calls * 3600 / LONG_TTL
            res.visible_ms = time_to_visible(
                lib, writer, all_names[0], ttl=opts.ttl, trials=opts.trials, label=factory.label
            )
            lib.close()
        context["plain_ns"] = min(plain_ns)
    finally:
        server.close()
        pool.shutdown(wait=False)

    out("  imports")
    if quick_imports is not None:
        costs = [future.result() for future in quick_imports]
    else:  # timings: one interpreter at a time, nothing else running
        costs = [import_cost(stmt, opts.import_reps) for stmt in IMPORT_STATEMENTS]
    for label, (ms, mb) in zip(IMPORTS, costs, strict=False):
        results[label].import_ms, results[label].import_mb = ms, mb
    context["boto3_ms"], context["boto3_mb"] = costs[-1]
    return results, context


# -- the table ----------------------------------------------------------------------------


def render(results: dict[str, Result], ctx: dict[str, Any], opts: Options) -> str:
    labels = list(results)
    mine = results["ssm_config"]
    peers = [results[label] for label in labels[1:]]
    rtt = ctx["rtt_ms"]
    plain = ctx["plain_ns"]
    rows: list[tuple[str, list[str], str, str]] = []

    def row(metric: str, values: list[str], target: str = "", verdict: bool | None = None) -> None:
        rows.append((metric, values, target, "" if verdict is None else _verdict(verdict)))

    def each(fmt: Callable[[Result], str]) -> list[str]:
        return [fmt(results[label]) for label in labels]

    row("warm read, ns", each(lambda r: f"{r.warm_ns:.1f}"))
    row(
        f"  x plain attribute ({plain:.1f} ns)",
        each(lambda r: f"{r.warm_ns / plain:.2f}x"),
        "<= 2x",
        mine.warm_ns <= 2 * plain,
    )
    pydantic_ns = ctx["pydantic_ns"]
    row(
        f"  x pydantic model attribute ({pydantic_ns:.1f} ns)",
        each(lambda r: f"{r.warm_ns / pydantic_ns:.2f}x"),
    )
    row("  x ssm_config", each(lambda r: f"{r.warm_ns / mine.warm_ns:.1f}x"))
    row(f"cold load {COUNT} params ({SECURE} secure), ms", each(lambda r: f"{r.cold_ms:.1f}"))
    row(
        f"  in round trips (1 RTT = {rtt:.1f} ms [1])",
        each(lambda r: f"{r.cold_ms / rtt:.2f}"),
        "<= 2",
        mine.cold_ms <= 2 * rtt,
    )
    row(
        "  API calls",
        each(lambda r: str(r.cold_calls)),
        "fewest",
        mine.cold_calls <= min(p.cold_calls for p in peers),
    )
    row(
        "reader stall during expiries: max, ms",
        each(lambda r: f"{r.stall_max_ms:.2f}"),
        "<= 1 ms",
        mine.stall_max_ms <= 1.0,
    )
    row("  p99, ms", each(lambda r: f"{r.stall_p99_ms:.4f}"))
    row("  reads over 1 ms / reads", each(lambda r: f"{r.slow_reads}/{r.reads}"))
    row(
        f"change -> visible (TTL {opts.ttl:g} s): median, ms",
        each(lambda r: _ms(r.visible_ms, statistics.median)),
    )
    row("  max, ms", each(lambda r: _ms(r.visible_ms, max)))
    row(f"API calls per cycle at TTL {opts.ttl:g} s", each(lambda r: f"{r.cycle_calls:.1f}"))
    row(
        f"API calls per hour at {LONG_TTL:g} s TTL [2]",
        each(lambda r: f"{r.hour_calls:.0f}"),
        "fewest",
        mine.hour_calls <= min(p.hour_calls for p in peers),
    )
    row("import time, ms (best of N)", each(lambda r: f"{r.import_ms:.0f}"))
    row("import peak memory, MB (tracemalloc)", each(lambda r: f"{r.import_mb:.1f}"))

    head = ("metric", labels, "target", "result")
    table = [(head[0], head[1], head[2], head[3]), *rows]
    w0 = max(len(r[0]) for r in table)
    wv = [max(len(r[1][i]) for r in table) for i in range(len(labels))]
    wt = max(len(r[2]) for r in table)
    lines = []
    for metric, values, target, verdict in table:
        cells = "  ".join(v.rjust(w) for v, w in zip(values, wv, strict=True))
        lines.append(f"{metric.ljust(w0)}  {cells}  {target.ljust(wt)}  {verdict}".rstrip())
    rule = "-" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:]])


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _ms(values: list[float], how: Callable[[list[float]], float]) -> str:
    return f"{how(values):.0f}" if values else "-"


def describe(ctx: dict[str, Any], opts: Options) -> str:
    versions = ", ".join(f"{d} {version(d)}" for d in (*DISTRIBUTIONS.values(), "boto3", "moto"))
    return "\n".join(
        [
            f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}",
            f"versions: {versions}",
            f"proxy delay {opts.delay_ms:g} ms per request; TTL {opts.ttl:g} s for the expiry "
            f"and change rows, {LONG_TTL:g} s for cold load and warm read; load average "
            f"{ctx['load']:.1f} at the start",
        ]
    )


def notes(ctx: dict[str, Any], opts: Options) -> str:
    floor = ctx["floor"]
    return "\n".join(
        [
            "[1] 1 RTT: one GetParameters call of 10 names through the proxy (delay + moto's "
            "work), median",
            f"[2] calls per hour: peers, calls per cycle at TTL {opts.ttl:g} s x "
            f"{3600 / LONG_TTL:g} cycles an hour; ssm_config, its refresher's schedule at a "
            f"{LONG_TTL:g} s TTL run for {opts.sim_cycles} cycles with the waits skipped, x "
            f"{3600 / LONG_TTL:g}",
            f"`import boto3` alone: {ctx['boto3_ms']:.0f} ms, {ctx['boto3_mb']:.1f} MB",
            "noise floor of the stall rows (a reader of a plain list, same window, same "
            f"changes, no library): max {floor[0]:.2f} ms, p99 {floor[1]:.4f} ms, "
            f"{floor[2]}/{floor[3]} reads over 1 ms",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--delay-ms", type=float, default=20.0, help="added per request (default 20)"
    )
    parser.add_argument(
        "--ttl", type=float, default=None, help="TTL of the expiry rows (default 1 s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny counts: a smoke test, not a measurement"
    )
    args = parser.parse_args(argv)
    opts = Options.from_args(args)

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - started:5.1f}s {message}", file=sys.stderr, flush=True)

    results, ctx = measure(opts, progress)
    print(describe(ctx, opts))
    print()
    print(render(results, ctx, opts))
    print()
    print(notes(ctx, opts))
    print(f"\n(run took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
