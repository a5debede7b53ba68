"""How a fleet of processes loads SSM's GetParameter* quota: per-key, batched, sentinel.

One command, one table::

    python benchmarks/fleet.py [--quick] [--seed 1] [--rate 40] [--burst 40]

N environments (processes), each with K keys, are simulated on a clock that skips the
waits; *when* each key is fetched is decided by ssm_config's own scheduling code (see
``_fleet.py``). SSM's quota is a token bucket shared by the whole account; a throttled
request is retried as botocore's standard mode does, then ssm_config backs off.

Steady state: every environment has been running for a while (deadlines spread over one
TTL); requests are counted over ``--steady`` seconds. Then one parameter changes (with a
sentinel bump where there is one) and the run goes on for ``--after`` seconds: how long
until 50% and 99% of environments hold the new value, and what the re-fetches cost.

Storm: every environment starts at the same instant (a deploy, a scale-out, a thaw after
a long freeze) with every key due; the run shows whether throttling dies out (converges)
or keeps itself going (amplifies), per 5-minute window.

Modes: ``per-key`` is what the peers do, one GetParameter per key per TTL (here with
ssm_config's jitter and backoff, which the peers lack, so the peers fare no better);
``batched`` is ssm_config without a sentinel, ``ceil(K / 10)`` GetParameters calls a round;
``sentinel`` polls one key every sentinel period and re-fetches all after a change, the
keys' own TTL (``--key-ttl``, default a day) being only a safety net.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: make the sibling modules importable

from _fleet import Change, Env, Fleet, Unit, cold, thawed, warm  # noqa: E402

from ssm_config._schedule import JITTER  # noqa: E402

SENTINEL = "/app/config-version"
CHANGED = "/app/p00"
HEAVY = 3
"""A fleet whose demand is over this many times the quota is throttled whatever the window:
it is simulated for one TTL of steady state and one after the change (a storm: 1200 s)."""
HEAVY_STORM = 1200
SKIP = 1_000
"""Per-key fleets larger than this are left out unless ``--all``: 400,000 keys each failing
and backing off is minutes of simulation, to show what the demand column says already."""
WINDOW = 300
"""Seconds per column of a storm's throttling series."""


@dataclass(frozen=True, slots=True)
class Setup:
    """One fleet: ``envs`` processes of ``keys`` keys, polled per key, batched or by sentinel."""

    mode: str
    envs: int
    keys: int = 40
    ttl: float = 300.0
    sentinel_ttl: float | None = None

    @property
    def label(self) -> str:
        if self.mode == "sentinel":
            return f"sentinel {self.sentinel_ttl:g} s"
        return f"{self.mode} TTL {self.ttl:g} s"

    @property
    def names(self) -> list[str]:
        return [f"/app/p{i:02d}" for i in range(self.keys)]

    @property
    def demand(self) -> float:
        """Requests a second in steady state: environments x calls a round / period."""
        if self.mode == "per-key":
            return self.envs * self.keys / self.ttl
        calls = math.ceil(self.keys / 10) / self.ttl
        if self.mode == "sentinel" and self.sentinel_ttl:
            calls += 1 / self.sentinel_ttl
        return self.envs * calls


def populate(fleet: Fleet, setup: Setup, start: str, frozen: float = 0.0) -> None:
    """Add ``setup.envs`` environments, warm (running a while), cold or thawed."""
    names = setup.names
    for _ in range(setup.envs):
        env = Env()
        fleet.envs.append(env)
        groups: list[tuple[list[str], float, int, str | None]]
        if setup.mode == "per-key":
            groups = [([name], setup.ttl, 1, None) for name in names]
        elif setup.mode == "batched":
            groups = [(names, setup.ttl, 10, None)]
        else:
            groups = [(names, setup.ttl, 10, SENTINEL)]
        for group, ttl, size, sentinel in groups:
            if start == "cold":
                states = cold(group, ttl)
                if sentinel is not None:
                    states += cold([sentinel], setup.sentinel_ttl or ttl)
            else:
                # With a sentinel, the keys' TTL is long and each sentinel poll takes the
                # keys due within their jitter window: none is due that soon.
                ahead = JITTER * ttl if sentinel is not None else 0.0
                states = warm(fleet, group, ttl, ahead=ahead)
                if sentinel is not None:
                    states += warm(fleet, [sentinel], setup.sentinel_ttl or ttl)
                if start == "thaw":
                    states = thawed(states, frozen)
            unit = Unit(env, states, size, sentinel)
            fleet.add(unit)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class Steady:
    """Requests in steady state, then what one change costs and how fast it spreads."""

    setup: Setup
    mean: float
    peak: int
    throttled: int
    change_peak: int
    change_throttled: int
    reach50: float
    reach99: float
    after: int
    seconds: float


