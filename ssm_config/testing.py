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

from ._adhoc import clear_cache
from ._errors import SSMConfigError
from ._offline import offline
from ._settings import SSMSettings

__all__ = ["FakeClock", "clear_cache", "offline", "refresh_due"]


class FakeClock:
    """A hand-cranked monotonic clock: time moves only when :meth:`advance` is called."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        with self._lock:
            self._now += seconds


def refresh_due(config: SSMSettings, timeout: float = 10.0) -> None:
    """Make ``config``'s refresher pass over its deadlines now, and wait until it has.

    With ``ssm_refresh="off"`` (no thread) the due keys are refreshed on this thread.

    Raises:
        SSMConfigError: the refresher did not finish a pass within ``timeout`` seconds.
    """
    live = config._ssm_live
    if live is None:
        return
    if live.refresher is None or live.refresher.closed:
        live.store.refresh_due()
        return
    wanted = live.refresher.wake()
    if not live.refresher.wait_for_pass(wanted, timeout):
        raise SSMConfigError(f"the refresher did not finish a pass in {timeout:g}s")
