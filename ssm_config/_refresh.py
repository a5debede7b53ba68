"""The refresher: one daemon thread per process for every live settings instance.

It sleeps on an Event until the earliest deadline of any instance, gathers every key due
(within its jitter window) across instances into rounds, one per SSM client, and hands
the rounds to daemon workers, so a hung request never holds up the next deadline. A round
fetches each distinct name once (10 names a call, calls overlapped) and gives each
instance its answers; instances validate, swap and call back on their own, so one
instance's bad value never holds back another's.

Rounds in flight are indexed by (client, key): whoever else needs a key already being
fetched joins that round instead of sending a second request: the refresher after a
thaw, a handler's :func:`refresh_due`, a read under ``ssm_max_stale``.

::

    instances --register--> Refresher --due keys--> Round --fetch--> SSM
        ^                                              |
        +------------- apply: validate, swap, call back+
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import _fork, _schedule, _workers
from ._client import default_client, forget_connections
from ._errors import FetchError, StaleValueError
from ._fetch import Outcome, fetch
from ._schedule import Draws
from ._store import Changes, Clock, LiveStore

logger = logging.getLogger("ssm_config")

IDLE_WAIT = 3600.0
"""Seconds to sleep when there is nothing to refresh (a woken thread re-checks)."""
ERROR_WAIT = 5.0
"""Seconds to wait after an unexpected error before the loop tries again."""
STALE_WAIT = 30.0
"""At most this long a read under ``ssm_max_stale`` waits for its round."""
ROUNDS_PER_CALL = 2
"""Rounds one :meth:`Refresher.refresh_due` may start: the due keys, then any a sentinel
made due."""
THREAD_NAME = "ssm-config-refresh"


class Round:
    """One batch of requests to one client, and the instances waiting for its answers."""

    __slots__ = ("client", "done", "keys", "members", "open", "paths", "sent_at")

    def __init__(self, client: Any, sent_at: dict[Clock, float]) -> None:
        self.client = client
        self.sent_at = sent_at
        self.keys: dict[str, bool] = {}  # key -> is a path
        self.members: dict[int, tuple[LiveStore, set[str]]] = {}
        self.open = True
        self.done = threading.Event()

    def serves(self, store: LiveStore, key: str) -> bool:
        """Whether ``store`` gets this round's answer for ``key``."""
        member = self.members.get(id(store))
        return member is not None and key in member[1]

    def add(self, store: LiveStore, key: str) -> None:
        if not self.open:
            return
        self.keys.setdefault(key, store.is_path(key))
        self.members.setdefault(id(store), (store, set()))[1].add(key)
        if store.clock not in self.sent_at:
            self.sent_at[store.clock] = store.clock()