def steady(
    setup: Setup, *, rate: float, burst: float, steady_s: int, after: int, seed: int
) -> Steady:
    began = time.perf_counter()
    fleet = Fleet(rate=rate, burst=burst, horizon=steady_s + after, seed=seed)
    populate(fleet, setup, "warm")
    fleet.publish(Change(steady_s, CHANGED, SENTINEL if setup.mode == "sentinel" else None))
    fleet.run()
    before, later = slice(0, steady_s), slice(steady_s, steady_s + after)
    reached = [env.reached_at - steady_s for env in fleet.envs]
    return Steady(
        setup=setup,
        mean=sum(fleet.requests[before]) / steady_s,
        peak=max(fleet.requests[before]),
        throttled=sum(fleet.throttled[before]),
        change_peak=max(fleet.requests[later]),
        change_throttled=sum(fleet.throttled[later]),
        reach50=percentile(reached, 0.5),
        reach99=percentile(reached, 0.99),
        after=after,
        seconds=time.perf_counter() - began,
    )


@dataclass(frozen=True, slots=True)
class Storm:
    """Every environment started (or thawed) at once: does the throttling die out?"""

    setup: Setup
    start: str
    horizon: int
    requests: int
    throttled: int
    series: tuple[int, ...]
    last_throttle: float
    settled99: float
    seconds: float

    @property
    def verdict(self) -> str:
        """Converged: no throttling in the last window; converging: under 1% of the first's
        and falling overall; else it amplifies (or the fleet is simply over the quota)."""
        first, last = self.series[0], self.series[-1]
        if last == 0:
            return "converges"
        if last < 0.01 * first and last <= min(self.series[:-1]):
            return "converging"
        if last < 0.01 * first:
            return "converging (residual)"
        return "amplifies / over quota"


def storm(setup: Setup, *, start: str, rate: float, burst: float, horizon: int, seed: int) -> Storm:
    began = time.perf_counter()
    fleet = Fleet(rate=rate, burst=burst, horizon=horizon, seed=seed)
    populate(fleet, setup, "cold" if start == "cold" else "thaw", frozen=3600.0)
    fleet.run()
    throttled = fleet.throttled[:horizon]
    series = tuple(sum(throttled[i : i + WINDOW]) for i in range(0, horizon, WINDOW))
    last = max((i for i, n in enumerate(throttled) if n), default=-1)
    return Storm(
        setup=setup,
        start=start,
        horizon=horizon,
        requests=sum(fleet.requests[:horizon]),
        throttled=sum(throttled),
        series=series,
        last_throttle=last + 1,
        settled99=percentile([env.settled_at for env in fleet.envs], 0.99),
        seconds=time.perf_counter() - began,
    )


def _seconds(value: float, limit: float) -> str:
    return f"> {limit:g}" if math.isinf(value) else f"{value:.0f}"


