"""The SSM settings source, and how one load hands its findings to the new instance.

pydantic-settings builds an instance in ``BaseSettings.__init__``: it calls each source,
merges their dicts and validates. ssm_config needs three things from the middle of that,
which a plain source cannot return through pydantic-settings' API:

::

    SSMSettings.__init__ ──sets──> LOADING = Load(plan, client, clock)
      └─ BaseSettings.__init__
           ├─ init, env, dotenv sources            (what they supply is never fetched)
           ├─ SSMSource.__call__ ──> fetch ──> Load.found = Found(specs, outcome, problems)
           ├─ secret files
           ├─ InputCapture.__call__ ──> Load.raw   (every source's input, kept for refreshes)
           └─ pydantic validation
      └─ reads Load: problems -> ConfigError, else a LiveStore from found + raw

``Load`` is written once per step, by the step that knows: the source records what it
found (an immutable ``Found``); the last source, which adds nothing, records the input
all sources merged (its ``current_state``, public pydantic-settings API), so a refresh can
validate the same input again with new SSM values in it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError
from pydantic import AliasChoices, BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

from . import _diagnose
from ._client import default_client
from ._convert import ConversionError
from ._errors import FetchError, ParameterNotFoundError, Problem
from ._fetch import Outcome, fetch, translate
from ._plan import ParamSpec, Plan, build_plan
from ._validate import MODEL, converted, explain, locate, raised, validate_input

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

SENTINEL_FIELD = "<sentinel>"
"""The field name a problem with the class's ``ssm_sentinel`` is reported under."""


@dataclass(frozen=True, slots=True)
class Found:
    """What the SSM source found in one load.

    Attributes:
        specs: the specs SSM was asked for (fields no other source supplied).
        outcome: the fetch outcome (None when nothing was fetched).
        sent_at: clock time the requests were sent.
        client: the client used.
        problems: parameters that failed, each with its field.
    """

    specs: tuple[ParamSpec, ...] = ()
    outcome: Outcome | None = None
    sent_at: float = 0.0
    client: SSMClient | None = None
    problems: tuple[Problem, ...] = ()


@dataclass
class Load:
    """One construction: its inputs, and what each step of it found."""

    plan: Plan
    client: SSMClient | None
    clock: Callable[[], float]
    offline: bool
    found: Found = field(default_factory=Found)
    raw: dict[str, Any] | None = None


LOADING: ContextVar[Load | None] = ContextVar("ssm_config_loading", default=None)
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
        """Unused: everything happens in ``__call__``, batched."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """The converted SSM values of the fields no other source supplied."""
        load = LOADING.get()
        if load is None:
            return {}
        fields = self.settings_cls.model_fields
        supplied = {key.lower() for key in self.current_state}
        specs = tuple(
            s
            for s in load.plan.specs
            if not any(k.lower() in supplied for k in input_keys(fields[s.field], s.field))
        )
        if not specs or load.offline:
            load.found = Found(specs=specs)
            return {}
        sentinel = load.plan.sentinel
        try:
            client = load.client or default_client()
        except (BotoCoreError, FetchError) as exc:  # FetchError: a broken AWS environment
            error = translate(exc, None)
            denied = tuple(Problem(s.name, s.field, error.reason, error) for s in specs)
            load.found = Found(specs=specs, problems=denied)
            return {}
        sent_at = load.clock()
        names = [s.name for s in specs if not s.is_path]
        outcome = fetch(client, [*names, sentinel] if sentinel else names, _paths(specs))
        values, read_problems = _read(specs, outcome, fields)
        problems = [
            *read_problems,
            *_diagnose.report(_diagnose.missing_defaults(load.plan, specs, outcome)),
        ]
        if sentinel is not None and sentinel in outcome.failures:
            failure = outcome.failures[sentinel]
            problems.append(Problem(sentinel, SENTINEL_FIELD, failure.reason, failure))
        load.found = Found(specs, outcome, sent_at, client, tuple(problems))
        return values


class InputCapture(PydanticBaseSettingsSource):
    """The last source: supplies nothing, records what every other source supplied."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: this source supplies nothing."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """Record the merged input of the sources before it; add nothing."""
        load = LOADING.get()
        if load is not None:
            load.raw = dict(self.current_state)
        return {}


