"""The single at-fork hook: a forked child gets fresh clients, workers and a refresher.

A child of ``os.fork()`` has only the thread that forked, and sharing the parent's sockets
would interleave two processes' requests on one connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable

_child_callbacks: list[Callable[[], None]] = []


def on_child(callback: Callable[[], None]) -> None:
    """Run ``callback`` in every forked child, in the order registered (clients first)."""
    _child_callbacks.append(callback)


def _after_in_child() -> None:
    for callback in _child_callbacks:
        callback()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_in_child)
