"""When each key is due: pure functions over frozen key states.

Nothing here reads a clock, draws a random number or touches SSM: callers pass ``now`` (in
their clock's domain) and the round's draws, so the rules below are unit-tested by turning
numbers, and the fleet simulation in ``benchmarks/`` drives this very code.

- A value's age and its next deadline count from when its request was *sent*: an answer
  read after a Lambda thaw describes the store as it was before the freeze.
- A deadline falls ``ttl * factor`` after the request, ``factor`` in ``[1 - JITTER, 1]``
  drawn once per round: processes started together drift apart, while keys fetched together
  stay together.
- A round takes every key past its deadline and, when there is one, every key due within
  ``JITTER * ttl``, so near-due keys share its calls.
- A failure backs off exponentially (capped); the jitter of the backoff is drawn once per
  round too, so keys that fail together retry together and rejoin one round afterwards.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace

JITTER = 0.05
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0


@dataclass(frozen=True, slots=True)
class KeyState:
    """What a store knows of one SSM name or path.

    Attributes:
        key: the name (with selector) or path as requested.
        ttl: seconds a value lives (the shortest TTL of the fields it feeds).
        version: SSM's version (for a path, every (name, version) under it); None if absent.
        stamp: what identifies the value: version and modification time (a parameter
            deleted and created again starts over at version 1).
        fetched_at: clock time the request that produced the current value was sent.
        deadline: clock time the key is next due.
        failures: refreshes in a row that did not produce a good value.
        secure: the value came from a SecureString.
    """

    key: str
    ttl: float
    version: Hashable = None
    stamp: Hashable = None
    fetched_at: float = 0.0
    deadline: float = 0.0
    failures: int = 0
    secure: bool = False


@dataclass(frozen=True, slots=True)
class Draws:
    """The random draws of one round, shared by every key in it.

    Attributes:
        factor: the fraction of a TTL after which a key answered in this round is due.
        backoff: the fraction of the backoff delay after which a failed key is retried.
    """

    factor: float = 1.0
    backoff: float = 1.0

    @classmethod
    def of(cls, uniform: float, uniform_backoff: float) -> Draws:
        """Draws from two uniform samples in ``[0, 1)``."""
        return cls(factor=1.0 - JITTER * uniform, backoff=0.5 + 0.5 * uniform_backoff)


def due(states: Iterable[KeyState], now: float) -> list[str]:
    """Keys past their deadline and, if any are, those due within their jitter window."""
    states = list(states)
    if not any(s.deadline <= now for s in states):
        return []
    return [s.key for s in states if s.deadline <= now + JITTER * s.ttl]


def next_deadline(states: Iterable[KeyState]) -> float | None:
    """The earliest deadline, or None when there are no keys."""
    return min((s.deadline for s in states), default=None)


def answered(
    state: KeyState,
    *,
    sent_at: float,
    draws: Draws,
    version: Hashable = None,
    stamp: Hashable = None,
    secure: bool | None = None,
    keep_value: bool = False,
) -> KeyState:
    """``state`` after a good answer to a request sent at ``sent_at``.

    With ``keep_value`` the answer held the value already known (or, for an optional
    parameter, still no value): only the age and the deadline move.
    """
    deadline = sent_at + state.ttl * draws.factor
    if keep_value:
        return replace(state, fetched_at=sent_at, deadline=deadline, failures=0)
    return replace(
        state,
        version=version,
        stamp=stamp,
        fetched_at=sent_at,
        deadline=deadline,
        failures=0,
        secure=state.secure if secure is None else secure,
    )


def backoff_delay(failures: int, draws: Draws) -> float:
    """Seconds before the next try after ``failures`` failures in a row."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (failures - 1)) * draws.backoff


def failed(state: KeyState, *, now: float, draws: Draws) -> KeyState:
    """``state`` after a refresh that produced no good value: retry after a backoff."""
    failures = state.failures + 1
    return replace(state, deadline=now + backoff_delay(failures, draws), failures=failures)


def backing_off(state: KeyState, now: float) -> bool:
    """The last attempt failed and its retry is not due yet."""
    return state.failures > 0 and state.deadline > now


def make_due(states: Mapping[str, KeyState], now: float) -> dict[str, KeyState]:
    """Every key due at ``now`` (after a sentinel change, or a SnapStart restore)."""
    return {k: replace(s, deadline=min(s.deadline, now)) for k, s in states.items()}


def is_newer(state: KeyState, sent_at: float) -> bool:
    """An answer to a request sent at ``sent_at`` is no older than what ``state`` holds."""
    return sent_at >= state.fetched_at


__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "JITTER",
    "Draws",
    "KeyState",
    "answered",
    "backing_off",
    "backoff_delay",
    "due",
    "failed",
    "is_newer",
    "make_due",
    "next_deadline",
]
