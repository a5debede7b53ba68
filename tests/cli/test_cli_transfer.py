"""``ssm-config export`` and ``import``: formats, the round trip, plan/overwrite, bad files."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dotenv
import pytest
import yaml

from ._env_helpers import described, stored

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support", "tests.cli._env_support")

SECRET = "s3cr3t-never-shown"
AWKWARD = 'it\'s a "quote", a \\ backslash,\ta tab\nand a $HOME'


@pytest.fixture
def seeded(ssm: Any) -> Any:
    """Four parameters under /app/prod, one of each type, one described, one Advanced."""
    ssm.put_parameter(Name="/app/prod/db/password", Value=SECRET, Type="SecureString")
    ssm.put_parameter(
        Name="/app/prod/page-size", Value="50", Type="String", Description="rows per page"
    )
    ssm.put_parameter(Name="/app/prod/origins", Value="a.com,b.com", Type="StringList")
    ssm.put_parameter(Name="/app/prod/banner", Value=AWKWARD, Type="String", Tier="Advanced")
    return ssm


def test_export_json_carries_types_and_relative_names(seeded: Any, cli: Callable[..., Run]) -> None:
    """JSON maps each relative name to Type and Value (decrypted), plus non-default metadata."""
    result = cli("export", "/app/prod")

    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out) == {
        "banner": {"Type": "String", "Value": AWKWARD, "Tier": "Advanced"},
        "db/password": {"Type": "SecureString", "Value": SECRET},
        "origins": {"Type": "StringList", "Value": "a.com,b.com"},
        "page-size": {"Type": "String", "Value": "50", "Description": "rows per page"},
    }


def test_export_yaml_is_the_same_document(seeded: Any, cli: Callable[..., Run]) -> None:
    """YAML holds what JSON holds, every value a string (50 stays '50')."""
    as_json = json.loads(cli("export", "/app/prod/").out)
    result = cli("export", "/app/prod", "--format", "yaml")

    assert result.code == 0
    assert yaml.safe_load(result.out) == as_json


def test_export_dotenv_reads_back_with_python_dotenv(seeded: Any, cli: Callable[..., Run]) -> None:
    """dotenv names are variables (DB_PASSWORD) and python-dotenv reads every value back."""
    result = cli("export", "/app/prod", "--format", "dotenv")

    assert result.code == 0
    assert dotenv.dotenv_values(stream=io.StringIO(result.out), interpolate=False) == {
        "BANNER": AWKWARD,
        "DB_PASSWORD": SECRET,
        "ORIGINS": "a.com,b.com",
        "PAGE_SIZE": "50",
    }


def test_dotenv_names_that_collide_are_refused(ssm: Any, cli: Callable[..., Run]) -> None:
    """Two names that become one variable (a-b, a_b) are an error naming both."""
    ssm.put_parameter(Name="/app/a-b", Value="1", Type="String")
    ssm.put_parameter(Name="/app/a_b", Value="2", Type="String")

    result = cli("export", "/app", "--format", "dotenv")

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "ssm-config: error: a-b and a_b both become A_B in a dotenv file; "
        "export them as json or yaml\n"
    )


def test_export_output_file_is_private(
    seeded: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """--output writes the file readable by its owner only, even over a wider existing one."""
    target = tmp_path / "prod.json"
    target.write_text("old")
    os.chmod(target, 0o644)

    result = cli("export", "/app/prod", "--output", str(target))

    assert (result.code, result.out, result.err) == (0, "", "")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["db/password"]["Value"] == SECRET


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_then_import_reproduces_names_values_and_types(
    seeded: Any, cli: Callable[..., Run], tmp_path: Path, suffix: str
) -> None:
    """An export imported under another path gives the same names, values, types, metadata."""
    file = tmp_path / f"prod{suffix}"
    assert cli("export", "/app/prod", "-o", str(file), "--format", suffix[1:]).code == 0

    result = cli("import", str(file), "/app/copy")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "created    /app/copy/banner",
        "created    /app/copy/db/password",
        "created    /app/copy/origins",
        "created    /app/copy/page-size",
    ]
    relative = {name[len("/app/prod/") :]: v for name, v in stored(seeded, "/app/prod").items()}
    copied = {name[len("/app/copy/") :]: v for name, v in stored(seeded, "/app/copy").items()}
    assert copied == relative
    assert described(seeded, "/app/copy/page-size")["Description"] == "rows per page"
    assert described(seeded, "/app/copy/banner")["Tier"] == "Advanced"


def test_dotenv_import_takes_the_type_given(
    seeded: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """A dotenv file, which has no types, is imported with --type for every entry."""
    file = tmp_path / "prod.env"
    file.write_text(cli("export", "/app/prod", "--format", "dotenv").out)

    result = cli("import", str(file), "/app/env", "--type", "SecureString")

    assert result.code == 0
    assert stored(seeded, "/app/env") == {
        "/app/env/BANNER": ("SecureString", AWKWARD),
        "/app/env/DB_PASSWORD": ("SecureString", SECRET),
        "/app/env/ORIGINS": ("SecureString", "a.com,b.com"),
        "/app/env/PAGE_SIZE": ("SecureString", "50"),
    }


def test_import_reads_standard_input(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """FILE '-' reads standard input; hand-written YAML may give a bare string as a String."""
    text = "greeting: hello\nkey:\n  Type: SecureString\n  Value: k3y\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    result = cli("import", "-", "/app", "--format", "yaml")

    assert result.code == 0
    assert stored(ssm, "/app") == {
        "/app/greeting": ("String", "hello"),
        "/app/key": ("SecureString", "k3y"),
    }


def test_import_plan_and_overwrite(ssm: Any, cli: Callable[..., Run], tmp_path: Path) -> None:
    """--plan writes nothing; without --overwrite a different value stays (exit 1); with, goes."""
    ssm.put_parameter(Name="/app/a", Value="old", Type="String")
    ssm.put_parameter(Name="/app/b", Value="same", Type="String")
    file = tmp_path / "in.json"
    file.write_text(json.dumps({"a": "new", "b": "same", "c": "added"}))

    planned = cli("import", str(file), "/app", "--plan")
    kept = cli("import", str(file), "/app")
    after_kept = stored(ssm, "/app")
    replaced = cli("import", str(file), "/app", "--overwrite")

    assert planned.code == 1
    assert planned.out.splitlines() == [
        "differs    /app/a  (left untouched: pass --overwrite to replace it)",
        "same       /app/b",
        "create     /app/c",
    ]
    assert "would be left untouched: /app/a" in planned.err
    assert kept.code == 1
    assert after_kept == {
        "/app/a": ("String", "old"),
        "/app/b": ("String", "same"),
        "/app/c": ("String", "added"),
    }
    assert (replaced.code, replaced.out.splitlines()[0]) == (0, "overwrote  /app/a")
    assert stored(ssm, "/app")["/app/a"] == ("String", "new")


@pytest.mark.parametrize(
    "case",
    [
        ('{"a": "1", "a": "2"}', "'a' appears twice"),
        ('{"a": ', "not valid JSON (Expecting value at line 1 column 7)"),
        ('["a"]', "expected a mapping of names to parameters"),
        ('{"/abs": "1"}', "names in the file are relative to PATH"),
        ('{"a": 5}', "'a': expected text or a mapping with Type and Value"),
        ('{"a": {"Type": "Secret", "Value": "x"}}', "Type 'Secret' is not one of"),
        ('{"a": {"Type": "String"}}', "'a': no Value"),
        ('{"a": {"Value": "x", "Colour": "red"}}', "unknown field 'Colour'"),
        ('{"bad name!": "x"}', "only letters, digits"),
        ('{"ok": "fine", "empty": ""}', "/app/empty: the value is empty"),
        (json.dumps({"big": "x" * 5000}), "over the Standard tier's 4096; pass --tier Advanced"),
        ("{}", "no parameters in it, nothing to import"),
    ],
    ids=[
        "duplicate",
        "bad-json",
        "not-a-mapping",
        "absolute",
        "number",
        "bad-type",
        "no-value",
        "unknown-field",
        "bad-name",
        "empty-value",
        "too-big",
        "empty-file",
    ],
)
def test_a_bad_file_is_one_line_and_writes_nothing(
    ssm: Any, cli: Callable[..., Run], tmp_path: Path, requests: Requests, case: tuple[str, str]
) -> None:
    """Each fault of an import file is one line on stderr, exit 1, before any request."""
    text, says = case
    file = tmp_path / "in.json"
    file.write_text(text)

    result = cli("import", str(file), "/app")

    assert (result.code, result.out) == (1, "")
    assert says in result.err
    assert len(result.err.splitlines()) == 1
    assert requests.operations == []


def test_bad_yaml_and_dotenv_never_quote_the_file(
    ssm: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Parse errors give a line number, never text of the file (which holds secrets)."""
    bad_yaml = tmp_path / "in.yaml"
    bad_yaml.write_text(f"a:\n  Value: {SECRET}\n  Type: [String\n")
    bad_env = tmp_path / "in.env"
    bad_env.write_text(f"OK=1\nPASSWORD='{SECRET}\n")

    results = [
        cli("import", str(bad_yaml), "/app"),
        cli("import", str(bad_env), "/app", "--type", "SecureString"),
    ]

    assert [r.code for r in results] == [1, 1]
    assert results[0].err.startswith(f"ssm-config: error: {bad_yaml}: not valid YAML (")
    assert results[1].err == (
        f"ssm-config: error: {bad_env}: line 2: the quoted value has no closing '\n"
    )
    for result in results:
        assert SECRET not in result.err + result.out
    assert stored(ssm, "/app") == {}


