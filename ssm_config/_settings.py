"""``SSMSettings``: a pydantic-settings class whose SSM fields load in one batched round
and then stay live.

SSM is one settings source among pydantic-settings' own, after init arguments, the
environment and dotenv files: a field any of those supplies is never fetched.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar, overload

from botocore.exceptions import BotoCoreError
from pydantic import AliasChoices, BaseModel, PrivateAttr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError

from . import _fork
from ._client import default_client, forget_connections
from ._convert import ConversionError
from ._declare import SSMSettingsConfigDict
from ._errors import ConfigError, DeclarationError, FetchError, ParameterNotFoundError, Problem
from ._fetch import Outcome, fetch, translate
from ._offline import is_offline
from ._plan import ParamSpec, Plan, build_plan
from ._refresh import Refresher
from ._store import Callback, Clock, LiveStore, converted, is_secure

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


@dataclass
class _Load:
    """The state of one construction, shared by ``__init__`` and the SSM source."""

    plan: Plan
    client: SSMClient | None
    offline: bool
    specs: tuple[ParamSpec, ...] = ()
    outcome: Outcome | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sources_done: bool = False


_LOADING: ContextVar[_Load | None] = ContextVar("ssm_config_loading", default=None)
_PLANS: weakref.WeakKeyDictionary[type[BaseModel], Plan] = weakref.WeakKeyDictionary()


def plan_of(settings_cls: type[BaseModel]) -> Plan:
    """The (cached) plan of a settings class."""
    plan = _PLANS.get(settings_cls)
    if plan is None:
        plan = _PLANS[settings_cls] = build_plan(settings_cls)
    return plan


def input_keys(info: FieldInfo, name: str) -> tuple[str, ...]:
    """The keys a field's value may take in the settings sources' output, ours first."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        choices = tuple(c for c in alias.choices if isinstance(c, str))
        if choices:
            return (*choices, name)
    if isinstance(alias, str):
        return (alias, name)
    return (info.alias, name) if info.alias else (name,)


def input_key(info: FieldInfo, name: str) -> str:
    """The key ssm_config gives a field's value in the sources' output (one pydantic takes)."""
    return input_keys(info, name)[0]


