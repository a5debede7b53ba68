"""A fleet of processes on a simulated clock, scheduled by ssm_config's own code.

Each environment (a process: a Lambda execution environment, a container) holds one or
more *units*: a set of keys scheduled together, as one :class:`ssm_config._store.LiveStore`
is by the refresher. Every decision about *when* a key is fetched and *what happens after*
is made by :mod:`ssm_config._schedule` (``due``, ``answered``, ``failed``, ``make_due``,
``Draws``) and every grouping into calls by :func:`ssm_config._plan.batches`, exactly as
:class:`ssm_config._refresh.Refresher` uses them: a wake-up takes the due keys not already
in flight, sends them as one round (10 names a call, calls overlapped, one ``sent_at``),
and applies the whole round's answers with one draw when its last call returns. A sentinel
answering a new version makes every other key of its unit due at once.

What is modelled rather than run: SSM's account-wide GetParameters quota (a token bucket),
the network (a fixed latency), and botocore's ``standard`` retry mode, transcribed from
``botocore/retries/standard.py`` and ``quota.py`` (botocore 1.44): a throttled request is
retried after ``random() * min(1 s * 2 ** (attempt - 1), 20 s)`` (``ExponentialBackoff``
with the throttling base scale of 1 s), at most ``MAX_ATTEMPTS`` requests a call (ssm_config
configures 4), each retry taking 5 tokens from the client's 500-token retry quota (a
success gives back what its call took, or 1 if it was not retried; an empty quota means no
retry).
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ssm_config import _schedule
from ssm_config._client import MAX_ATTEMPTS
from ssm_config._plan import batches
from ssm_config._schedule import Draws, KeyState

LATENCY = 0.03
"""Seconds a request takes, throttled or not (an in-region round trip)."""
THROTTLING_BASE = 1.0
"""botocore's ``throttling_base_scale``: the first retry of a throttled call waits up to 1 s."""
MAX_BACKOFF = 20.0
"""botocore's ``ExponentialBackoff._MAX_BACKOFF``."""
RETRY_QUOTA = 500
"""botocore's ``RetryQuota.INITIAL_CAPACITY``, per client (here: per environment)."""
THROTTLING_RETRY_COST = 5
NO_RETRY_INCREMENT = 1

WAKE, ATTEMPT, APPLY = 0, 1, 2


class Bucket:
    """SSM's GetParameter* quota for the account and region: ``rate`` a second, ``burst`` deep."""

    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Env:
    """One process: its client's retry quota, keys never fetched, and milestones.

    Attributes:
        settled_at: when a round of this environment first succeeded in full with every
            key loaded: the end of its start-up (or thaw) storm.
        reached_at: when it first held the changed parameter's new value.
    """

    __slots__ = ("missing", "quota", "reached_at", "settled_at")

    def __init__(self) -> None:
        self.quota = RETRY_QUOTA
        self.missing = 0
        self.settled_at = math.inf
        self.reached_at = math.inf


class Unit:
    """Keys scheduled together (one live store); ``size`` names a call."""

    __slots__ = ("busy", "env", "keys", "sentinel", "size", "wake_at")

    def __init__(
        self, env: Env, states: Iterable[KeyState], size: int, sentinel: str | None
    ) -> None:
        self.env = env
        self.keys = {s.key: s for s in states}
        self.size = size
        self.sentinel = sentinel
        self.busy: set[str] = set()
        self.wake_at = math.inf
        env.missing += sum(1 for s in self.keys.values() if s.stamp is None)


class Round:
    """The calls of one wake-up of one unit, all sent at ``sent_at``."""

    __slots__ = ("calls", "finish", "pending", "sent_at", "served", "unit")

    def __init__(self, unit: Unit, sent_at: float, calls: Sequence[tuple[str, ...]]) -> None:
        self.unit = unit
        self.sent_at = sent_at
        self.calls = calls
        self.served: list[float | None] = [None] * len(calls)
        self.pending = len(calls)
        self.finish = sent_at


