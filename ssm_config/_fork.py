"""The single at-fork hook: a forked child gets fresh clients, locks and refreshers.

A child of ``os.fork()`` has only the thread that forked, and sharing the parent's sockets
would interleave two processes' requests on one connection.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable

_hooks: weakref.WeakSet[ForkAware] = weakref.WeakSet()
_lock = threading.Lock()


class ForkAware:
    """Anything that must be rebuilt in a child registers itself here."""

    def after_fork_in_child(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def register(obj: ForkAware) -> None:
    """Call ``obj.after_fork_in_child()`` in every child forked from now on."""
    with _lock:
        _hooks.add(obj)


_child_callbacks: list[Callable[[], None]] = []


def on_child(callback: Callable[[], None]) -> None:
    """Run ``callback`` first in every forked child (module-level state resets)."""
    _child_callbacks.append(callback)


def _after_in_child() -> None:
    global _lock  # noqa: PLW0603 - the parent's lock may have been held at fork
    _lock = threading.Lock()
    for callback in _child_callbacks:
        callback()
    for obj in list(_hooks):
        obj.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_in_child)
