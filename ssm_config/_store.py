"""The live store behind one settings instance: key states, the snapshot, the swap.

Readers read plain attributes: the instance ``__dict__`` *is* the current snapshot, and a
swap replaces it whole with one pointer assignment, so a reader never takes a lock and
never sees half of a swap. When keys are due and how rounds are run is not decided here
(see ``_schedule`` and ``_refresh``); this module applies a round's answers: validate,
swap, diff, call back.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from . import _schedule as schedule
from ._convert import ConversionError
from ._errors import ParameterNotFoundError
from ._fetch import Outcome
from ._plan import ParamSpec, Plan
from ._schedule import Draws, KeyState
from ._validate import converted, explain, locate, raised, validate_input

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

logger = logging.getLogger("ssm_config")

Clock = Callable[[], float]
Changes = dict[str, tuple[Any, Any]]
Callback = Callable[[Changes], object]


@dataclass(frozen=True, slots=True)
class FieldStats:
    """One row of :meth:`SSMSettings.ssm_stats`."""

    field: str
    ssm_name: str
    version: Any
    age: float
    failures: int


class LiveStore:
    """Key states and the current snapshot of one settings instance.

    Args:
        target: the settings instance whose ``__dict__`` is swapped.
        plan: the class's plan.
        specs: the specs this instance reads from SSM (fields not supplied otherwise).
        raw: the validation input of every field, as the settings sources produced it.
        input_keys: field name -> key of that field in ``raw`` (its alias, if any).
        outcome: the load's fetch outcome.
        sent_at: clock time the load's requests were sent.
        client: SSM client for refreshes.
        own_client: ``client`` is ssm_config's default one (rebuilt after fork and restore).
        clock: monotonic seconds.
        draws: the jitter of the load's deadlines.
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
        sent_at: float,
        client: SSMClient,
        own_client: bool,
        clock: Clock,
        draws: Draws,
    ) -> None:
        self._target_cls = type(target)
        self._target = weakref.ref(target)
        self.on_swap: Callable[[Any, frozenset[str]], None] | None = None
        """Called with (target, secure field names) after a swap; must not hold the target."""
        self.plan = plan
        self.specs = tuple(specs)
        self.client = client
        self.own_client = own_client
        self.clock = clock
        self.calls = outcome.calls
        self.sentinel = plan.sentinel
        self._raw = dict(raw)
        self._input_keys = dict(input_keys)
        self._by_key: dict[str, tuple[ParamSpec, ...]] = {}
        for spec in self.specs:
            self._by_key[spec.name] = (*self._by_key.get(spec.name, ()), spec)
        self._callbacks: list[tuple[Callback, frozenset[str] | None]] = []
        self.init_locks()
        ttls = {key: min(s.ttl for s in specs) for key, specs in self._by_key.items()}
        if self.sentinel is not None:
            ttls[self.sentinel] = plan.sentinel_ttl or plan.default_ttl
        self.keys: dict[str, KeyState] = {}
        self._set_keys(
            {
                key: schedule.answered(
                    KeyState(key=key, ttl=ttl),
                    sent_at=sent_at,
                    draws=draws,
                    version=outcome.version_of(key),
                    stamp=outcome.stamp_of(key),
                    secure=outcome.is_secure(key),
                )
                for key, ttl in ttls.items()
            }
        )

    def init_locks(self) -> None:
        """Fresh locks: at construction, and in a forked child (a parent's may be held)."""
        self.apply_lock = threading.Lock()
        self.callbacks_lock = threading.Lock()

    def _set_keys(self, keys: dict[str, KeyState]) -> None:
        self.earliest = schedule.next_deadline(keys.values())
        self.failing = any(s.failures for s in keys.values())
        self.keys = keys

    @property
    def alive(self) -> bool:
        """False once the settings instance has been garbage-collected."""
        return self._target() is not None

    def is_path(self, key: str) -> bool:
        """Whether ``key`` is a path (GetParametersByPath) rather than a name."""
        specs = self._by_key.get(key, ())
        return bool(specs) and specs[0].is_path

    def make_all_due(self, now: float) -> None:
        """Every key due now (a sentinel changed, or the process was restored)."""
        with self.apply_lock:
            self._set_keys(schedule.make_due(self.keys, now))

    def fresh(self, now: float) -> bool:
        """Every key is younger than its TTL."""
        return all(now - s.fetched_at < s.ttl for s in self.keys.values())

    # -- applying a round's answers ------------------------------------------------------

    def apply(
        self, wanted: Iterable[str], outcome: Outcome, *, sent_at: float, draws: Draws
    ) -> Changes:
        """Take a round's answers for ``wanted`` keys; swap what changed and call back.

        Returns the changes (field -> (old, new)); keys the round answered worse than what
        the store already holds (an older request finishing late) are left alone.
        """
        with self.apply_lock:
            self.calls += outcome.calls
            changes, sentinel_moved = self._apply(list(wanted), outcome, sent_at, draws)
            if sentinel_moved:
                others = {k: v for k, v in self.keys.items() if k != self.sentinel}
                self._set_keys({**self.keys, **schedule.make_due(others, self.clock())})
        if changes:
            self._notify(changes)
        return changes

    def _apply(
        self, wanted: list[str], outcome: Outcome, sent_at: float, draws: Draws
    ) -> tuple[Changes, bool]:
        now = self.clock()
        keys = dict(self.keys)
        candidate = dict(self._raw)
        validated: dict[str, Any] | None = None
        sentinel_moved = False
        for key in wanted:
            state = keys.get(key)
            if state is None or not schedule.is_newer(state, sent_at):
                continue
            failure = outcome.failures.get(key)
            if isinstance(failure, ParameterNotFoundError) and state.version is None:
                keys[key] = schedule.answered(state, sent_at=sent_at, draws=draws, keep_value=True)
                continue
            if failure is not None:
                keys[key] = self._failed(state, now, draws, failure.reason)
                continue
            stamp = outcome.stamp_of(key)
            if stamp == state.stamp:
                keys[key] = schedule.answered(state, sent_at=sent_at, draws=draws, keep_value=True)
                continue
            version = outcome.version_of(key)
            if key == self.sentinel:
                sentinel_moved = True
                if key not in self._by_key:
                    keys[key] = schedule.answered(
                        state, sent_at=sent_at, draws=draws, version=version, stamp=stamp
                    )
                    continue
            trial, result, why = self._validate(key, candidate, outcome)
            if why is not None:
                why = f"new version {version} rejected: {why}"
                keys[key] = self._failed(state, now, draws, why)
                continue
            candidate, validated = trial, result
            keys[key] = schedule.answered(
                state,
                sent_at=sent_at,
                draws=draws,
                version=version,
                stamp=stamp,
                secure=outcome.is_secure(key),
            )
        changes = self._swap(candidate, validated) if validated is not None else {}
        # After the values: a child forked in between re-fetches rather than keeps stale ones.
        self._set_keys(keys)
        return changes, sentinel_moved

    def _validate(
        self, key: str, candidate: Mapping[str, Any], outcome: Outcome
    ) -> tuple[dict[str, Any], dict[str, Any] | None, str | None]:
        """``candidate`` with ``key``'s new values, validated; or why they were refused."""
        trial = dict(candidate)
        secure = self._secure_fields(key, outcome)
        try:
            for spec in self._by_key[key]:
                trial[self._input_keys[spec.field]] = converted(spec, key, outcome)
            return trial, validate_input(self._target_cls, trial), None
        except ConversionError as exc:
            return trial, None, str(exc)
        except ValidationError as exc:
            to_field = {k: f for f, k in self._input_keys.items()}
            problems = explain(exc, secure, to_field)
            return trial, None, "; ".join(f"{p.field}: {p.detail}" for p in problems)
        except Exception as exc:  # noqa: BLE001 - a user validator's bug stays with its key
            problem = raised(exc, locate(exc, self._target_cls))
            return trial, None, problem.detail

    def _swap(self, candidate: dict[str, Any], validated: dict[str, Any]) -> Changes:
        target = self._target()
        if target is None:
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

    def _secure_fields(self, key: str, outcome: Outcome) -> frozenset[str]:
        """Fields whose values are (or are about to be) SecureStrings."""
        return frozenset(
            spec.field
            for spec in self.specs
            if self.keys[spec.name].secure or (spec.name == key and outcome.is_secure(key))
        )

    def _failed(self, state: KeyState, now: float, draws: Draws, reason: str) -> KeyState:
        after = schedule.failed(state, now=now, draws=draws)
        logger.warning(
            "refresh of %s failed (%d in a row), keeping the last good value; "
            "retrying in %.1fs: %s",
            state.key,
            after.failures,
            after.deadline - now,
            reason,
        )
        return after

    # -- readers' side -----------------------------------------------------------------

    def key_of_field(self, field: str) -> str | None:
        """The SSM key feeding ``field``, if SSM feeds it."""
        for spec in self.specs:
            if spec.field == field:
                return spec.name
        return None

    def secure_fields(self) -> frozenset[str]:
        """Fields whose current value came from a SecureString."""
        keys = self.keys
        return frozenset(spec.field for spec in self.specs if keys[spec.name].secure)

    def stats(self) -> list[FieldStats]:
        """Per field: name, version, age (since the request was sent), failures."""
        now = self.clock()
        keys = self.keys
        return [
            FieldStats(
                field=spec.field,
                ssm_name=spec.name,
                version=keys[spec.name].version,
                age=now - keys[spec.name].fetched_at,
                failures=keys[spec.name].failures,
            )
            for spec in self.specs
        ]

    # -- change callbacks --------------------------------------------------------------

    def add_callback(self, callback: Callback, fields: Iterable[str] | None) -> None:
        """Call ``callback`` after each swap changing any of ``fields`` (None: any field)."""
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
                logger.exception("on-change callback %r raised", callback)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - a user type's __eq__ may raise anything: count as changed
        return False


__all__ = ["Callback", "Changes", "Clock", "FieldStats", "LiveStore"]
