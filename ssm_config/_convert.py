"""Raw SSM text + the field's declared shape -> the input pydantic validates.

Scalars (str, int, bool, SecretStr, URLs, ...) go to pydantic as text, which converts them
in lax mode; structured types are JSON; ``list[str]`` is a StringList. Errors say where the
text is wrong, never what it says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._fetch import Fetched
from ._plan import Shape


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
    return _json(value)


def convert_path(shape: Shape, items: Mapping[str, Fetched]) -> dict[str, Any]:
    """Convert every parameter under a path, keyed by its name relative to the path."""
    return {key: convert(shape, item) for key, item in sorted(items.items())}


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConversionError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
