"""Raw text -> validation input, with errors that never quote the value."""

from __future__ import annotations

import pytest

from ssm_config._convert import ConversionError, convert, convert_path
from ssm_config._fetch import Fetched


def _item(value: str, kind: str = "String") -> Fetched:
    return Fetched(name="/x", value=value, type=kind, version=1)


def test_text_passes_through() -> None:
    """Scalars reach pydantic as text."""
    assert convert("text", _item("42")) == "42"


def test_string_list_splits_and_accepts_json() -> None:
    """StringList splits on commas; a JSON list in a String also works; empty is []."""
    assert convert("string_list", _item("a,b,c", "StringList")) == ["a", "b", "c"]
    assert convert("string_list", _item('["a,b", "c"]')) == ["a,b", "c"]
    assert convert("string_list", _item("", "StringList")) == []


def test_json_and_its_errors_hide_the_value() -> None:
    """Structured fields are JSON; bad JSON says where, not what."""
    assert convert("json", _item('{"beta": true}')) == {"beta": True}
    with pytest.raises(ConversionError, match="not valid JSON") as info:
        convert("json", _item('{"password": "hunter2"'))
    assert "hunter2" not in str(info.value)
    assert info.value.__cause__ is None


def test_fetched_repr_hides_the_value() -> None:
    """A fetched parameter's repr shows no value."""
    assert "s3cret" not in repr(_item("s3cret", "SecureString"))


def test_path_items_convert_each() -> None:
    """Every item under a path is converted by the dict's value type."""
    items = {"b": _item("2"), "a": _item("1")}
    assert convert_path("json", items) == {"a": 1, "b": 2}
