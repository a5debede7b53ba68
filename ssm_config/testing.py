"""Helpers for testing code that uses ssm_config.

Most tests need none of this: init arguments and environment variables override SSM, and
a settings class whose every field is supplied makes no AWS call. These helpers are for
tests of the live behaviour itself::

    clock = FakeClock()
    config = MyConfig(_ssm_client=moto_client, _ssm_clock=clock)
    clock.advance(61)
    refresh_due(config)          # the background refresher has now run its pass
"""

from __future__ import annotations

import threading
import time

from ._adhoc import clear_cache
from ._errors import SSMConfigError
from ._offline import offline
from ._refresh import REFRESHER
from ._schedule import due
from ._settings import SSMSettings

__all__ = ["FakeClock", "clear_cache", "offline", "refresh_due"]


class FakeClock:
    """A hand-cranked monotonic clock: time moves only when :meth:`advance` is called."""

    def __init__(self, start: float = 1000.0) -> None:
        """Start at ``start`` seconds (any value: only differences count)."""
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The current time, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``; a monotonic clock never goes back."""
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        with self._lock:
            self._now += seconds


def refresh_due(config: SSMSettings, timeout: float = 10.0) -> None:
    """Make the refresher pass over its deadlines now, and wait until ``config``'s rounds end.

    With ``ssm_refresh="off"`` or after ``ssm_close()`` (not refreshed in the background)
    the due keys are refreshed on this thread.

    Raises:
        SSMConfigError: the refresher did not finish within ``timeout`` seconds.
    """
    live = config._ssm_live
    if live is None:
        return
    store = live.store
    if not REFRESHER.has(store):
        REFRESHER.refresh_due([store], timeout)
        return
    give_up = time.monotonic() + timeout
    for _ in range(_PASSES):  # a sentinel that moved makes the class's keys due: one more
        wanted = REFRESHER.wake()
        finished = REFRESHER.wait_for_pass(wanted, max(0.0, give_up - time.monotonic()))
        for rnd in REFRESHER.inflight(store):
            finished = rnd.done.wait(max(0.0, give_up - time.monotonic())) and finished
        if not finished:
            raise SSMConfigError(f"the refresher did not finish a pass in {timeout:g}s")
        if not due(store.keys.values(), store.clock()):
            return


_PASSES = 2
