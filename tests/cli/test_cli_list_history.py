"""``ssm-config list`` and ``history``: names and versions, values only when asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)


def seed_tree(ssm: Any) -> None:
    """Three parameters on two levels of /app, and one elsewhere."""
    ssm.put_parameter(Name="/app/b", Value="beta", Type="String")
    ssm.put_parameter(Name="/app/a", Value="alpha-secret", Type="SecureString")
    ssm.put_parameter(Name="/app/deep/c", Value="x,y", Type="StringList")
    ssm.put_parameter(Name="/other/d", Value="delta", Type="String")


def test_list_is_recursive_sorted_and_shows_no_values(ssm: Any, cli: Callable[..., Run]) -> None:
    """Names under the path at every depth, sorted, and no value printed."""
    seed_tree(ssm)

    result = cli("list", "/app")

    assert (result.code, result.out, result.err) == (0, "/app/a\n/app/b\n/app/deep/c\n", "")


def test_list_no_recursive_stays_on_one_level(ssm: Any, cli: Callable[..., Run]) -> None:
    """--no-recursive leaves out deeper levels."""
    seed_tree(ssm)

    assert cli("list", "/app", "--no-recursive").out == "/app/a\n/app/b\n"


def test_list_values_prints_name_tab_value_decrypted(ssm: Any, cli: Callable[..., Run]) -> None:
    """--values adds each value after a tab, SecureStrings decrypted."""
    seed_tree(ssm)

    result = cli("list", "/app", "--values")

    assert result.out == "/app/a\talpha-secret\n/app/b\tbeta\n/app/deep/c\tx,y\n"


def test_list_json_has_no_value_unless_asked(ssm: Any, cli: Callable[..., Run]) -> None:
    """--json lists Name, Type, Version, LastModifiedDate; Value only with --values."""
    seed_tree(ssm)

    plain = json.loads(cli("list", "/app", "--json").out)
    with_values = json.loads(cli("list", "/app", "--json", "--values").out)

    assert [list(item) for item in plain] == [["Name", "Type", "Version", "LastModifiedDate"]] * 3
    assert [item["Name"] for item in plain] == ["/app/a", "/app/b", "/app/deep/c"]
    assert [item["Value"] for item in with_values] == ["alpha-secret", "beta", "x,y"]


def test_list_reads_every_page(ssm: Any, cli: Callable[..., Run], requests: Requests) -> None:
    """25 parameters take several GetParametersByPath pages, and all are listed."""
    for i in range(25):
        ssm.put_parameter(Name=f"/many/p{i:02d}", Value=str(i), Type="String")

    result = cli("list", "/many")

    assert result.out.split() == [f"/many/p{i:02d}" for i in range(25)]
    assert requests.count("GetParametersByPath") > 1


def test_list_of_an_empty_path_prints_nothing(ssm: Any, cli: Callable[..., Run]) -> None:
    """A path with nothing under it is not an error: no lines, or [] with --json."""
    assert (cli("list", "/empty").code, cli("list", "/empty").out) == (0, "")
    assert json.loads(cli("list", "/empty", "--json").out) == []


def test_list_of_an_invalid_path_fails_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """A path not starting with '/' is an error naming it, and nothing is sent."""
    result = cli("list", "app")

    assert result.code == 1
    assert result.err == "ssm-config: error: path 'app': a path must begin with '/'\n"
    assert requests.operations == []


def seed_history(ssm: Any) -> None:
    """Three versions of a SecureString, the first labelled."""
    for value in ("first-secret", "second-secret", "third-secret"):
        ssm.put_parameter(Name="/app/pw", Value=value, Type="SecureString", Overwrite=True)
    ssm.label_parameter_version(Name="/app/pw", ParameterVersion=1, Labels=["stable", "old"])


def test_history_shows_versions_users_and_labels_without_values(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """A table with a header and one row per version, oldest first, and no values."""
    seed_history(ssm)

    result = cli("history", "/app/pw")

    lines = result.out.splitlines()
    assert result.code == 0
    assert lines[0].split() == ["VERSION", "LAST", "MODIFIED", "USER", "LABELS"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    assert lines[1].split()[-1] in {"stable,old", "old,stable"}
    assert lines[2].split()[-1] == "-"
    assert "secret" not in result.out


def test_history_values_are_decrypted(ssm: Any, cli: Callable[..., Run]) -> None:
    """--values adds a VALUE column with each version's decrypted value."""
    seed_history(ssm)

    lines = cli("history", "/app/pw", "--values").out.splitlines()

    assert lines[0].split()[-1] == "VALUE"
    assert [line.split()[-1] for line in lines[1:]] == [
        "first-secret",
        "second-secret",
        "third-secret",
    ]


def test_history_json_uses_aws_keys_and_hides_values(ssm: Any, cli: Callable[..., Run]) -> None:
    """--json objects carry Version, LastModifiedDate, LastModifiedUser, Labels; no Value."""
    seed_history(ssm)

    entries = json.loads(cli("history", "/app/pw", "--json").out)
    with_values = json.loads(cli("history", "/app/pw", "--json", "--values").out)

    assert list(entries[0]) == [
        "Name",
        "Type",
        "Version",
        "LastModifiedDate",
        "LastModifiedUser",
        "Labels",
    ]
    assert [entry["Version"] for entry in entries] == [1, 2, 3]
    assert sorted(entries[0]["Labels"]) == ["old", "stable"]
    assert [entry["Value"] for entry in with_values][-1] == "third-secret"


def test_history_of_a_missing_parameter_is_an_error(ssm: Any, cli: Callable[..., Run]) -> None:
    """A name that does not exist fails with one line naming it."""
    result = cli("history", "/app/nope")

    assert (result.code, result.out) == (1, "")
    assert result.err == "ssm-config: error: /app/nope: parameter not found\n"


def test_history_refuses_a_selector(ssm: Any, cli: Callable[..., Run], requests: Requests) -> None:
    """History is of a whole parameter, so name:3 is refused before any request."""
    result = cli("history", "/app/pw:3")

    assert result.code == 1
    assert "selector is not allowed" in result.err
    assert requests.operations == []
