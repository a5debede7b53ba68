"""The scheduling rules, turned by hand: numbers in, key states out; no SSM, no thread."""

from __future__ import annotations

import pytest

from ssm_config._schedule import (
    BACKOFF_CAP,
    Draws,
    KeyState,
    answered,
    backing_off,
    backoff_delay,
    due,
    failed,
    is_newer,
    make_due,
    next_deadline,
)


def _key(name: str, deadline: float, ttl: float = 100.0, failures: int = 0) -> KeyState:
    return KeyState(key=name, ttl=ttl, deadline=deadline, failures=failures)


def test_nothing_is_due_before_the_first_deadline() -> None:
    """Keys inside their jitter window wait until some key is actually past its deadline."""
    states = [_key("a", 100.0), _key("b", 103.0)]
    assert due(states, 99.9) == []


def test_a_due_key_takes_along_keys_within_their_jitter_window() -> None:
    """Once one key is due, keys due within 5% of their TTL join its round; later ones wait."""
    states = [_key("a", 100.0), _key("b", 104.0), _key("c", 106.0)]
    assert due(states, 100.0) == ["a", "b"]


def test_deadline_counts_from_when_the_request_was_sent() -> None:
    """An answer read long after its request (a thaw) is aged, and due, from the send time."""
    state = answered(_key("a", 0.0, ttl=10.0), sent_at=50.0, draws=Draws(), version=2, stamp=2)
    assert (state.fetched_at, state.deadline, state.version) == (50.0, 60.0, 2)
    assert due([state], 60.0) == ["a"]


def test_draws_keep_deadlines_within_five_percent() -> None:
    """The factor spans [0.95, 1.0], the backoff fraction [0.5, 1.0]."""
    assert Draws.of(0.0, 0.0) == Draws(factor=1.0, backoff=0.5)
    low = Draws.of(0.999999, 0.999999)
    assert low.factor == pytest.approx(0.95)
    assert low.backoff == pytest.approx(1.0)


def test_keeping_a_value_moves_only_its_age_and_deadline() -> None:
    """An unchanged answer keeps version and stamp, and clears the failure count."""
    before = KeyState(key="a", ttl=10.0, version=3, stamp=(3, None), failures=2)
    after = answered(before, sent_at=5.0, draws=Draws(factor=0.95), keep_value=True)
    assert (after.version, after.stamp, after.failures) == (3, (3, None), 0)
    assert after.deadline == pytest.approx(14.5)


def test_backoff_doubles_then_caps() -> None:
    """1, 2, 4 ... seconds times the round's draw, never past the cap."""
    full = Draws(backoff=1.0)
    assert [backoff_delay(n, full) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff_delay(40, full) == BACKOFF_CAP
    assert backoff_delay(3, Draws(backoff=0.5)) == 2.0


def test_keys_failing_in_one_round_retry_together() -> None:
    """Same failure count, same round: the same retry time, so they rejoin one round."""
    draws = Draws(backoff=0.73)
    a = failed(_key("a", 0.0, failures=2), now=10.0, draws=draws)
    b = failed(_key("b", 0.0, failures=2), now=10.0, draws=draws)
    assert a.deadline == b.deadline
    assert a.failures == 3
    assert backing_off(a, 10.5)
    assert not backing_off(a, a.deadline)


def test_make_due_never_postpones() -> None:
    """A sentinel change or a restore makes keys due now, and leaves earlier ones alone."""
    states = {"a": _key("a", 500.0), "b": _key("b", 5.0)}
    moved = make_due(states, 10.0)
    assert (moved["a"].deadline, moved["b"].deadline) == (10.0, 5.0)


def test_an_older_answer_is_not_newer() -> None:
    """A round sent before the current value's request is late: it must not overwrite it."""
    state = KeyState(key="a", ttl=1.0, fetched_at=20.0)
    assert is_newer(state, 20.0)
    assert not is_newer(state, 19.0)


def test_next_deadline_is_the_earliest() -> None:
    """The refresher sleeps until the earliest deadline; with no keys, no deadline."""
    assert next_deadline([_key("a", 7.0), _key("b", 3.0)]) == 3.0
    assert next_deadline([]) is None
