"""Plan and write a set of parameters: what ``copy`` and ``import`` share.

A plan compares what should be at the destination with what is there: each name is
created, overwritten, left as it is (same value and type), or left untouched because it
differs and ``--overwrite`` was not given. Writes are paced below PutParameter's rate limit
(much lower than the read APIs'); throttling that still happens is retried by botocore.
A write that fails stops the run, and the error says which names were written and which not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from .._errors import FetchError, SSMConfigError
from . import _ssm
from ._ssm import Stored

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

Kind = Literal["create", "overwrite", "same", "differs"]

DEFAULT_RATE = 3.0
"""Writes per second: PutParameter's default quota is far below GetParameters'."""


@dataclass(frozen=True, slots=True)
class Action:
    """What the plan does with one destination name; ``wanted`` holds the value to write."""

    kind: Kind
    name: str
    wanted: Stored

    @property
    def writes(self) -> bool:
        return self.kind in ("create", "overwrite")


@dataclass(frozen=True, slots=True)
class Options:
    """How the writes are made.

    Attributes:
        key_id: the KMS key of every SecureString written (``None``: the default key).
        rate: writes per second at most.
    """

    key_id: str | None = None
    rate: float = DEFAULT_RATE


class WriteStoppedError(SSMConfigError):
    """A write failed: the run stopped there.

    Attributes:
        written: the names written before the failure, in order.
        unwritten: the names that were to be written and were not, the failed one first.
    """

    def __init__(self, error: FetchError, written: Sequence[str], unwritten: Sequence[str]):
        self.error = error
        self.written = tuple(written)
        self.unwritten = tuple(unwritten)
        super().__init__(
            f"stopped at {error}; {len(self.written)} written, {len(self.unwritten)} not "
            "written (each listed on standard output); run again to finish: what is already "
            "there is left as it is"
        )


def plan(
    wanted: Mapping[str, Stored], existing: Mapping[str, Stored], *, overwrite: bool
) -> tuple[Action, ...]:
    """One action per wanted name, in name order."""
    actions = []
    for name in sorted(wanted):
        item = wanted[name]
        current = existing.get(name)
        kind: Kind
        if current is None:
            kind = "create"
        elif _same(item, current):
            kind = "same"
        else:
            kind = "overwrite" if overwrite else "differs"
        actions.append(Action(kind, name, item))
    return tuple(actions)


def apply(
    client: SSMClient,
    actions: Sequence[Action],
    options: Options,
    *,
    pacer: Pacer | None = None,
    progress: Progress | None = None,
) -> Iterator[Action]:
    """Go through ``actions`` in order, writing those that write; yield each once done.

    A generator, so the caller reports each action as it happens.

    Raises:
        WriteStoppedError: a write failed (after botocore's retries); nothing after it was sent.
    """
    pending = [action.name for action in actions if action.writes]
    pacer = pacer or Pacer(options.rate)
    progress = progress or Progress(len(pending), "writing")
    written: list[str] = []
    try:
        for action in actions:
            if action.writes:
                progress.show(len(written))  # shown while pacing and writing
                pacer.wait()
                try:
                    _ssm.put(
                        client,
                        action.name,
                        action.wanted.value,
                        options=_put_options(action, options),
                    )
                except FetchError as exc:
                    raise WriteStoppedError(exc, written, pending[len(written) :]) from exc
                finally:
                    progress.clear()  # before the caller prints
                written.append(action.name)
            yield action
    finally:
        progress.clear()


def _put_options(action: Action, options: Options) -> dict[str, Any]:
    item = action.wanted
    put: dict[str, Any] = {"Type": item.type, "Overwrite": action.kind == "overwrite"}
    if item.type == "SecureString" and options.key_id is not None:
        put["KeyId"] = options.key_id
    optional = {"Description": item.description, "Tier": item.tier, "DataType": item.data_type}
    put.update({key: value for key, value in optional.items() if value is not None})
    return put


def _same(wanted: Stored, current: Stored) -> bool:
    if wanted.value != current.value or wanted.type != current.type:
        return False
    return wanted.description is None or wanted.description == current.description


class Pacer:
    """Spaces calls at least ``1 / rate`` seconds apart; the clock and sleep are injectable."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        """Return when the next call may go (at once for the first)."""
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval


class Progress:
    """``writing 12/200`` on one line of stderr, only when stderr is a terminal.

    The line is shown while a write is under way and erased before the command prints what
    it did, so the two never share a line of the terminal.
    """

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._on = total > 1 and _is_terminal(self._stream)
        self._total = total
        self._label = label
        self._shown = False

    def show(self, done: int) -> None:
        """Draw ``label done/total``."""
        if self._on:
            self._stream.write(f"\r{self._label} {done}/{self._total}")
            self._stream.flush()
            self._shown = True

    def clear(self) -> None:
        """Erase the line, so what follows starts on a clean one."""
        if self._shown:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._shown = False


def _is_terminal(stream: TextIO | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
