"""Settings class -> an immutable plan: which SSM names feed which fields, and how.

Pure: reads only the class. The loader, the refresher and the IAM policy generator all
work from the same plan, so what a function reads and what it may read cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ._declare import (
    MISSING_MODES,
    Param,
    check_config_keys,
    check_name,
    check_path,
    check_seconds,
    join_name,
    split_selector,
)
from ._errors import DeclarationError, InvalidNameError

BATCH_SIZE = 10
"""GetParameters takes at most 10 names a call."""
DEFAULT_TTL = 300.0
DEFAULT_SENTINEL_TTL = 30.0

Missing = Literal["warn", "error", "ignore"]
"""What a missing parameter of a field with a default does at load (``ssm_missing``)."""
Shape = Literal["text", "json", "string_list"]
"""How raw text becomes what pydantic validates: as is, JSON-decoded, or comma-split."""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One field's binding to SSM.

    Attributes:
        field: the settings field name.
        name: what is sent to SSM: the full name with its selector, or the path.
        is_path: the field takes every parameter under ``name`` (GetParametersByPath).
        ttl: seconds a value lives before it is re-fetched.
        shape: how each raw value is converted (for a path: each item's value).
        kms_key: the declared customer-managed key, if any.
        required: the field has no default, so a missing parameter is an error.
    """

    field: str
    name: str
    is_path: bool
    ttl: float
    shape: Shape
    kms_key: str | None
    required: bool

    @property
    def bare_name(self) -> str:
        """The name without its selector (what IAM policies and ARNs use)."""
        return split_selector(self.name)[0]

    @property
    def selector(self) -> str | None:
        return split_selector(self.name)[1]


@dataclass(frozen=True, slots=True)
class Plan:
    """Every SSM binding of one settings class, in field order.

    Attributes:
        sentinel: the full name of the parameter whose version change triggers a refetch
            of every key, or ``None`` when keys are polled on their own TTLs only.
        sentinel_ttl: seconds between polls of the sentinel (``None`` without one).
    """

    settings: str
    specs: tuple[ParamSpec, ...]
    default_ttl: float
    refresh: bool
    max_stale: float | None
    sentinel: str | None = None
    sentinel_ttl: float | None = None
    missing: Missing = "warn"


def _prefix(value: object) -> str:
    if not value:
        return ""
    if not isinstance(value, str):
        raise DeclarationError(f"ssm_prefix must be a path string, not {type(value).__name__}")
    try:
        check_path(value)
    except InvalidNameError as exc:
        raise DeclarationError(f"ssm_prefix: {exc}") from exc
    return value