@dataclass(frozen=True, slots=True)
class Change:
    """A parameter rewritten at ``at`` (with its sentinel bumped, if there is one)."""

    at: float
    key: str
    sentinel: str | None


class Fleet:
    """The event loop: per-unit wake-ups, request attempts and round ends, in time order."""

    def __init__(self, *, rate: float, burst: float, horizon: float, seed: int) -> None:
        self.bucket = Bucket(rate, burst)
        self.rng = random.Random(seed)
        self.horizon = horizon
        bins = int(horizon) + 2
        self.requests = [0] * bins
        self.throttled = [0] * bins
        self.envs: list[Env] = []
        self.change: Change | None = None
        self._heap: list[tuple[float, int, int, object, int, int]] = []
        self._seq = itertools.count()

    # -- building ----------------------------------------------------------------------

    def add(self, unit: Unit) -> None:
        """Put ``unit`` on the schedule (its environment must be in :attr:`envs`)."""
        self._schedule(unit, 0.0)

    def draws(self) -> Draws:
        """One round's draws, as :meth:`Refresher.draws` makes them."""
        return Draws.of(self.rng.random(), self.rng.random())

    def publish(self, change: Change) -> None:
        self.change = change

    def version(self, key: str, served_at: float) -> int:
        change = self.change
        if change is not None and served_at >= change.at and key in (change.key, change.sentinel):
            return 2
        return 1

    # -- running -----------------------------------------------------------------------

    def run(self) -> None:
        """Process every event before the horizon."""
        heap, pop, horizon = self._heap, heapq.heappop, self.horizon
        while heap and heap[0][0] < horizon:
            t, _, kind, obj, i, n = pop(heap)
            if kind == ATTEMPT:
                self._attempt(obj, i, n, t)  # type: ignore[arg-type]
            elif kind == WAKE:
                self._wake(obj, t)  # type: ignore[arg-type]
            else:
                self._apply(obj, t)  # type: ignore[arg-type]

    def _push(self, t: float, kind: int, obj: object, i: int = 0, n: int = 0) -> None:
        heapq.heappush(self._heap, (t, next(self._seq), kind, obj, i, n))

    def _schedule(self, unit: Unit, now: float) -> None:
        """Sleep until the earliest deadline of a key not in flight (``Refresher._pass``)."""
        busy = unit.busy
        waiting = [s.deadline for k, s in unit.keys.items() if k not in busy]
        if not waiting:
            return
        at = max(now, min(waiting))
        if at < unit.wake_at:
            unit.wake_at = at
            self._push(at, WAKE, unit)

    def _wake(self, unit: Unit, t: float) -> None:
        if unit.wake_at != t:
            return  # superseded by an earlier wake-up
        unit.wake_at = math.inf
        busy = unit.busy
        keys = [k for k in _schedule.due(unit.keys.values(), t) if k not in busy]
        if keys:
            busy.update(keys)
            rnd = Round(unit, t, batches(keys, unit.size))
            for i in range(len(rnd.calls)):
                self._attempt(rnd, i, 1, t)
        self._schedule(unit, t)

    def _attempt(self, rnd: Round, i: int, n: int, t: float) -> None:
        """Request ``n`` of call ``i``: served, retried by botocore, or failed."""
        second = int(t)
        self.requests[second] += 1
        env = rnd.unit.env
        if self.bucket.take(t):
            rnd.served[i] = t
            gain = THROTTLING_RETRY_COST if n > 1 else NO_RETRY_INCREMENT
            env.quota = min(RETRY_QUOTA, env.quota + gain)
            self._finish(rnd, t + LATENCY)
            return
        self.throttled[second] += 1
        if n < MAX_ATTEMPTS and env.quota >= THROTTLING_RETRY_COST:
            env.quota -= THROTTLING_RETRY_COST
            delay = self.rng.random() * min(THROTTLING_BASE * 2.0 ** (n - 1), MAX_BACKOFF)
            self._push(t + LATENCY + delay, ATTEMPT, rnd, i, n + 1)
        else:
            self._finish(rnd, t + LATENCY)

    def _finish(self, rnd: Round, at: float) -> None:
        rnd.finish = max(rnd.finish, at)
        rnd.pending -= 1
        if rnd.pending == 0:
            self._push(rnd.finish, APPLY, rnd)

    def _apply(self, rnd: Round, t: float) -> None:
        """The round's answers, as ``LiveStore._apply`` takes them: one draw for all.

        ``answered`` and ``failed`` never look at a state's key, so keys that were in the
        same state and got the same answer share one call and differ only by name.
        """
        unit, env, sent_at = rnd.unit, rnd.unit.env, rnd.sent_at
        keys, busy, draws = unit.keys, unit.busy, self.draws()
        change = self.change
        moved = False
        memo: dict[tuple[object, ...], KeyState] = {}
        for names, served in zip(rnd.calls, rnd.served, strict=True):
            for key in names:
                busy.discard(key)
                state = keys[key]
                if not _schedule.is_newer(state, sent_at):
                    continue
                version = None if served is None else self.version(key, served)
                shape = (*_REST(state), version)
                done = memo.get(shape)
                if done is None:
                    done = memo[shape] = _next(state, sent_at, t, draws, version)
                keys[key] = KeyState(key, *_REST(done))
                if version is None or version == state.stamp:
                    continue
                if state.stamp is None:
                    env.missing -= 1
                elif key == unit.sentinel:
                    moved = True
                if change is not None and key == change.key and version == 2:
                    env.reached_at = min(env.reached_at, t)
        if env.missing == 0 and env.settled_at == math.inf and None not in rnd.served:
            env.settled_at = t
        if moved:
            others = {k: s for k, s in keys.items() if k != unit.sentinel}
            keys.update(_schedule.make_due(others, t))
        self._schedule(unit, t)


