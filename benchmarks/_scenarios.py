"""The scenarios of ``run.py``: the server process, and one function per measurement.

Each function measures one thing for one library (an adapter from ``_peers``) and returns
plain numbers; ``run.py`` decides the order, the counts and the table.
"""

from __future__ import annotations

import heapq
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import timeit
import urllib.request
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import _peers

HERE = Path(__file__).resolve().parent
COUNT = 40
"""Parameters per library (the issue's 40)."""
MAX_SAMPLES = 12_000_000
"""Bound on the reader's per-read samples (96 MB; 3.5 s of plain reads take about 9 million)."""


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


def latency(samples: Sequence[int]) -> tuple[float, float, int, int]:
    """Max (ms), p99 (ms), reads over 1 ms, and reads, of per-read samples in ns."""
    if not samples:
        return 0.0, 0.0, 0, 0
    top = heapq.nlargest(len(samples) // 100 + 1, samples)  # no sort of millions
    slow = sum(1 for ns in top if ns > 1_000_000)
    if slow == len(top):
        slow = sum(1 for ns in samples if ns > 1_000_000)
    return top[0] / 1e6, top[-1] / 1e6, slow, len(samples)


class PlainReader:
    """The noise floor: a reader of a plain object while the server side keeps busy."""

    def __init__(self) -> None:
        self.values = [f"value-{i}" for i in range(COUNT)]

    def read(self, index: int) -> object:
        return self.values[index]
