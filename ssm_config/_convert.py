"""Raw SSM text + the field's declared shape -> the input pydantic validates.

Scalars (str, int, bool, SecretStr, URLs, ...) go to pydantic as text, which converts them
in lax mode; structured types are JSON; ``list[str]`` is a StringList. Errors say where the
text is wrong, never what it says.

Hostile text must fail here, as a :class:`ConversionError` naming what is wrong, and never
as a raw exception: JSON nested deeper than :data:`MAX_JSON_DEPTH` is refused before it is
parsed (CPython's parser raises RecursionError near 1,000 levels, and anything deep enough
to pass it can still exhaust the stack in validation, ``repr`` or ``model_copy``), and an
integer longer than Python's digit limit is reported as such.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from typing import Any

from ._fetch import Fetched
from ._plan import Shape

MAX_JSON_DEPTH = 64
"""Deepest nesting of JSON arrays and objects accepted; real configuration stays far below."""

_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
"""A JSON string (skipped whole, so brackets inside it do not count) or a bracket."""


_STRING_LIST_AS_JSON = (
    "a StringList converts only to list[str]; declare the field list[str] (and convert "
    "the items in a validator), or store a String holding JSON such as [1, 2]"
)


class ConversionError(ValueError):
    """Raw text that cannot become the declared shape (message carries no value)."""


def convert(shape: Shape, item: Fetched) -> Any:
    """Turn one fetched parameter into validation input for a field of ``shape``."""
    value = item.value
    if shape == "text":
        return value
    if shape == "string_list":
        if item.type != "StringList" and value.lstrip().startswith("["):
            return _json(value)
        return value.split(",") if value else []
    if item.type == "StringList":
        return _json(value, invalid=_STRING_LIST_AS_JSON)
    return _json(value)


def convert_path(shape: Shape, items: Mapping[str, Fetched]) -> dict[str, Any]:
    """Convert every parameter under a path, keyed by its name relative to the path."""
    return {key: convert(shape, item) for key, item in sorted(items.items())}


def _json(value: str, *, invalid: str | None = None) -> Any:
    """``value`` decoded as JSON; ``invalid``: the message when it is not JSON at all."""
    if _depth(value) > MAX_JSON_DEPTH:
        raise ConversionError(
            f"JSON nested more than {MAX_JSON_DEPTH} levels deep; flatten the structure"
        )
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        if invalid is not None:
            raise ConversionError(invalid) from None
        raise ConversionError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:  # unreachable below MAX_JSON_DEPTH; kept as the last line
        raise ConversionError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:  # int() refusing a number over Python's digit limit
        if "integer string conversion" not in str(exc):
            raise ConversionError("not valid JSON") from None
        raise ConversionError(
            f"JSON holds an integer longer than {_digit_limit()} digits, Python's limit; "
            "store it as a string"
        ) from None


def _depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _digit_limit() -> int:
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    return limit