def print_steady(rows: Sequence[Steady], *, rate: float) -> None:
    head = (
        "| mode | envs | keys | demand req/s | mean req/s | peak req/s | throttled "
        "| change: peak req/s | throttled | 50% s | 99% s |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for r in rows:
        s = r.setup
        within = "ok" if r.mean <= rate else "OVER"
        mark = "*" if r.after < max(x.after for x in rows) else ""
        print(
            f"| {s.label}{mark} | {s.envs:,} | {s.keys} | {s.demand:,.1f} | {r.mean:,.1f} {within} "
            f"| {r.peak:,} | {r.throttled:,} | {r.change_peak:,} | {r.change_throttled:,} "
            f"| {_seconds(r.reach50, r.after)} | {_seconds(r.reach99, r.after)} |"
        )


def print_storms(rows: Sequence[Storm]) -> None:
    head = (
        "| storm | envs | requests | throttled | throttled per 5 min | last throttled at s "
        "| 99% settled at s | verdict |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for r in rows:
        s = r.setup
        series = " ".join(f"{n:,}" for n in r.series)
        print(
            f"| {r.start}: {s.label} | {s.envs:,} | {r.requests:,} | {r.throttled:,} "
            f"| {series} | {r.last_throttle:.0f} | {_seconds(r.settled99, r.horizon)} "
            f"| {r.verdict} |"
        )


Job = tuple[str, Setup, dict[str, Any]]


def _progress(results: Iterable[Steady | Storm]) -> Iterator[Steady | Storm]:
    for result in results:
        kind = f"storm {result.start}" if isinstance(result, Storm) else "steady"
        setup = result.setup
        print(
            f"  {kind} {setup.label}, {setup.envs:,} envs: {result.seconds:.1f} s", file=sys.stderr
        )
        yield result


def run_job(job: Job) -> Steady | Storm:
    """One row of either table (a top-level function: worker processes run it)."""
    kind, setup, options = job
    return steady(setup, **options) if kind == "steady" else storm(setup, **options)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small fleets: a smoke test")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=40.0, help="the quota, requests/s")
    parser.add_argument("--burst", type=float, default=None, help="default: the rate")
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--ttl", type=float, default=300.0, help="TTL without a sentinel")
    parser.add_argument("--key-ttl", type=float, default=86400.0, help="TTL with a sentinel")
    parser.add_argument("--steady", type=int, default=300, help="seconds of steady state")
    parser.add_argument("--after", type=int, default=1500, help="seconds after the change")
    parser.add_argument("--storm", type=int, default=2400, help="seconds of each storm")
    parser.add_argument(
        "--all", action="store_true", help=f"also per-key fleets over {SKIP:,} environments"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    args = parser.parse_args(argv)
    burst = args.rate if args.burst is None else args.burst
    sizes = (20, 100) if args.quick else (100, 1_000, 10_000)
    if args.quick:
        args.steady, args.after, args.storm, args.jobs = 300, 600, 1200, 1
    common = {"rate": args.rate, "burst": burst, "seed": args.seed}

    def row(setup: Setup) -> Job:
        window = {"steady_s": args.steady, "after": args.after}
        if setup.demand > HEAVY * args.rate:  # throttled throughout: one TTL each will do
            window = {"steady_s": int(setup.ttl), "after": int(setup.ttl)}
        return ("steady", setup, {**window, **common})

    fleets = [
        Setup(mode, envs, args.keys, args.key_ttl if mode == "sentinel" else args.ttl, 300.0)
        for envs in sizes
        for mode in ("per-key", "batched", "sentinel")
    ]
    skipped = [s for s in fleets if s.mode == "per-key" and s.envs > SKIP and not args.all]
    fleets = [s for s in fleets if s not in skipped]
    fleets += [Setup("sentinel", envs, args.keys, args.key_ttl, 30.0) for envs in sizes[:2]]
    storms = [
        (Setup("batched", sizes[-2], args.keys, args.ttl), "cold"),
        (Setup("sentinel", sizes[-1], args.keys, args.key_ttl, 300.0), "cold"),
        (Setup("sentinel", sizes[-1], args.keys, args.key_ttl, 300.0), "thaw"),
    ]
    jobs = [row(setup) for setup in fleets]
    for setup, start in storms:
        horizon = args.storm if setup.demand <= HEAVY * args.rate else HEAVY_STORM
        jobs.append(("storm", setup, {"start": start, "horizon": horizon, **common}))
    began = time.perf_counter()
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            results = list(_progress(pool.imap(run_job, jobs, chunksize=1)))
    else:
        results = list(_progress(map(run_job, jobs)))
    print(
        f"Quota {args.rate:g} req/s (burst {burst:g}), {args.keys} keys, TTL {args.ttl:g} s "
        f"(with a sentinel: {args.key_ttl:g} s), seed {args.seed}; steady state over "
        f"{args.steady} s, then one change followed for {args.after} s "
        f"(* over {HEAVY}x the quota: one TTL each).\n"
    )
    print_steady([r for r in results if isinstance(r, Steady)], rate=args.rate)
    for setup in skipped:
        print(
            f"| {setup.label} | {setup.envs:,} | {setup.keys} | {setup.demand:,.1f} "
            f"| not simulated (--all) | | | | | | |"
        )
    print(
        f"\nStorms: every environment starts at 0 s; {args.storm} s simulated "
        f"({HEAVY_STORM} s for fleets over {HEAVY}x the quota).\n"
    )
    print_storms([r for r in results if isinstance(r, Storm)])
    cpu = sum(r.seconds for r in results)
    print(f"\n({cpu:.0f} s of simulation in {time.perf_counter() - began:.0f} s, {args.jobs} jobs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
