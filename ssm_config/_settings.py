"""``SSMSettings``: settings whose SSM fields load in one batched round, then stay live.

SSM is one settings source among pydantic-settings' own, after init arguments, the
environment and dotenv files: a field any of those supplies is never fetched. How a load
hands its findings over is drawn in ``_source``; the live API below delegates to the
instance's store and to the process's one refresher.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar, overload

from pydantic import PrivateAttr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError

from . import _diagnose, _snapstart
from ._declare import SSMSettingsConfigDict
from ._errors import ConfigError, DeclarationError, Problem
from ._offline import is_offline
from ._refresh import REFRESHER
from ._source import (
    LOADING,
    InputCapture,
    Load,
    SSMSource,
    input_key,
    load_problems,
    plan_of,
)
from ._store import Callback, Clock, LiveStore

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

_MASK = "**********"
_CallbackT = TypeVar("_CallbackT", bound=Callback)


class FieldStatsDict(TypedDict):
    """One field in :meth:`SSMSettings.ssm_stats`."""

    name: str
    version: Any
    age: float
    failures: int


class StatsDict(TypedDict):
    """What :meth:`SSMSettings.ssm_stats` returns."""

    fields: dict[str, FieldStatsDict]
    api_calls: int


class _Live:
    """A live instance's store; copies and pickles of settings drop it."""

    __slots__ = ("store",)

    def __init__(self, store: LiveStore) -> None:
        self.store = store

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(None), ())