def _class_key(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise DeclarationError(f"ssm_kms_key must be a key ARN, id or alias, not {value!r}")
    return value


def _sentinel(config: Mapping[str, Any], prefix: str) -> tuple[str | None, float | None]:
    """The sentinel's full name and poll period; a period needs a sentinel to poll."""
    name, ttl = config.get("ssm_sentinel"), config.get("ssm_sentinel_ttl")
    if name is None:
        if ttl is not None:
            raise DeclarationError(
                "ssm_sentinel_ttl is set but ssm_sentinel is not: name the sentinel parameter"
            )
        return None, None
    if not isinstance(name, str) or not name.strip():
        raise DeclarationError(f"ssm_sentinel must be a parameter name, not {name!r}")
    full = join_name(prefix, name)
    try:
        check_name(full, allow_selector=False)
    except InvalidNameError as exc:
        raise DeclarationError(f"ssm_sentinel: {exc}; it must name one parameter") from exc
    period = DEFAULT_SENTINEL_TTL if ttl is None else check_seconds(ttl, "ssm_sentinel_ttl")
    return full, period


def _refresh_mode(value: object) -> bool:
    if value not in ("on", "off"):
        raise DeclarationError(f"ssm_refresh must be 'on' or 'off', not {value!r}")
    return value == "on"


def _missing_mode(value: object) -> Missing:
    if value not in MISSING_MODES:
        raise DeclarationError(f"ssm_missing must be 'warn', 'error' or 'ignore', not {value!r}")
    return value  # type: ignore[return-value]


def batches(names: Iterable[str], size: int = BATCH_SIZE) -> tuple[tuple[str, ...], ...]:
    """Group unique ``names``, in order, into GetParameters calls of at most ``size`` names."""
    unique = list(dict.fromkeys(names))
    return tuple(tuple(unique[i : i + size]) for i in range(0, len(unique), size))


def build_plan(settings_cls: type[BaseModel]) -> Plan:
    """Read the SSM bindings of ``settings_cls``; raise on any unusable declaration."""
    config: Mapping[str, Any] = settings_cls.model_config
    owner = settings_cls.__name__
    check_config_keys(config, owner)
    try:
        prefix = _prefix(config.get("ssm_prefix", ""))
        default_ttl = check_seconds(config.get("ssm_ttl", DEFAULT_TTL), "ssm_ttl")
        stale = config.get("ssm_max_stale")
        max_stale = None if stale is None else check_seconds(stale, "ssm_max_stale")
        class_key = _class_key(config.get("ssm_kms_key"))
        refresh = _refresh_mode(config.get("ssm_refresh", "on"))
        sentinel, sentinel_ttl = _sentinel(config, prefix)
        missing = _missing_mode(config.get("ssm_missing", "warn"))
    except (InvalidNameError, DeclarationError) as exc:
        raise DeclarationError(f"{owner}: {exc}") from exc
    specs = tuple(
        _spec(
            settings_cls.__name__,
            field=field,
            info=info,
            prefix=prefix,
            default_ttl=default_ttl,
            class_key=class_key,
        )
        for field, info in settings_cls.model_fields.items()
    )
    return Plan(
        settings=settings_cls.__name__,
        specs=specs,
        default_ttl=default_ttl,
        refresh=refresh,
        max_stale=max_stale,
        sentinel=sentinel,
        sentinel_ttl=sentinel_ttl,
        missing=missing,
    )


def _spec(
    owner: str,
    *,
    field: str,
    info: FieldInfo,
    prefix: str,
    default_ttl: float,
    class_key: str | None,
) -> ParamSpec:
    where = f"{owner}.{field}"
    if isinstance(info.default, Param):
        raise DeclarationError(_param_as_default(where, field, info.annotation, info.default))
    params = [m for m in info.metadata if isinstance(m, Param)]
    if len(params) > 1:
        raise DeclarationError(f"{where}: more than one Param")
    param = params[0] if params else Param()
    param.check_positionals(where)
    try:
        if param.path is not None:
            name = join_name(prefix, param.path)
            check_path(name)
            name = name.rstrip("/") or "/"
            shape = _path_item_shape(where, info.annotation)
        else:
            name = join_name(prefix, param.name if param.name is not None else field)
            check_name(name)
            shape = shape_of(info.annotation)
    except InvalidNameError as exc:
        raise DeclarationError(f"{where}: {exc}") from exc
    return ParamSpec(
        field=field,
        name=name,
        is_path=param.path is not None,
        ttl=param.ttl if param.ttl is not None else default_ttl,
        shape=shape,
        kms_key=param.kms_key if param.kms_key is not None else class_key,
        required=info.is_required(),
    )


def _param_as_default(where: str, field: str, annotation: Any, param: Param) -> str:
    """The fix for ``field: T = Param(...)``, which pydantic reads as a default value."""
    args = ", ".join(
        repr(getattr(param, k)) if k == "name" else f"{k}={getattr(param, k)!r}"
        for k in ("name", "ttl", "path", "kms_key")
        if getattr(param, k) is not None
    )
    kind = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
    written = kind or repr(annotation).replace("typing.", "")
    return (
        f"{where}: Param(...) given as the default value binds nothing; declare it inside "
        f"Annotated: {field}: Annotated[{written}, Param({args})], then '= default' if any"
    )


def shape_of(annotation: Any) -> Shape:
    """How a raw SSM string becomes input for a field of this type."""
    annotation = _strip_optional(annotation)
    origin = get_origin(annotation)
    if origin is not None and origin in _SEQUENCES:
        args = get_args(annotation)
        if args and _strip_optional(args[0]) is str and (len(args) == 1 or args[1] is Ellipsis):
            return "string_list"
        return "json"
    if origin is not None and origin in _MAPPINGS:
        return "json"
    if _is_union(annotation):
        return "json" if any(shape_of(a) != "text" for a in get_args(annotation)) else "text"
    if isinstance(annotation, type) and _is_structured(annotation):
        return "json"
    return "text"


def _path_item_shape(where: str, annotation: Any) -> Shape:
    annotation = _strip_optional(annotation)
    if get_origin(annotation) in _MAPPINGS:
        args = get_args(annotation)
        return shape_of(args[1]) if len(args) == 2 else "text"
    raise DeclarationError(f"{where}: a path= field must be a dict[str, ...], not {annotation!r}")


_SEQUENCES = {list, tuple, set, frozenset, Sequence, typing.Sequence, typing.List, typing.Set}  # noqa: UP006
_MAPPINGS = {dict, Mapping, typing.Mapping, typing.Dict}  # noqa: UP006


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _strip_optional(annotation: Any) -> Any:
    if _is_union(annotation):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_structured(cls: type) -> bool:
    if issubclass(cls, (str, bytes, enum.Enum)):
        return False
    return (
        issubclass(cls, (BaseModel, dict, list, tuple, set, frozenset))
        or dataclasses.is_dataclass(cls)
        or typing.is_typeddict(cls)
    )
