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
import heapq
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import timeit
import urllib.request
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: make the sibling modules importable

import _peers  # noqa: E402

COUNT = 40
SECURE = 10
LONG_TTL = 60.0
"""The TTL of the cold-load and warm-read scenarios (and of the calls-per-hour figure)."""
CHANGING = ("p01", "p31")
"""Parameters rewritten during the stall scenario: one String, one SecureString."""
MAX_SAMPLES = 12_000_000
"""Bound on the reader's per-read samples (96 MB; 3.5 s of plain reads take about 9 million)."""
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


# -- the server ---------------------------------------------------------------------------


class Server:
    """The child process running moto and the delaying, counting proxy."""

    def __init__(self, delay_ms: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_proxy.py"), "--delay-ms", str(delay_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.close()
            raise RuntimeError("the moto/proxy process did not start")
        ports = json.loads(line)
        self.proxy_url = f"http://127.0.0.1:{ports['proxy']}"
        self.moto_url = f"http://127.0.0.1:{ports['moto']}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        url = self.proxy_url + path  # http://127.0.0.1:PORT, built by us
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def counts(self) -> dict[str, int]:
        return dict(self._call("GET", "/__bench/counts"))

    def calls(self) -> int:
        return sum(self.counts().values())

    def reset(self) -> None:
        self._call("POST", "/__bench/reset", {})

    def churn(self, types: dict[str, str], every: float, seconds: float) -> None:
        self._call("POST", "/__bench/churn", {"types": types, "every": every, "for": seconds})

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def make_client(endpoint: str) -> Any:
    """The same client settings for every library: botocore's standard retry mode."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "ssm",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        config=Config(retries={"mode": "standard"}, max_pool_connections=16),
    )


def seed(client: Any, all_names: Sequence[str], secure: set[str]) -> None:
    for i, name in enumerate(all_names):
        kind = "SecureString" if name in secure else "String"
        client.put_parameter(Name=name, Value=f"value-{i}", Type=kind, Overwrite=True)


def round_trip_ms(client: Any, batch: Sequence[str], reps: int) -> float:
    """Median wall time of one GetParameters call (a full batch) through the proxy."""
    client.get_parameters(Names=list(batch), WithDecryption=True)  # connect outside the timing
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        client.get_parameters(Names=list(batch), WithDecryption=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


# -- scenarios ----------------------------------------------------------------------------


def cold_load(lib: _peers.Library, server: Server, reps: int) -> tuple[float, int]:
    """Median wall time (ms) and API calls of a cold load of every parameter."""
    times, calls = [], []
    for _ in range(reps):
        lib.close()
        server.reset()
        start = time.perf_counter()
        lib.load()
        times.append((time.perf_counter() - start) * 1000)
        calls.append(server.calls())
    return statistics.median(times), max(calls)


def warm_read_ns(stmt: str, scope: dict[str, Any], number: int, repeat: int) -> float:
    """Best-of-``repeat`` ns per execution of ``stmt`` (timeit's loop included).

    Each repeat runs ``number`` times, or fewer for a slow statement (about 0.1 s a repeat).
    """
    exec(stmt, scope)  # noqa: S102 - our own statement; primes any cache
    timer = timeit.Timer(stmt, globals=scope)
    start = time.perf_counter()
    timer.timeit(100)
    per_run = (time.perf_counter() - start) / 100
    number = max(100, min(number, int(0.1 / max(per_run, 1e-9))))
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e9


def stall(lib: _peers.Library, seconds: float) -> array[int]:
    """Per-read latencies (ns) of a reader thread reading in a tight loop for ``seconds``."""
    samples: array[int] = array("q")
    read = lib.read
    clock = time.perf_counter_ns
    end = clock() + int(seconds * 1e9)

    def reader() -> None:
        i = 0
        while i < MAX_SAMPLES:
            t0 = clock()
            read(i % COUNT)
            t1 = clock()
            samples.append(t1 - t0)
            i += 1
            if t1 >= end:
                break

    thread = threading.Thread(target=reader, name="bench-reader")
    thread.start()
    thread.join(seconds + 60)
    return samples


def time_to_visible(
    lib: _peers.Library, writer: Any, name: str, *, ttl: float, trials: int, label: str
) -> list[float]:
    """ms from a put_parameter returning to ``lib.read(0)`` returning the new value."""
    rng = random.Random(7)
    out = []
    for trial in range(trials):
        time.sleep(rng.uniform(0, ttl))  # a change lands anywhere in the refresh cycle
        new = f"change-{label}-{trial}"
        writer.put_parameter(Name=name, Value=new, Type="String", Overwrite=True)
        start = time.perf_counter()
        deadline = start + 3 * ttl + 5
        while time.perf_counter() < deadline:
            if _peers.unwrap(lib.read(0)) == new:
                out.append((time.perf_counter() - start) * 1000)
                break
            time.sleep(0.001)
        else:
            out.append(float("inf"))
    return out


def import_cost(stmt: str, reps: int) -> tuple[float, float]:
    """Best-of-``reps`` import time (ms) and tracemalloc peak (MB), each in a fresh process.

    With ``reps`` 0 (``--quick``) one traced run gives both, its time inflated by tracing.
    """

    def run(code: str) -> list[float]:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
        )
        return [float(word) for word in out.stdout.split()]

    clock = "import time; t = time.perf_counter()"
    took = "time.perf_counter() - t"
    traced_ms, peak = run(
        f"import tracemalloc; tracemalloc.start(); {clock}; {stmt}; "
        f"print({took}, tracemalloc.get_traced_memory()[1])"
    )
    timings = [run(f"{clock}; {stmt}; print({took})")[0] for _ in range(reps)]
    return min(timings or [traced_ms]) * 1000, peak / 2**20


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
        out("  noise floor: a plain reader while parameters change")
        floor_window = (opts.cycles + 0.5) * opts.ttl
        server.churn(changing, opts.ttl / 2, floor_window)
        context["floor"] = latency(stall(_PlainReader(), floor_window))  # type: ignore[arg-type]
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


def latency(samples: Sequence[int]) -> tuple[float, float, int, int]:
    """Max (ms), p99 (ms), reads over 1 ms, and reads, of per-read samples in ns."""
    if not samples:
        return 0.0, 0.0, 0, 0
    top = heapq.nlargest(len(samples) // 100 + 1, samples)  # no sort of millions
    slow = sum(1 for ns in top if ns > 1_000_000)
    if slow == len(top):
        slow = sum(1 for ns in samples if ns > 1_000_000)
    return top[0] / 1e6, top[-1] / 1e6, slow, len(samples)


class _PlainReader:
    """The noise floor: a reader of a plain object while the server side keeps busy."""

    def __init__(self) -> None:
        self.values = [f"value-{i}" for i in range(COUNT)]

    def read(self, index: int) -> object:
        return self.values[index]


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
