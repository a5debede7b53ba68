"""``ssm-config diff``: two paths by relative name, two versions, masking, exit codes, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)

SECRET_A = "staging-secret-value"
SECRET_B = "prod-secret-value"


@pytest.fixture
def envs(ssm: Any) -> Any:
    """/app/staging and /app/prod: one same, two changed (one secret), one only on each side."""
    for env, secret, size in (("staging", SECRET_A, "50"), ("prod", SECRET_B, "100")):
        ssm.put_parameter(Name=f"/app/{env}/db/password", Value=secret, Type="SecureString")
        ssm.put_parameter(Name=f"/app/{env}/page-size", Value=size, Type="String")
        ssm.put_parameter(Name=f"/app/{env}/region", Value="eu-west-1", Type="String")
    ssm.put_parameter(Name="/app/staging/debug", Value="true", Type="String")
    ssm.put_parameter(Name="/app/prod/alarms", Value="on", Type="String")
    return ssm


def test_paths_are_compared_by_relative_name(envs: Any, cli: Callable[..., Run]) -> None:
    """Only-in, changed and a summary are printed; the secret is masked; exit 1."""
    result = cli("diff", "/app/staging", "/app/prod")

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines() == [
        "only in /app/prod: alarms",
        "changed db/password: (masked: a SecureString; --values shows it)",
        "only in /app/staging: debug",
        'changed page-size: "50" -> "100"',
        "1 same, 2 changed, 1 only in /app/staging, 1 only in /app/prod",
    ]


def test_values_shows_secure_strings(envs: Any, cli: Callable[..., Run]) -> None:
    """--values prints both decrypted values of a changed SecureString."""
    result = cli("diff", "/app/staging", "/app/prod", "--values")

    assert f'changed db/password: "{SECRET_A}" -> "{SECRET_B}"' in result.out


def test_equal_trees_exit_zero(ssm: Any, cli: Callable[..., Run]) -> None:
    """Same relative names, values and types: exit 0; ciphertexts do not count as changes."""
    for env in ("a", "b"):
        ssm.put_parameter(Name=f"/{env}/x", Value="1", Type="String")
        ssm.put_parameter(Name=f"/{env}/key", Value=SECRET_A, Type="SecureString")

    result = cli("diff", "/a", "/b")

    assert (result.code, result.out) == (0, "2 same, 0 changed, 0 only in /a, 0 only in /b\n")


def test_a_type_change_is_a_change(ssm: Any, cli: Callable[..., Run]) -> None:
    """The same text as a String and as a SecureString differs by type, value still masked."""
    ssm.put_parameter(Name="/a/token", Value=SECRET_A, Type="String")
    ssm.put_parameter(Name="/b/token", Value=SECRET_A, Type="SecureString")

    result = cli("diff", "/a", "/b")

    assert result.code == 1
    assert "changed token: type String -> SecureString\n" in result.out
    assert SECRET_A not in result.out


def test_json_lists_every_status_and_masks_secrets(envs: Any, cli: Callable[..., Run]) -> None:
    """--json: OnlyInA/OnlyInB/Changed/Same, with no Value for a SecureString."""
    result = cli("diff", "/app/staging", "/app/prod", "--json")

    assert result.code == 1
    report = json.loads(result.out)
    assert (report["A"], report["B"], report["Equal"]) == ("/app/staging", "/app/prod", False)
    assert [e["Key"] for e in report["OnlyInA"]] == ["debug"]
    assert [e["Key"] for e in report["OnlyInB"]] == ["alarms"]
    assert report["Same"] == ["region"]
    changed = {e["Key"]: e for e in report["Changed"]}
    assert changed["page-size"]["B"] == {
        "Name": "/app/prod/page-size",
        "Type": "String",
        "Version": 1,
        "Value": "100",
    }
    assert "Value" not in changed["db/password"]["A"]
    assert SECRET_A not in result.out
    assert SECRET_B not in result.out


def test_json_with_values_includes_secrets(envs: Any, cli: Callable[..., Run]) -> None:
    """--json --values gives every Value, SecureStrings decrypted."""
    report = json.loads(cli("diff", "/app/staging", "/app/prod", "--json", "--values").out)

    changed = {e["Key"]: e for e in report["Changed"]}
    assert changed["db/password"]["A"]["Value"] == SECRET_A


def test_two_versions_of_one_parameter(ssm: Any, cli: Callable[..., Run]) -> None:
    """NAME:1 NAME:2 compares two versions; the same version twice exits 0."""
    ssm.put_parameter(Name="/app/size", Value="50", Type="String")
    ssm.put_parameter(Name="/app/size", Value="60", Type="String", Overwrite=True)

    changed = cli("diff", "/app/size:1", "/app/size:2")
    same = cli("diff", "/app/size:2", "/app/size")

    assert (changed.code, changed.out) == (1, 'changed /app/size:1 -> /app/size:2: "50" -> "60"\n')
    assert (same.code, same.out) == (0, "same /app/size:2 -> /app/size\n")


def test_versions_of_a_secret_are_masked(ssm: Any, cli: Callable[..., Run]) -> None:
    """Two versions of a SecureString differ without showing either value."""
    ssm.put_parameter(Name="/app/key", Value=SECRET_A, Type="SecureString")
    ssm.put_parameter(Name="/app/key", Value=SECRET_B, Type="SecureString", Overwrite=True)

    result = cli("diff", "/app/key:1", "/app/key:2", "--json")

    assert result.code == 1
    assert SECRET_A not in result.out
    assert SECRET_B not in result.out


def test_a_missing_version_is_one_line(ssm: Any, cli: Callable[..., Run]) -> None:
    """A version that does not exist is an error naming it, exit 1."""
    ssm.put_parameter(Name="/app/size", Value="50", Type="String")

    result = cli("diff", "/app/size:1", "/app/size:7")

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("ssm-config: error: /app/size:7: ")
    assert len(result.err.splitlines()) == 1


def test_an_empty_side_is_noted_on_stderr(envs: Any, cli: Callable[..., Run]) -> None:
    """A path with nothing under it (a typo?) is said on stderr; the diff still runs."""
    result = cli("diff", "/app/staging", "/app/prd")

    assert result.code == 1
    assert result.err == "ssm-config: note: no parameters under /app/prd\n"
    assert result.out.endswith("0 same, 0 changed, 4 only in /app/staging, 0 only in /app/prd\n")


@pytest.mark.parametrize(
    "argv",
    [["diff", "app", "/b"], ["diff", "/a", "/b//c"], ["diff", "/a/x:0", "/a/x:1"]],
    ids=["relative", "empty-level", "version-zero"],
)
def test_bad_names_are_one_line_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests, argv: list[str]
) -> None:
    """An invalid path or selector is one line, exit 1, and no request is sent."""
    result = cli(*argv)

    assert (result.code, result.out) == (1, "")
    assert len(result.err.splitlines()) == 1
    assert requests.operations == []


def test_one_argument_is_a_usage_error(cli: Callable[..., Run]) -> None:
    """diff needs two arguments: exit 2."""
    assert cli("diff", "/a").code == 2