class SSMSource(PydanticBaseSettingsSource):
    """Fetches every SSM field that no higher-priority source supplied, in one round."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__, batched

    def __call__(self) -> dict[str, Any]:
        load = _LOADING.get()
        if load is None:
            return {}
        fields = self.settings_cls.model_fields
        supplied = {key.lower() for key in self.current_state}
        load.specs = tuple(
            s
            for s in load.plan.specs
            if not any(k.lower() in supplied for k in input_keys(fields[s.field], s.field))
        )
        if not load.specs or load.offline:
            return {}
        try:
            client = load.client = load.client or default_client()
        except (BotoCoreError, FetchError) as exc:  # FetchError: a broken AWS environment
            error = translate(exc, None)
            load.problems += [Problem(s.name, s.field, error.reason, error) for s in load.specs]
            return {}
        names = [s.name for s in load.specs if not s.is_path]
        paths = [s.name for s in load.specs if s.is_path]
        outcome = load.outcome = fetch(client, names, paths)
        values: dict[str, Any] = {}
        for spec in load.specs:
            failure = outcome.failures.get(spec.name)
            if isinstance(failure, ParameterNotFoundError) and not spec.required:
                continue  # the field's default applies
            if failure is not None:
                load.problems.append(Problem(spec.name, spec.field, failure.reason, failure))
                continue
            try:
                values[input_key(fields[spec.field], spec.field)] = converted(
                    spec, spec.name, outcome
                )
            except ConversionError as exc:
                load.problems.append(Problem(spec.name, spec.field, str(exc)))
        return values


class _Live(_fork.ForkAware):
    """A live instance's store and refresher; copies and pickles of settings drop it."""

    def __init__(self, store: LiveStore, refresher: Refresher | None, own_client: bool) -> None:
        self.store = store
        self.refresher = refresher
        self.own_client = own_client
        _fork.register(self)

    def after_fork_in_child(self) -> None:
        self.store.init_locks()
        if self.own_client:
            self.store.client = default_client()
        else:
            forget_connections(self.store.client)
        if self.refresher is not None:
            self.refresher.restart_in_child()

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
        load = _Load(plan=plan_of(cls), client=_ssm_client, offline=is_offline())
        if load.offline:
            _construct_offline(self, values)
            self._ssm_offline = True
            return
        token = _LOADING.set(load)
        problems = load.problems
        try:
            super().__init__(**values)
        except ValidationError as exc:  # its text quotes inputs: it must not travel along
            problems = _merge_problems(cls, load, exc)
        except SettingsError as exc:  # another source (env, dotenv) could not parse its input
            problems = [Problem("(not from SSM)", _quoted_field(str(exc)), str(exc), exc)]
        except Exception as exc:
            if not load.sources_done:  # not validation: a source's own failure, unhidden
                raise
            # A validator raised something pydantic does not turn into a field error.
            reason = f"a validator raised {type(exc).__name__}; see the cause"
            problems = [Problem("(validator)", "<model>", reason, exc)]
        finally:
            _LOADING.reset(token)
        if problems:  # raised here, outside the handlers, so no __context__ links to them
            raise ConfigError(cls.__name__, problems) from _first_cause(problems)
        if load.outcome is not None and load.client is not None:
            self._attach(
                load,
                load.outcome,
                load.client,
                _ssm_clock or time.monotonic,
                own_client=_ssm_client is None,
            )

    def _attach(
        self, load: _Load, outcome: Outcome, client: SSMClient, clock: Clock, *, own_client: bool
    ) -> None:
        plan = load.plan
        fields = type(self).model_fields
        store = LiveStore(
            self,
            plan=plan,
            specs=load.specs,
            raw=load.raw,
            input_keys={f: input_key(info, f) for f, info in fields.items()},
            outcome=outcome,
            client=client,
            clock=clock,
        )
        refresher = None
        if plan.refresh:
            refresher = Refresher(store, f"ssm-config-refresh-{plan.settings}")
        self._ssm_live = _Live(store, refresher, own_client)
        self._ssm_secure = store.secure_fields()
        store.on_swap = _remember_secure  # a plain function: the store must not keep self alive
        if refresher is not None:
            refresher.start()
            weakref.finalize(self, refresher.close, 0)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
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
        )

    @classmethod
    def _settings_build_values(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        values: dict[str, Any] = super()._settings_build_values(*args, **kwargs)
        load = _LOADING.get()
        if load is not None:
            load.raw = dict(values)  # every source's input: a refresh re-validates from it
            load.sources_done = True
        return values

    # -- the live API -----------------------------------------------------------------

    def ssm_refresh(self) -> list[str]:
        """Fetch every SSM key now, synchronously; return the names of fields that changed."""
        live = self._ssm_live
        return [] if live is None else live.store.refresh()

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
        """Stop refreshing (idempotent; joins the refresher thread)."""
        live = self._ssm_live
        if live is not None and live.refresher is not None:
            live.refresher.close()

    def ssm_stats(self) -> StatsDict:
        """Per field: its SSM name, version, age in seconds, failed refreshes in a row."""
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
            live.store.ensure_fresh(name, live.store.plan.max_stale)
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


def _merge_problems(cls: type[SSMSettings], load: _Load, exc: ValidationError) -> list[Problem]:
    """The source's problems plus pydantic's, one per field, in field order; no values."""
    by_field = {p.field: p for p in load.problems}
    specs = {s.field: s for s in load.specs}
    secure = _secure_fields(load)
    alias_to_field = {k: f for f, info in cls.model_fields.items() for k in input_keys(info, f)}
    extra: list[Problem] = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = error["loc"]
        field_name = alias_to_field.get(str(loc[0]), str(loc[0])) if loc else "<model>"
        if field_name in by_field:
            continue
        where = ".".join(map(str, loc[1:]))
        message = f"{where}: {error['msg']}" if where else error["msg"]
        spec = specs.get(field_name)
        ssm_name = spec.name if spec is not None else "(not from SSM)"
        if error["type"] == "missing" and spec is not None:
            message = "parameter not found"
        elif field_name in secure or (not loc and secure):  # messages may quote the input
            message = f"rejected ({error['type']}); details withheld: a SecureString"
        extra.append(Problem(ssm_name, field_name, message))
    order = {f: i for i, f in enumerate(cls.model_fields)}
    merged = [*load.problems, *extra]
    return sorted(merged, key=lambda p: order.get(p.field, len(order)))


def _secure_fields(load: _Load) -> set[str]:
    """Fields whose SSM value came from a SecureString in this load."""
    outcome = load.outcome
    if outcome is None:
        return set()
    return {s.field for s in load.specs if is_secure(s.name, outcome)}


def _quoted_field(message: str) -> str:
    """The field a pydantic-settings message names (``... field "x" ...``), if any."""
    _, _, rest = message.partition('field "')
    return rest.partition('"')[0] or "<settings>"


def _first_cause(problems: Sequence[Problem]) -> BaseException | None:
    return next((p.cause for p in problems if p.cause is not None), None)


__all__ = ["SSMSettings", "SSMSource", "plan_of"]