def _paths(specs: tuple[ParamSpec, ...]) -> list[str]:
    return [s.name for s in specs if s.is_path]


def _read(
    specs: tuple[ParamSpec, ...], outcome: Outcome, fields: dict[str, FieldInfo]
) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in specs:
        failure = outcome.failures.get(spec.name)
        if isinstance(failure, ParameterNotFoundError) and not spec.required:
            continue  # the field's default applies
        if failure is not None:
            problems.append(Problem(spec.name, spec.field, failure.reason, failure))
            continue
        try:
            values[input_key(fields[spec.field], spec.field)] = converted(spec, spec.name, outcome)
        except ConversionError as exc:
            problems.append(Problem(spec.name, spec.field, str(exc)))
    return values, problems


def load_problems(cls: type[BaseModel], load: Load, exc: BaseException | None) -> list[Problem]:
    """Every problem of a load, one per field, in field order, never a value.

    ``exc`` is what validation raised, if anything: a ValidationError, or a validator's
    own exception that pydantic let through. The latter is pinned to its field (from the
    traceback) and validation is run again without that field, so the other fields'
    problems are reported too.
    """
    found = load.found
    by_field = {p.field: p for p in found.problems}
    specs = {s.field: s for s in found.specs}
    secure = _secure_fields(found)
    to_field = {k: f for f, info in cls.model_fields.items() for k in input_keys(info, f)}
    extra: list[Problem] = []
    raw = dict(load.raw or {})
    for _ in range(len(cls.model_fields) + 1):
        if exc is None:
            break
        if isinstance(exc, ValidationError):
            for problem in explain(exc, secure, to_field):
                if problem.field in by_field:
                    continue
                spec = specs.get(problem.field)
                detail = problem.detail
                if spec is not None and problem.kind == "missing":
                    detail = "parameter not found"
                by_field[problem.field] = _problem(spec, problem.field, detail)
                extra.append(by_field[problem.field])
            break
        field_name = locate(exc, cls)
        problem = raised(exc, field_name)
        cause = None if field_name in secure or (field_name == MODEL and secure) else exc
        by_field[field_name] = _problem(specs.get(field_name), field_name, problem.detail, cause)
        extra.append(by_field[field_name])
        if field_name == MODEL or load.raw is None:
            break
        for key in input_keys(cls.model_fields[field_name], field_name):
            raw.pop(key, None)
        exc = _revalidate(cls, raw)
    order = {f: i for i, f in enumerate(cls.model_fields)}
    merged = [*found.problems, *extra]
    return sorted(merged, key=lambda p: order.get(p.field, len(order)))


def _revalidate(cls: type[BaseModel], raw: dict[str, Any]) -> BaseException | None:
    try:
        validate_input(cls, raw)
    except Exception as exc:  # noqa: BLE001 - whatever a validator raises is reported
        return exc
    return None


def _problem(
    spec: ParamSpec | None, field_name: str, detail: str, cause: BaseException | None = None
) -> Problem:
    ssm_name = spec.name if spec is not None else "(not from SSM)"
    return Problem(ssm_name, field_name, detail, cause)


def _secure_fields(found: Found) -> set[str]:
    """Fields whose SSM value came from a SecureString in this load."""
    outcome = found.outcome
    if outcome is None:
        return set()
    return {s.field for s in found.specs if outcome.is_secure(s.name)}


__all__ = [
    "LOADING",
    "SENTINEL_FIELD",
    "Found",
    "InputCapture",
    "Load",
    "SSMSource",
    "input_key",
    "input_keys",
    "load_problems",
    "plan_of",
]
