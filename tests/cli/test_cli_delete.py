"""``ssm-config delete``: batches of 10, missing names reported after the rest are gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)


def names_in(ssm: Any, path: str) -> list[str]:
    """The parameters left under ``path``."""
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True)
    return sorted(item["Name"] for page in pages for item in page["Parameters"])


def test_delete_removes_the_names_and_says_so(ssm: Any, cli: Callable[..., Run]) -> None:
    """Each deleted name is printed and is gone afterwards."""
    for name in ("/app/a", "/app/b", "/app/keep"):
        ssm.put_parameter(Name=name, Value="v", Type="String")

    result = cli("delete", "/app/a", "/app/b")

    assert (result.code, result.out, result.err) == (0, "deleted /app/a\ndeleted /app/b\n", "")
    assert names_in(ssm, "/app") == ["/app/keep"]


def test_missing_names_are_reported_after_deleting_the_others(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """Names that did not exist fail the run (exit 1), but the existing ones are deleted."""
    ssm.put_parameter(Name="/app/a", Value="v", Type="String")

    result = cli("delete", "/app/ghost", "/app/a", "/app/phantom")

    assert result.code == 1
    assert result.out == "deleted /app/a\n"
    assert result.err == (
        "ssm-config: error: /app/ghost, /app/phantom: not found, nothing deleted\n"
    )
    assert names_in(ssm, "/app") == []


def test_more_than_ten_names_are_deleted_in_batches_of_ten(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """25 names take three DeleteParameters calls."""
    names = [f"/bulk/p{i:02d}" for i in range(25)]
    for name in names:
        ssm.put_parameter(Name=name, Value="v", Type="String")

    result = cli("delete", *names)

    assert result.code == 0
    assert result.out.splitlines() == [f"deleted {name}" for name in names]
    assert requests.operations == ["DeleteParameters"] * 3
    assert names_in(ssm, "/bulk") == []


def test_an_invalid_name_deletes_nothing(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """One invalid name fails the whole command before any request."""
    ssm.put_parameter(Name="/app/a", Value="v", Type="String")

    result = cli("delete", "/app/a", "/app//b")

    assert result.code == 1
    assert "'/app//b'" in result.err
    assert requests.operations == []
    assert names_in(ssm, "/app") == ["/app/a"]
