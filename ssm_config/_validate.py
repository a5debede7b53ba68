"""Raw input -> validated fields, or what was wrong with it: one path, one redaction.

A load and a refresh both end here: the load validates everything the settings sources
produced, a refresh validates the same input with the new SSM values put in. Both describe
a failure with :func:`explain`, which never quotes a value: pydantic's messages may quote
characters of the input, and its locations may be keys of it, so inside a field fed by a
SecureString only the field and the error type are told.

A validator that raises something other than ``ValueError``/``AssertionError`` escapes
pydantic unwrapped; :func:`locate` finds which field's validator it was, from the
traceback, so that the failure stays with its key and names it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from pydantic import BaseModel, ValidationError

from ._convert import convert, convert_path
from ._fetch import Outcome
from ._plan import ParamSpec

MODEL = "<model>"
"""The field name given to an error that belongs to no single field."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One validation failure: the field it belongs to and what was wrong, value-free."""

    field: str
    detail: str
    kind: str = "value_error"


def converted(spec: ParamSpec, key: str, outcome: Outcome) -> Any:
    """The validation input of ``spec``'s field from a fetch outcome.

    Raises:
        ConversionError: the raw text does not have the field's shape (JSON, StringList).
    """
    if spec.is_path:
        return convert_path(spec.shape, outcome.paths[key])
    return convert(spec.shape, outcome.values[key])


def validate_input(cls: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``data`` as ``cls`` without running any settings source; return its fields."""
    model = cls.__new__(cls)
    BaseModel.__init__(model, **data)
    return dict(model.__dict__)


def explain(
    exc: ValidationError, secure: Collection[str], to_field: Mapping[str, str]
) -> list[FieldProblem]:
    """Pydantic's errors as value-free problems, one per error.

    Args:
        exc: what pydantic raised.
        secure: field names fed by a SecureString (their details are withheld).
        to_field: input key (alias) -> field name.
    """
    problems = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = error["loc"]
        field = to_field.get(str(loc[0]), str(loc[0])) if loc else MODEL
        if field in secure or (field == MODEL and secure):
            detail = f"{error['type']} (details withheld: a SecureString)"
        else:
            where = ".".join(map(str, loc[1:]))
            detail = f"{where}: {error['msg']}" if where else error["msg"]
        problems.append(FieldProblem(field, detail, error["type"]))
    return problems


def locate(exc: BaseException, cls: type[BaseModel]) -> str:
    """The field whose validator raised ``exc`` (:data:`MODEL` if no single one did)."""
    codes = _validator_codes(cls)
    tb: TracebackType | None = exc.__traceback__
    found = MODEL
    while tb is not None:
        fields = codes.get(tb.tb_frame.f_code)
        if fields is not None:
            found = fields[0] if len(fields) == 1 else MODEL
        tb = tb.tb_next
    return found


def raised(exc: BaseException, field: str) -> FieldProblem:
    """A validator's own exception as a problem: its type only (its text may hold the value)."""
    return FieldProblem(field, f"a validator raised {type(exc).__name__}", "validator_raised")


def _validator_codes(cls: type[BaseModel]) -> dict[Any, tuple[str, ...]]:
    """Code object of each field validator -> the fields it validates."""
    decorators = cls.__pydantic_decorators__
    codes: dict[Any, tuple[str, ...]] = {}
    for field_dec in decorators.field_validators.values():
        code = _code_of(field_dec.func)
        if code is not None:
            codes[code] = tuple(field_dec.info.fields)
    for model_dec in decorators.model_validators.values():
        code = _code_of(model_dec.func)
        if code is not None:
            codes[code] = ()
    return codes


def _code_of(func: Any) -> Any:
    func = getattr(func, "__func__", func)
    return getattr(func, "__code__", None)


__all__ = [
    "MODEL",
    "FieldProblem",
    "converted",
    "explain",
    "locate",
    "raised",
    "validate_input",
]