@pytest.mark.parametrize(
    "case",
    [
        (["import", "in.txt", "/app"], "cannot tell the format of 'in.txt'"),
        (["import", "in.env", "/app"], "a dotenv file carries no types: pass --type"),
        (["import", "in.json", "/app", "--type", "String"], "--type is for dotenv files"),
        (["export", "/app", "--format", "xml"], "invalid choice: 'xml'"),
    ],
    ids=["unknown-suffix", "dotenv-without-type", "type-with-json", "unknown-format"],
)
def test_bad_usage_exits_2(
    ssm: Any, cli: Callable[..., Run], requests: Requests, case: tuple[list[str], str]
) -> None:
    """Format and --type mistakes are usage errors, caught before reading or any request."""
    argv, says = case

    result = cli(*argv)

    assert result.code == 2
    assert says in result.err
    assert requests.operations == []


def test_an_unreadable_file_is_one_line(ssm: Any, cli: Callable[..., Run], tmp_path: Path) -> None:
    """A missing file is named with the system's reason."""
    result = cli("import", str(tmp_path / "nope.json"), "/app")

    assert result.code == 1
    assert (
        result.err
        == f"ssm-config: error: cannot read {tmp_path / 'nope.json'}: No such file or directory\n"
    )


def test_export_of_an_empty_path_is_an_error(ssm: Any, cli: Callable[..., Run]) -> None:
    """Nothing under PATH is an error, not an empty document."""
    result = cli("export", "/app/none")

    assert (result.code, result.out) == (1, "")
    assert result.err == "ssm-config: error: /app/none: no parameters under it, nothing to export\n"


def test_import_output_never_shows_a_value(
    seeded: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Import's plan and report print names only, never the secret they write."""
    file = tmp_path / "prod.json"
    file.write_text(cli("export", "/app/prod").out)
    seeded.put_parameter(Name="/app/copy/db/password", Value="other", Type="SecureString")

    results = [
        cli("import", str(file), "/app/copy", "--plan"),
        cli("import", str(file), "/app/copy"),
        cli("import", str(file), "/app/copy", "--overwrite"),
    ]

    assert [r.code for r in results] == [1, 1, 0]
    for result in results:
        assert SECRET not in result.out + result.err