class SSMSettings(BaseSettings):
    """Settings whose fields come from SSM Parameter Store, loaded once and kept live.

    Declare fields with ``Annotated[T, Param(...)]`` (see :class:`~ssm_config.Param`);
    configure with ``model_config = SSMSettingsConfigDict(ssm_prefix=..., ssm_ttl=...)``.

    Args:
        _ssm_client: the boto3 SSM client to use (default: one built from the environment).
        _ssm_clock: monotonic seconds for TTLs (tests pass a hand-cranked clock).
        **values: init arguments; they override SSM, as with any pydantic-settings source.

    Raises:
        ConfigError: every parameter that failed to load, each named with its field.
    """

    model_config: ClassVar[SSMSettingsConfigDict] = SSMSettingsConfigDict()

    _ssm_live: _Live | None = PrivateAttr(default=None)
    _ssm_secure: frozenset[str] = PrivateAttr(default=frozenset())
    _ssm_offline: bool = PrivateAttr(default=False)

    def __init__(
        __pydantic_self__,  # noqa: N805 - pydantic's spelling, frees `self` for a field name
        _ssm_client: SSMClient | None = None,
        _ssm_clock: Clock | None = None,
        **values: Any,
    ) -> None:
        self = __pydantic_self__
        cls = type(self)
        load = Load(
            plan=plan_of(cls),
            client=_ssm_client,
            clock=_ssm_clock or time.monotonic,
            offline=is_offline(),
        )
        if load.offline:
            _construct_offline(self, values)
            self._ssm_offline = True
            return
        token = LOADING.set(load)
        failure: BaseException | None = None
        problems: list[Problem] = []
        try:
            super().__init__(**values)
        except SettingsError as exc:  # another source (env, dotenv) could not parse its input
            problems = [Problem("(not from SSM)", _quoted_field(str(exc)), str(exc), exc)]
        except Exception as exc:
            if load.raw is None:  # not validation: a source's own failure, unhidden
                raise
            failure = exc  # its text may quote inputs: it must not travel along
        finally:
            LOADING.reset(token)
        if not problems and (failure is not None or load.found.problems):
            problems = load_problems(cls, load, failure)
        del failure
        if load.raw is not None:
            skipped = [s for s in load.plan.specs if s not in load.found.specs]
            _diagnose.report(_diagnose.env_overrides(cls, skipped, values))
        problems = _diagnose.explain(
            problems, client=load.found.client or load.client, client_given=_ssm_client is not None
        )
        if problems:  # raised here, outside the handlers, so no __context__ links to them
            raise ConfigError(cls.__name__, problems) from _first_cause(problems)
        self._attach(load, own_client=_ssm_client is None)

    def _attach(self, load: Load, *, own_client: bool) -> None:
        found = load.found
        if found.outcome is None or found.client is None:
            return
        fields = type(self).model_fields
        store = LiveStore(
            self,
            plan=load.plan,
            specs=found.specs,
            raw=load.raw or {},
            input_keys={f: input_key(info, f) for f, info in fields.items()},
            outcome=found.outcome,
            sent_at=found.sent_at,
            client=found.client,
            own_client=own_client,
            clock=load.clock,
            draws=REFRESHER.draws(),
        )
        self._ssm_live = _Live(store)
        self._ssm_secure = store.secure_fields()
        store.on_swap = _remember_secure  # a plain function: the store must not keep self alive
        _snapstart.register()
        if load.plan.refresh:
            REFRESHER.add(store)
            weakref.finalize(self, REFRESHER.remove, store)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Check the class's SSM declarations at class definition."""
        super().__pydantic_init_subclass__(**kwargs)
        plan = plan_of(cls)  # a bad declaration fails here, at class definition
        if plan.max_stale is not None and "__getattribute__" not in cls.__dict__:
            cls.__getattribute__ = _fresh_getattribute  # type: ignore[method-assign,assignment]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments, environment and dotenv override SSM; SSM overrides secret files."""
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            SSMSource(settings_cls),
            file_secret_settings,
            InputCapture(settings_cls),
        )

    # -- the live API -----------------------------------------------------------------

    def ssm_refresh(self) -> list[str]:
        """Fetch every SSM key now, synchronously; return the names of fields that changed."""
        live = self._ssm_live
        return [] if live is None else list(REFRESHER.refresh(live.store))

    def ssm_refresh_due(self, timeout: float = 0.5) -> bool:
        """Refresh the keys past their deadline now, waiting at most ``timeout`` seconds.

        Joins a round already in flight rather than sending a second request. Costs one
        clock read when nothing is due. SSM failures never raise here: they keep the last
        good value and back off as in the background.

        Returns:
            True when every key is within its TTL afterwards.
        """
        live = self._ssm_live
        return True if live is None else REFRESHER.refresh_due([live.store], timeout)

    @overload
    def ssm_on_change(
        self, callback: _CallbackT, fields: Iterable[str] | None = None
    ) -> _CallbackT: ...
    @overload
    def ssm_on_change(
        self, callback: None = None, fields: Iterable[str] | None = None
    ) -> Callable[[_CallbackT], _CallbackT]: ...
    def ssm_on_change(
        self, callback: _CallbackT | None = None, fields: Iterable[str] | None = None
    ) -> _CallbackT | Callable[[_CallbackT], _CallbackT]:
        """Call ``callback({field: (old, new)})`` after each swap that changes a value.

        Runs on the refreshing thread; one that raises is logged and does not stop others.
        Usable as ``@config.ssm_on_change`` or ``@config.ssm_on_change(fields=[...])``.
        """
        wanted = None if fields is None else tuple(fields)
        unknown = sorted(set(wanted or ()) - set(type(self).model_fields))
        if unknown:
            raise DeclarationError(f"ssm_on_change: {type(self).__name__} has no field {unknown}")

        def register(cb: _CallbackT) -> _CallbackT:
            if self._ssm_live is not None:
                self._ssm_live.store.add_callback(cb, wanted)
            return cb

        return register if callback is None else register(callback)

    def ssm_close(self) -> None:
        """Stop refreshing in the background (idempotent; returns at once).

        A request already in flight is not waited for: it ends on its own daemon thread
        (within botocore's timeouts) and nothing is scheduled after it.
        """
        live = self._ssm_live
        if live is not None:
            REFRESHER.remove(live.store)

    def ssm_stats(self) -> StatsDict:
        """Per field: its SSM name, version, age in seconds, failed refreshes in a row.

        The age counts from when the request that fetched the value was sent.
        """
        live = self._ssm_live
        if live is None:
            return {"fields": {}, "api_calls": 0}
        rows = live.store.stats()
        return {
            "fields": {
                r.field: {
                    "name": r.ssm_name,
                    "version": r.version,
                    "age": r.age,
                    "failures": r.failures,
                }
                for r in rows
            },
            "api_calls": live.store.calls,
        }

    if not TYPE_CHECKING:  # BaseModel's __getattr__ runs only when a normal lookup fails

        def __getattr__(self, name: str) -> Any:
            try:
                return super().__getattr__(name)
            except AttributeError:
                private = object.__getattribute__(self, "__pydantic_private__")
                if private and private.get("_ssm_offline") and name in type(self).model_fields:
                    raise AttributeError(
                        f"{type(self).__name__}.{name} has no value: settings built under "
                        "offline() (as `ssm-config policy` does) load nothing; read values "
                        "inside functions, not at import"
                    ) from None
                raise

    # -- snapshots and secrecy ------------------------------------------------------------

    def __copy__(self) -> SSMSettings:
        copied = super().__copy__()
        if copied.__pydantic_private__ is not None:
            copied.__pydantic_private__["_ssm_live"] = None
        return copied

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        secure = self._ssm_secure
        for name, value in super().__repr_args__():
            yield name, (_MASK if name in secure and value is not None else value)


def _remember_secure(target: SSMSettings, secure: frozenset[str]) -> None:
    target._ssm_secure = secure


def _fresh_getattribute(self: SSMSettings, name: str) -> Any:
    """``__getattribute__`` of classes with ``ssm_max_stale``: a stale read waits."""
    if name[0] != "_" and name in type(self).__pydantic_fields__:
        private = object.__getattribute__(self, "__pydantic_private__")
        live = private.get("_ssm_live") if private else None
        if live is not None and live.store.plan.max_stale is not None:
            REFRESHER.ensure_fresh(live.store, name, live.store.plan.max_stale)
    return object.__getattribute__(self, name)


def _construct_offline(self: SSMSettings, values: dict[str, Any]) -> None:
    model = type(self).model_construct(**values)
    for slot in (
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    ):
        object.__setattr__(self, slot, getattr(model, slot))


def _quoted_field(message: str) -> str:
    """The field a pydantic-settings message names (``... field "x" ...``), if any."""
    _, _, rest = message.partition('field "')
    return rest.partition('"')[0] or "<settings>"


def _first_cause(problems: list[Problem]) -> BaseException | None:
    return next((p.cause for p in problems if p.cause is not None), None)


__all__ = ["SSMSettings", "plan_of"]
