"""Lambda SnapStart: a restored function serves values fetched after the restore.

A SnapStart function is initialised once, snapshotted, and restored (possibly many
times, hours later) from that snapshot: every copy would otherwise serve the values of
the snapshot, draw the same jitter, and send its first request down a snapshotted
socket that no longer exists. Where the runtime ships ``snapshot_restore_py`` (the
Lambda Python 3.12+ runtimes do), the first live instance registers two hooks with it:

- before the snapshot: pooled connections are closed;
- after a restore: the jitter is reseeded, clients are rebuilt (credentials change on
  restore) or their pools dropped, every key is due, and one round refreshes them all
  within :data:`RESTORE_TIMEOUT` (restore hooks share a 10 s limit); what SSM has not
  answered by then is left to the background refresher and the last good value.

Without the package nothing is registered and nothing changes.
"""

from __future__ import annotations

import importlib.util
import logging
import threading

from ._client import forget_connections, reset_default_clients
from ._refresh import REFRESHER

logger = logging.getLogger("ssm_config")

RESTORE_TIMEOUT = 2.0
"""Seconds the after-restore hook waits for SSM before leaving the rest to the background."""

_lock = threading.Lock()
_registered = False


def register() -> bool:
    """Register the hooks once per process, if the runtime has ``snapshot_restore_py``.

    Returns:
        Whether the hooks are registered.
    """
    global _registered  # noqa: PLW0603 - once per process
    with _lock:
        if _registered:
            return True
        if importlib.util.find_spec("snapshot_restore_py") is None:
            return False
        import snapshot_restore_py  # noqa: PLC0415 - only where the runtime ships it

        snapshot_restore_py.register_before_snapshot(before_snapshot)
        snapshot_restore_py.register_after_restore(after_restore)
        _registered = True
        return True


def before_snapshot() -> None:
    """Close pooled connections: a snapshotted socket is dead in every restored copy."""
    for store in REFRESHER.stores():
        forget_connections(store.client)


def after_restore() -> None:
    """Start over as a new process would, then refresh everything under a short bound."""
    REFRESHER.reseed()
    reset_default_clients()
    stores = REFRESHER.stores()
    REFRESHER.renew_clients(stores)
    for store in stores:
        store.make_all_due(store.clock())
    fresh = REFRESHER.refresh_due(stores, RESTORE_TIMEOUT)
    if not fresh:
        logger.warning(
            "after the SnapStart restore not every value could be refreshed within %gs; "
            "the background refresher goes on with the last good values",
            RESTORE_TIMEOUT,
        )
    REFRESHER.wake()


__all__ = ["RESTORE_TIMEOUT", "after_restore", "before_snapshot", "register"]
