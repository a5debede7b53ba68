"""A few daemon threads that overlap SSM calls, and never hold up an exit.

``concurrent.futures`` would do the job but not the lifecycle: its workers are joined at
interpreter exit (a hung request then holds Ctrl-C and ``sys.exit`` for a read timeout or
longer), and it refuses new work once shutdown has begun, which stops every refresh of a
process whose main thread has returned while other threads keep it alive. These workers
are daemons, outlive nothing, and are made anew in a forked child.

A job waited for by :func:`run_all` is run by the waiting thread itself if no worker has
picked it up yet, so waiting can never deadlock on a busy pool.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from . import _fork

logger = logging.getLogger("ssm_config")

MAX_WORKERS = 8
"""Overlapped calls at once: enough to hide round trips, few enough not to self-throttle."""
IDLE_EXIT = 60.0
"""Seconds an idle worker waits for work before its thread ends."""


class Job:
    """One unit of work, run exactly once, by a worker or by the thread waiting for it."""

    __slots__ = ("_claim", "_fn", "done")

    def __init__(self, fn: Callable[[], object]) -> None:
        self._fn = fn
        self._claim = threading.Lock()
        self.done = threading.Event()

    def run(self) -> bool:
        """Run the job unless another thread has claimed it; True if this thread ran it."""
        if not self._claim.acquire(blocking=False):
            return False
        try:
            self._fn()
        except Exception:  # a job reports its own outcome; this only keeps the worker alive
            logger.exception("a background job failed unexpectedly")
        finally:
            self.done.set()
        return True


class _Pool:
    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._queued = 0
        self._threads = 0

    def submit(self, fn: Callable[[], object]) -> Job:
        job = Job(fn)
        with self._lock:
            self._jobs.put(job)
            self._queued += 1
            if self._queued > self._idle and self._threads < MAX_WORKERS:
                self._threads += 1
                name = f"ssm-config-fetch-{self._threads}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
        return job

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            try:
                job = self._jobs.get(timeout=IDLE_EXIT)
            except queue.Empty:
                with self._lock:
                    self._idle -= 1
                    if self._queued == 0:
                        self._threads -= 1
                        return
                continue
            with self._lock:
                self._idle -= 1
                self._queued -= 1
            job.run()


_pool = _Pool()


def submit(fn: Callable[[], object]) -> Job:
    """Run ``fn`` on a daemon worker thread."""
    return _pool.submit(fn)


def run_all(fns: Sequence[Callable[[], object]]) -> None:
    """Run every function, overlapped, and return when all have finished.

    The first runs on this thread; a single function starts no thread at all.
    """
    if not fns:
        return
    jobs = [submit(fn) for fn in fns[1:]]
    Job(fns[0]).run()
    for job in jobs:
        if not job.run():
            job.done.wait()


def _reset_in_child() -> None:
    global _pool  # noqa: PLW0603 - a forked child has none of the parent's threads
    _pool = _Pool()


_fork.on_child(_reset_in_child)
