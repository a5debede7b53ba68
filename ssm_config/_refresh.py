"""The refresher: one named daemon thread per live settings instance.

It sleeps on an Event until the earliest key deadline, refreshes what is due in one
batched round, and goes back to sleep. After a Lambda thaw the wait has already timed
out, so overdue keys refresh at once while the handler reads the last good values.
"""

from __future__ import annotations

import logging
import threading

from ._store import LiveStore

logger = logging.getLogger("ssm_config")

IDLE_WAIT = 3600.0
"""Seconds to sleep when there is nothing to refresh (a woken thread re-checks)."""
ERROR_WAIT = 5.0
"""Seconds to wait after an unexpected error before the loop tries again."""


class Refresher:
    """Runs :meth:`LiveStore.refresh_due` on a background thread until closed.

    Each :meth:`wake` asks for a new pass; :meth:`wait_for_pass` returns once a pass that
    started after that request has finished, so tests can turn a fake clock and then
    observe the refresher's reaction without sleeping.
    """

    def __init__(self, store: LiveStore, name: str) -> None:
        self.store = store
        self.name = name
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._init_sync()

    def _init_sync(self) -> None:
        self._wake = threading.Event()
        self._passes = threading.Condition()
        self._requested = 0
        self._completed = 0

    def start(self) -> None:
        if self._closed.is_set():
            return
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

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
                lambda: self._completed >= wanted or not self.running, timeout
            )

    def close(self, timeout: float | None = 10.0) -> None:
        """Stop the thread and wait for it; idempotent, safe from any thread."""
        self._closed.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and thread.is_alive():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._closed.is_set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def restart_in_child(self) -> None:
        """In a forked child: the parent's thread does not exist here; start our own."""
        was_running = self._thread is not None and not self._closed.is_set()
        self._init_sync()
        self._thread = None
        if was_running:
            self.start()

    def _run(self) -> None:
        while not self._closed.is_set() and self.store.alive:
            self._wake.clear()  # before reading the request count, so no wake is lost
            with self._passes:
                starting = self._requested
            try:
                delay = self.store.refresh_due()
            except Exception:  # the refresher's edge: log, keep serving the last good values
                logger.exception("ssm_config: refresher %s failed unexpectedly", self.name)
                delay = ERROR_WAIT
            with self._passes:
                self._completed = starting
                self._passes.notify_all()
            if self._closed.is_set():
                break
            # Capped: a huge TTL must not overflow the wait (threading.TIMEOUT_MAX).
            self._wake.wait(IDLE_WAIT if delay is None else min(delay, IDLE_WAIT))
        with self._passes:
            self._passes.notify_all()