class Refresher:
    """Schedules every live store of the process; see the module docstring."""

    def __init__(self) -> None:
        self._init_state()
        self.rng = random.Random()

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._stores: dict[int, LiveStore] = {}
        self._inflight: dict[tuple[int, str], Round] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._passes = threading.Condition()
        self._requested = 0
        self._completed = 0

    # -- membership ------------------------------------------------------------------

    def add(self, store: LiveStore) -> None:
        """Keep ``store`` refreshed in the background until :meth:`remove`."""
        with self._lock:
            self._stores[id(store)] = store
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()
        self._wake.set()

    def remove(self, store: LiveStore) -> None:
        """Stop refreshing ``store`` in the background; never waits for a request."""
        with self._lock:
            self._stores.pop(id(store), None)
        self._wake.set()

    def has(self, store: LiveStore) -> bool:
        """Whether ``store`` is refreshed in the background."""
        return id(store) in self._stores

    @property
    def thread(self) -> threading.Thread | None:
        """The refresher thread, while there is one."""
        return self._thread

    def stores(self) -> list[LiveStore]:
        """The live stores refreshed in the background."""
        with self._lock:
            return list(self._stores.values())

    # -- rounds ------------------------------------------------------------------------

    def request(
        self, wants: Mapping[LiveStore, Iterable[str] | None] | None, *, join: bool = True
    ) -> tuple[list[Round], list[Round]]:
        """Rounds for ``wants``: (new rounds to execute, rounds in flight that were joined).

        A store mapped to None asks for its due keys, read under the same lock that a
        round's end takes: a round finishing meanwhile cannot be sent a second time.
        ``wants=None`` asks for the due keys of every store refreshed in the background,
        as registered at that moment, so keys due together go in one round.
        """
        new: dict[int, Round] = {}
        joined: dict[int, Round] = {}
        with self._lock:
            if wants is None:
                wants = dict.fromkeys(s for s in self._stores.values() if s.alive)
            clocks = {s.clock for s in wants}
            for store, asked in wants.items():
                keys = _schedule.due(store.keys.values(), store.clock()) if asked is None else asked
                for key in keys:
                    index = (id(store.client), key)
                    running = self._inflight.get(index) if join else None
                    if running is not None and (running.open or running.serves(store, key)):
                        running.add(store, key)  # closed: the answer is being applied already
                        joined[id(running)] = running
                        continue
                    rnd = new.get(id(store.client))
                    if rnd is None:
                        sent_at = {clock: clock() for clock in clocks}
                        rnd = new[id(store.client)] = Round(store.client, sent_at)
                    rnd.add(store, key)
                    self._inflight[index] = rnd
        return list(new.values()), list(joined.values())

    def execute(self, rnd: Round) -> dict[int, Changes]:
        """Send ``rnd``'s requests, then hand each member its answers.

        Returns each member's changes, keyed by ``id(store)``.
        """
        names = [k for k, is_path in rnd.keys.items() if not is_path]
        paths = [k for k, is_path in rnd.keys.items() if is_path]
        try:
            outcome = fetch(rnd.client, names, paths)
        except Exception as exc:  # our own bug: the round's keys fail and back off, not vanish
            logger.exception("a refresh round failed unexpectedly")
            failure = FetchError(f"the refresh failed unexpectedly: {type(exc).__name__}")
            outcome = Outcome({}, {}, dict.fromkeys(rnd.keys, failure), 0)
        with self._lock:
            rnd.open = False  # members are fixed from here; the round stays indexed until applied
        draws = self.draws()
        changes: dict[int, Changes] = {}
        try:
            for store, keys in rnd.members.values():
                changes[id(store)] = _apply(store, keys, outcome, rnd.sent_at[store.clock], draws)
        finally:
            with self._lock:
                for key in rnd.keys:
                    index = (id(rnd.client), key)
                    if self._inflight.get(index) is rnd:
                        del self._inflight[index]
            rnd.done.set()
        # The loop planned its sleep without this round's keys (in flight then): it plans
        # again with their new deadlines, or at once if a sentinel moved made keys due.
        self._wake.set()
        return changes

    def refresh(self, store: LiveStore, keys: Iterable[str] | None = None) -> Changes:
        """Fetch ``keys`` (default: all) of ``store`` now on this thread; return changes.

        Never joins a round in flight: that one may have been sent before the change the
        caller wants to see.
        """
        wanted = list(store.keys) if keys is None else [k for k in keys if k in store.keys]
        changes: Changes = {}
        for rnd in self.request({store: wanted}, join=False)[0]:
            changes.update(self.execute(rnd).get(id(store), {}))
        return changes

    def refresh_due(self, stores: Sequence[LiveStore], timeout: float) -> bool:
        """Refresh the due keys of ``stores``, waiting at most ``timeout`` seconds in all.

        Returns True when every key of every store is within its TTL afterwards.
        """
        if not any(_needs_a_look(store) for store in stores):
            return True  # the common case: one clock read per store, no allocation
        give_up = time.monotonic() + max(0.0, timeout)
        for _ in range(ROUNDS_PER_CALL):  # a sentinel that moved makes its keys due at once
            wants: dict[LiveStore, Iterable[str] | None] = dict.fromkeys(
                store for store in stores if _needs_a_look(store)
            )
            if not wants:
                break
            new, joined = self.request(wants)
            if not new and not joined:
                break
            for rnd in new:
                _workers.submit(lambda rnd=rnd: self.execute(rnd))  # type: ignore[misc]
            for rnd in (*new, *joined):
                rnd.done.wait(max(0.0, give_up - time.monotonic()))
            if time.monotonic() >= give_up:
                break
        return all(store.fresh(store.clock()) for store in stores)

    def ensure_fresh(self, store: LiveStore, field: str, max_stale: float) -> None:
        """Block until ``field``'s value is at most ``max_stale`` seconds old, or raise.

        A key still backing off from a failure fails at once: waiting would only add
        requests to a throttled account.
        """
        key = store.key_of_field(field)
        if key is None:
            return
        now = store.clock()
        state = store.keys[key]
        if now - state.fetched_at <= max_stale:
            return
        if not _schedule.backing_off(state, now):
            new, joined = self.request({store: [key]})
            for rnd in new:
                self.execute(rnd)
            for rnd in joined:
                rnd.done.wait(STALE_WAIT)
        if store.clock() - store.keys[key].fetched_at > max_stale:
            raise StaleValueError(
                f"{key} (field {field!r}) is older than ssm_max_stale={max_stale:g}s "
                "and could not be refreshed"
            )

    # -- the loop --------------------------------------------------------------------

    def wake(self) -> int:
        """Ask for a pass over the deadlines now; return the pass number to wait for."""
        with self._passes:
            self._requested += 1
            wanted = self._requested
        self._wake.set()
        return wanted

    def wait_for_pass(self, wanted: int, timeout: float | None = None) -> bool:
        """Wait until pass ``wanted`` (from :meth:`wake`) has finished; False on timeout."""
        with self._passes:
            return self._passes.wait_for(
                lambda: self._completed >= wanted or self._thread is None, timeout
            )

    def inflight(self, store: LiveStore) -> list[Round]:
        """Rounds in flight that ``store`` takes part in."""
        with self._lock:
            rounds = {id(r): r for r in self._inflight.values() if id(store) in r.members}
        return list(rounds.values())

    def _run(self) -> None:
        while True:
            self._wake.clear()  # before reading the request count, so no wake is lost
            with self._passes:
                starting = self._requested
            with self._lock:
                stores = [s for s in self._stores.values() if s.alive]
                self._stores = {id(s): s for s in stores}
                if not stores:
                    self._thread = None
                    break
            try:
                delay = self._pass()
            except Exception:  # the refresher's edge: log, keep serving the last good values
                logger.exception("the refresher failed unexpectedly")
                delay = ERROR_WAIT
            with self._passes:
                self._completed = starting
                self._passes.notify_all()
            # Capped: a huge TTL must not overflow the wait (threading.TIMEOUT_MAX).
            self._wake.wait(min(delay, IDLE_WAIT))
        with self._passes:
            self._passes.notify_all()

    def _pass(self) -> float:
        """Start rounds for every due key; return seconds until the next deadline."""
        for rnd in self.request(None)[0]:
            _workers.submit(lambda rnd=rnd: self.execute(rnd))  # type: ignore[misc]
        delay = IDLE_WAIT
        with self._lock:
            busy = set(self._inflight)
            stores = [s for s in self._stores.values() if s.alive]
        for store in stores:
            waiting = [
                s.deadline for k, s in store.keys.items() if (id(store.client), k) not in busy
            ]
            if waiting:
                delay = min(delay, max(0.0, min(waiting) - store.clock()))
        return delay

    # -- fork and restore ----------------------------------------------------------------

    def draws(self) -> Draws:
        """The jitter of one round (or load), from this process's own random source."""
        return Draws.of(self.rng.random(), self.rng.random())

    def reseed(self) -> None:
        """A new jitter source: copies of one process must not refresh in lock-step."""
        self.rng = random.Random()

    def renew_clients(self, stores: Iterable[LiveStore]) -> None:
        """Pooled sockets dropped; ssm_config's own clients built anew (credentials too)."""
        for store in stores:
            if store.own_client:
                store.client = default_client()
            else:
                forget_connections(store.client)

    def after_fork_in_child(self) -> None:
        """A forked child has none of the parent's threads: start over with the same stores."""
        stores = [s for s in self._stores.values() if s.alive]
        self._init_state()
        self.reseed()
        for store in stores:
            store.init_locks()
        self.renew_clients(stores)
        for store in stores:
            self.add(store)


def _needs_a_look(store: LiveStore) -> bool:
    """A key of ``store`` may be due or stale: past the earliest deadline, or failing.

    Within every deadline and with no failure, every key is younger than its TTL (a
    deadline is at most one TTL after its request), so there is nothing to do.
    """
    earliest = store.earliest
    return earliest is not None and (store.failing or store.clock() >= earliest)


def _apply(
    store: LiveStore, keys: set[str], outcome: Outcome, sent_at: float, draws: Draws
) -> Changes:
    try:
        return store.apply(keys, outcome, sent_at=sent_at, draws=draws)
    except Exception:  # the refresher's edge: one store's bug, the others go on
        logger.exception("applying a refresh failed unexpectedly")
        return {}


REFRESHER = Refresher()
_fork.on_child(REFRESHER.after_fork_in_child)

__all__ = ["REFRESHER", "Refresher", "Round"]
