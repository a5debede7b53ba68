"""The live store behind one settings instance.

Readers read plain attributes: the instance ``__dict__`` *is* the current snapshot, and a
refresh replaces it whole with one pointer assignment, so a reader never takes a lock and
never sees half of a swap. Everything here that looks at a clock runs on the refresher's
side; per-key deadlines come from an injected clock and carry a few percent of jitter.
"""

from __future__ import annotations

import logging
import random
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from ._convert import ConversionError, convert, convert_path
from ._errors import ParameterNotFoundError, StaleValueError
from ._fetch import Fetched, Outcome, fetch
from ._plan import ParamSpec, Plan

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

logger = logging.getLogger("ssm_config")

JITTER = 0.05
"""A deadline falls in ``[ttl * (1 - JITTER), ttl]`` after a fetch, the factor drawn once per
round: processes started together drift apart, while keys fetched together stay together.
A round also takes keys due within ``JITTER * ttl``, so near-due keys share its calls."""
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0

Clock = Callable[[], float]
Changes = dict[str, tuple[Any, Any]]
Callback = Callable[[Changes], object]


@dataclass(frozen=True, slots=True)
class KeyState:
    """What the store knows of one SSM name or path.

    Attributes:
        key: the name (with selector) or path as requested.
        version: SSM's version (for a path, every (name, version) under it); None if absent.
        stamp: what identifies the value: version and modification time (a parameter
            deleted and created again starts over at version 1).
        fetched_at: clock time of the last answer from SSM for this key.
        deadline: clock time the key is next due.
        failures: refreshes in a row that did not produce a good value.
        secure: the value came from a SecureString.
    """

    key: str
    version: Hashable
    stamp: Hashable
    fetched_at: float
    deadline: float
    failures: int = 0
    secure: bool = False


@dataclass(frozen=True, slots=True)
class FieldStats:
    """One row of :meth:`SSMSettings.ssm_stats`."""

    field: str
    ssm_name: str
    version: Hashable
    age: float
    failures: int


