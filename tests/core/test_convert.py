"""Raw text -> validation input, with errors that never quote the value."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

import pytest

from ssm_config import ConfigError, Param, SSMSettings, SSMSettingsConfigDict
from ssm_config._convert import MAX_JSON_DEPTH, ConversionError, convert, convert_path
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


HOSTILE_JSON = {
    "4,000 brackets": "[" * 4000,
    "1,000 nested objects": '{"a": ' * 1000 + "1" + "}" * 1000,
    "a 5,000-digit integer": "7" * 5000,
}


@pytest.mark.parametrize("text", HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_hostile_json_is_a_conversion_error(text: str) -> None:
    """Deep nesting and over-long integers fail as ConversionError, not a raw exception."""
    with pytest.raises(ConversionError, match=r"nested more than|longer than") as info:
        convert("json", _item(text))
    assert "7777" not in str(info.value)
    assert info.value.__cause__ is None


def test_nesting_is_counted_outside_strings() -> None:
    """Brackets inside JSON strings do not count toward the depth limit."""
    text = json.dumps({"pattern": "[" * 500, "quote": '\\"{{{{'})
    assert convert("json", _item(text)) == json.loads(text)
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert convert("json", _item(deep)) == json.loads(deep)
    with pytest.raises(ConversionError, match=f"more than {MAX_JSON_DEPTH} levels"):
        convert("json", _item("[" + deep + "]"))


class _Hostile(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/hostile", ssm_refresh="off")

    flags: Annotated[dict[str, Any], Param("feature-flags")]
    limits: Annotated[list[int], Param("limits")] = []


@pytest.mark.parametrize("text", HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_hostile_json_at_load_is_a_config_error(ssm: Any, text: str) -> None:
    """A hostile value at load is a ConfigError naming the parameter and the field."""
    ssm.put_parameter(Name="/hostile/feature-flags", Value=text, Type="String", Tier="Advanced")
    with pytest.raises(ConfigError) as info:
        _Hostile(_ssm_client=ssm)
    message = str(info.value)
    assert "/hostile/feature-flags" in message
    assert "field 'flags'" in message
    assert "nested more than" in message or "longer than" in message
    assert "7777" not in message


@pytest.mark.parametrize("text", HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_hostile_json_at_refresh_keeps_the_last_good_value(
    ssm: Any, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A hostile new version is rejected with what is wrong; the last good value stays."""
    ssm.put_parameter(Name="/hostile/feature-flags", Value='{"beta": true}', Type="String")
    ssm.put_parameter(Name="/hostile/limits", Value="[1, 2]", Type="String")
    config = _Hostile(_ssm_client=ssm)
    ssm.put_parameter(
        Name="/hostile/limits", Value=text, Type="String", Tier="Advanced", Overwrite=True
    )
    with caplog.at_level(logging.WARNING, logger="ssm_config"):
        assert config.ssm_refresh() == []
    assert config.limits == [1, 2]
    assert "/hostile/limits" in caplog.text
    assert "nested more than" in caplog.text or "longer than" in caplog.text
    assert "validator raised" not in caplog.text
    assert "7777" not in caplog.text


def test_string_list_for_a_json_field_says_what_to_declare() -> None:
    """A StringList feeding list[int] (or any JSON shape) names the fix, not "not valid JSON"."""
    with pytest.raises(ConversionError, match=r"StringList converts only to list\[str\]") as info:
        convert("json", _item("8080,8443", "StringList"))
    assert "declare the field list[str]" in str(info.value)
    assert "8080" not in str(info.value)
    assert convert("json", _item("7", "StringList")) == 7  # one JSON-valid item still passes


def test_string_list_for_list_int_at_load(ssm: Any) -> None:
    """At load, the StringList mismatch is reported with the parameter, field and fix."""
    ssm.put_parameter(Name="/hostile/feature-flags", Value="{}", Type="String")
    ssm.put_parameter(Name="/hostile/limits", Value="1,2,3", Type="StringList")
    with pytest.raises(ConfigError, match=r"/hostile/limits \(field 'limits'\): a StringList"):
        _Hostile(_ssm_client=ssm)
