"""How the demo shows things: timestamped lines, masked secrets, captured warnings."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

MASK = "**********"

Write = Callable[[str], None]


def mask_secret(secret: str) -> str:
    """A secret as the demo may print it: a URL keeps its scheme and host, nothing else does.

    ``mongodb://user:pass@db-1:27017/orders?x=y`` -> ``mongodb://***@db-1:27017/orders``.
    """
    with contextlib.suppress(ValueError):
        parts = urlsplit(secret)
        if parts.scheme and "@" in parts.netloc:
            host = parts.netloc.rsplit("@", 1)[1]
            return f"{parts.scheme}://***@{host}{parts.path}"
    return MASK


def shown(value: Any) -> str:
    """A settings value as one printable line; secrets masked."""
    if isinstance(value, SecretStr):
        return mask_secret(value.get_secret_value())
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


class Output:
    """Prints ``[  1.2s] text`` lines, one at a time, from any thread.

    Args:
        write: where a finished line goes (default: ``print``, flushed).
        clock: monotonic seconds; the first reading is time zero.
    """

    def __init__(self, write: Write | None = None, clock: Callable[[], float] = time.monotonic):
        self._write = write or _print
        self._clock = clock
        self._start = clock()
        self._lock = threading.Lock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def line(self, text: str, *more: str) -> None:
        """One timestamped line, then ``more`` lines indented under it."""
        stamp = f"[{self.elapsed:5.1f}s] "
        with self._lock:
            self._write(stamp + text)
            for extra in more:
                self._write(" " * len(stamp) + extra)

    def plain(self, text: str = "") -> None:
        with self._lock:
            self._write(text)


def _print(text: str) -> None:
    print(text, flush=True)


_RETRY_DETAILS = re.compile(r" \(\d+ in a row\)|retrying in [\d.]+s: ")


class _Forward(logging.Handler):
    """Hands each distinct warning to a callback (a retry of the same failure is not new)."""

    def __init__(self, callback: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self._callback = callback
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().removeprefix("ssm_config: ")
        key = _RETRY_DETAILS.sub("", message)
        if key in self._seen:
            return
        self._seen.add(key)
        self._callback(message)


@contextlib.contextmanager
def capture_warnings(callback: Callable[[str], None]) -> Iterator[None]:
    """Within this block, ``ssm_config`` warnings go to ``callback`` instead of stderr."""
    logger = logging.getLogger("ssm_config")
    handler = _Forward(callback)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