def validate_input(cls: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``data`` as ``cls`` without running any settings source; return its fields."""
    model = cls.__new__(cls)
    BaseModel.__init__(model, **data)
    return dict(model.__dict__)


class LiveStore:
    """Keys, deadlines and the current snapshot of one settings instance.

    Args:
        target: the settings instance whose ``__dict__`` is swapped.
        plan: the class's plan.
        specs: the specs this instance reads from SSM (fields not supplied otherwise).
        raw: the validation input of every field, as the settings sources produced it.
        input_keys: field name -> key of that field in ``raw`` (its alias, if any).
        outcome: the load's fetch outcome.
        client: SSM client for refreshes.
        clock: monotonic seconds.
        rng: jitter source.
    """

    def __init__(
        self,
        target: BaseModel,
        *,
        plan: Plan,
        specs: Sequence[ParamSpec],
        raw: Mapping[str, Any],
        input_keys: Mapping[str, str],
        outcome: Outcome,
        client: SSMClient,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self._target_cls = type(target)
        self._target = weakref.ref(target)
        self.on_swap: Callable[[Any, frozenset[str]], None] | None = None
        """Called with (target, secure field names) after a swap; must not hold the target."""
        self.plan = plan
        self.specs = tuple(specs)
        self.client = client
        self.clock = clock
        self.rng = rng or random.Random()
        self._raw = dict(raw)
        self._input_keys = dict(input_keys)
        self._by_key: dict[str, tuple[ParamSpec, ...]] = {}
        for spec in self.specs:
            self._by_key[spec.name] = (*self._by_key.get(spec.name, ()), spec)
        self.calls = outcome.calls
        self._callbacks: list[tuple[Callback, frozenset[str] | None]] = []
        self.init_locks()
        now = clock()
        self._factor = self._draw()
        self.keys: dict[str, KeyState] = {
            key: KeyState(
                key=key,
                version=_version_of(key, outcome),
                stamp=_stamp_of(key, outcome),
                fetched_at=now,
                deadline=self._deadline(key, now),
                secure=is_secure(key, outcome),
            )
            for key in self._by_key
        }

    def init_locks(self) -> None:
        """Fresh locks: at construction, and in a forked child (a parent's may be held)."""
        self.refresh_lock = threading.Lock()
        self.callbacks_lock = threading.Lock()

    # -- scheduling (refresher side) -------------------------------------------------

    def due(self, now: float) -> list[str]:
        """Keys past their deadline, plus (if any are) those due within their jitter window."""
        keys = self.keys
        if not any(s.deadline <= now for s in keys.values()):
            return []
        return [k for k, s in keys.items() if s.deadline <= now + JITTER * self._ttl(k)]

    def next_deadline(self) -> float | None:
        return min((s.deadline for s in self.keys.values()), default=None)

    def _ttl(self, key: str) -> float:
        return min(spec.ttl for spec in self._by_key[key])

    def _draw(self) -> float:
        return 1.0 - self.rng.uniform(0.0, JITTER)

    def _deadline(self, key: str, now: float) -> float:
        return now + self._ttl(key) * self._factor

    def _retry_at(self, key: str, now: float, failures: int) -> float:
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (failures - 1))
        return now + delay * self.rng.uniform(0.5, 1.0)

    # -- refreshing ------------------------------------------------------------------

    def refresh(self, keys: Iterable[str] | None = None) -> list[str]:
        """Fetch ``keys`` (default: all) now, swap what changed; return changed fields."""
        with self.refresh_lock:
            wanted = list(self.keys) if keys is None else [k for k in keys if k in self.keys]
            if not wanted:
                return []
            names = [k for k in wanted if not self._by_key[k][0].is_path]
            paths = [k for k in wanted if self._by_key[k][0].is_path]
            outcome = fetch(self.client, names, paths)
            self.calls += outcome.calls
            changes = self._apply(wanted, outcome, self.clock())
        if changes:
            self._notify(changes)
        return list(changes)

    @property
    def alive(self) -> bool:
        """False once the settings instance has been garbage-collected."""
        return self._target() is not None

    def refresh_due(self) -> float | None:
        """Refresh every due key; return seconds until the next deadline (None: no keys)."""
        due = self.due(self.clock())
        if due:
            self.refresh(due)
        deadline = self.next_deadline()
        return None if deadline is None else max(0.0, deadline - self.clock())

    def _apply(self, wanted: Sequence[str], outcome: Outcome, now: float) -> Changes:
        self._factor = self._draw()
        keys = dict(self.keys)
        candidate = dict(self._raw)
        validated: dict[str, Any] | None = None
        for key in wanted:
            state = keys[key]
            specs = self._by_key[key]
            failure = outcome.failures.get(key)
            if isinstance(failure, ParameterNotFoundError) and state.version is None:
                keys[key] = replace(
                    state, fetched_at=now, deadline=self._deadline(key, now), failures=0
                )
                continue
            if failure is not None:
                keys[key] = self._failed(state, now, failure.reason)
                continue
            version, stamp = _version_of(key, outcome), _stamp_of(key, outcome)
            if stamp == state.stamp:
                keys[key] = replace(
                    state, fetched_at=now, deadline=self._deadline(key, now), failures=0
                )
                continue
            trial = dict(candidate)
            try:
                for spec in specs:
                    trial[self._input_keys[spec.field]] = converted(spec, key, outcome)
                result = validate_input(self._target_cls, trial)
            except (ConversionError, ValidationError) as exc:
                why = _why(exc, self._secure_inputs(key, outcome))
                keys[key] = self._failed(state, now, f"new version {version} rejected: {why}")
                continue
            except Exception as exc:  # noqa: BLE001 - a user validator's bug stays with its key
                why = f"a validator raised {type(exc).__name__}"
                keys[key] = self._failed(state, now, f"new version {version} rejected: {why}")
                continue
            candidate, validated = trial, result
            keys[key] = KeyState(
                key=key,
                version=version,
                stamp=stamp,
                fetched_at=now,
                deadline=self._deadline(key, now),
                secure=is_secure(key, outcome),
            )
        self.keys = keys
        target = self._target()
        if validated is None or target is None:
            return {}
        old = target.__dict__
        for field_name, key in self._input_keys.items():
            if key not in candidate and field_name in old:  # defaulted: no default_factory rerun
                validated[field_name] = old[field_name]
        changes = {
            f: (old.get(f), validated.get(f))
            for f in self._target_cls.model_fields
            if f in validated and not _same(old.get(f), validated.get(f))
        }
        self._raw = candidate
        object.__setattr__(target, "__dict__", validated)
        if self.on_swap is not None:
            self.on_swap(target, self.secure_fields())
        return changes

    def _secure_inputs(self, key: str, outcome: Outcome) -> frozenset[str]:
        """Field names and input keys whose values are (or are about to be) SecureStrings."""
        secure: set[str] = set()
        for spec in self.specs:
            if self.keys[spec.name].secure or (spec.name == key and is_secure(key, outcome)):
                secure |= {spec.field, self._input_keys[spec.field]}
        return frozenset(secure)

    def _failed(self, state: KeyState, now: float, reason: str) -> KeyState:
        failures = state.failures + 1
        retry_at = self._retry_at(state.key, now, failures)
        logger.warning(
            "ssm_config: refresh of %s failed (%d in a row), keeping the last good value; "
            "retrying in %.1fs: %s",
            state.key,
            failures,
            retry_at - now,
            reason,
        )
        return replace(state, deadline=retry_at, failures=failures)

    # -- readers' side -----------------------------------------------------------------

    def ensure_fresh(self, field: str, max_stale: float) -> None:
        """Block until ``field``'s value is at most ``max_stale`` seconds old, or raise."""
        key = self._key_of_field(field)
        if key is None:
            return
        if self.clock() - self.keys[key].fetched_at <= max_stale:
            return
        self.refresh([key])
        if self.clock() - self.keys[key].fetched_at > max_stale:
            raise StaleValueError(
                f"{key} (field {field!r}) is older than ssm_max_stale={max_stale:g}s "
                "and could not be refreshed"
            )

    def _key_of_field(self, field: str) -> str | None:
        for spec in self.specs:
            if spec.field == field:
                return spec.name
        return None

    def secure_fields(self) -> frozenset[str]:
        return frozenset(
            spec.field for spec in self.specs if self.keys.get(spec.name, _NO_STATE).secure
        )

    def stats(self) -> list[FieldStats]:
        now = self.clock()
        return [
            FieldStats(
                field=spec.field,
                ssm_name=spec.name,
                version=self.keys[spec.name].version,
                age=now - self.keys[spec.name].fetched_at,
                failures=self.keys[spec.name].failures,
            )
            for spec in self.specs
        ]

    # -- change callbacks --------------------------------------------------------------

    def add_callback(self, callback: Callback, fields: Iterable[str] | None) -> None:
        with self.callbacks_lock:
            self._callbacks.append((callback, None if fields is None else frozenset(fields)))

    def _notify(self, changes: Changes) -> None:
        with self.callbacks_lock:
            callbacks = list(self._callbacks)
        for callback, fields in callbacks:
            selected = (
                changes if fields is None else {f: c for f, c in changes.items() if f in fields}
            )
            if not selected:
                continue
            try:
                callback(selected)
            except Exception:  # a user callback must not stop the others or the refresher
                logger.exception("ssm_config: on-change callback %r raised", callback)


_NO_STATE = KeyState(key="", version=None, stamp=None, fetched_at=0.0, deadline=0.0)


def _version_of(key: str, outcome: Outcome) -> Hashable:
    if key in outcome.paths:
        return tuple(sorted((n, f.version) for n, f in outcome.paths[key].items()))
    item = outcome.values.get(key)
    return None if item is None else item.version


def _stamp_of(key: str, outcome: Outcome) -> Hashable:
    if key in outcome.paths:
        return tuple(sorted((n, f.version, f.last_modified) for n, f in outcome.paths[key].items()))
    item = outcome.values.get(key)
    return None if item is None else (item.version, item.last_modified)


def is_secure(key: str, outcome: Outcome) -> bool:
    """Whether the value(s) of ``key`` in ``outcome`` came from a SecureString."""
    items: Iterable[Fetched] = (
        outcome.paths[key].values()
        if key in outcome.paths
        else filter(None, [outcome.values.get(key)])
    )
    return any(item.type == "SecureString" for item in items)


def converted(spec: ParamSpec, key: str, outcome: Outcome) -> Any:
    """The validation input of ``spec``'s field from a fetch outcome."""
    if spec.is_path:
        return convert_path(spec.shape, outcome.paths[key])
    return convert(spec.shape, outcome.values[key])


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - a user type's __eq__ may raise anything: count as changed
        return False


def _why(exc: Exception, secure: frozenset[str]) -> str:
    """What was wrong, without the value. An error inside a SecureString-backed field (or
    at model level, when there is one) gives only its field and error type: pydantic's
    messages may quote characters of the input, and its locations may be keys of it."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            describe_error(e["loc"], e["type"], e["msg"], secure)
            for e in exc.errors(include_input=False, include_url=False)
        )
    return str(exc)


def describe_error(loc: tuple[int | str, ...], kind: str, msg: str, secure: frozenset[str]) -> str:
    """One pydantic error as ``where: what``, withheld where a SecureString is involved."""
    head = str(loc[0]) if loc else ""
    if head in secure or (not head and secure):
        return f"{head or 'model'}: {kind} (details withheld: a SecureString)"
    return f"{'.'.join(map(str, loc)) or 'model'}: {msg}"