_REST = operator.attrgetter(
    "ttl", "version", "stamp", "fetched_at", "deadline", "failures", "secure"
)
"""A state's fields after its key, in order."""


def _next(
    state: KeyState, sent_at: float, now: float, draws: Draws, version: int | None
) -> KeyState:
    """``state`` after the round: failed (no version), unchanged, or a new version."""
    if version is None:
        return _schedule.failed(state, now=now, draws=draws)
    if version == state.stamp:
        return _schedule.answered(state, sent_at=sent_at, draws=draws, keep_value=True)
    return _schedule.answered(state, sent_at=sent_at, draws=draws, version=version, stamp=version)


def warm(fleet: Fleet, names: Sequence[str], ttl: float, *, ahead: float = 0.0) -> list[KeyState]:
    """``names`` as last fetched together at a random time: a fleet that has been running.

    Their deadline falls uniformly between ``ahead`` seconds from now and one TTL: keys
    that a running process would have fetched early already (in a round they joined from
    within their jitter window) are not all left for the first round.
    """
    draws = fleet.draws()
    span = ttl * draws.factor
    sent = -span + ahead + fleet.rng.random() * max(0.0, span - ahead)
    return [
        _schedule.answered(KeyState(key=k, ttl=ttl), sent_at=sent, draws=draws, version=1, stamp=1)
        for k in names
    ]


def cold(names: Sequence[str], ttl: float, at: float = 0.0) -> list[KeyState]:
    """``names`` never fetched, all due at ``at``: a cold start (the load is one round)."""
    return [KeyState(key=k, ttl=ttl, deadline=at) for k in names]


def thawed(states: Iterable[KeyState], frozen: float) -> list[KeyState]:
    """``states`` after a freeze of ``frozen`` seconds ending at 0: older by that much."""
    return [
        KeyState(
            key=s.key,
            ttl=s.ttl,
            version=s.version,
            stamp=s.stamp,
            fetched_at=s.fetched_at - frozen,
            deadline=s.deadline - frozen,
        )
        for s in states
    ]


__all__ = ["Bucket", "Change", "Env", "Fleet", "Round", "Unit", "cold", "thawed", "warm"]
