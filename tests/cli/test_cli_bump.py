"""``ssm-config bump`` and ``put --bump``: one command to tell sentinel watchers to re-fetch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)


def _sentinel(ssm: Any) -> tuple[int, str]:
    parameter = ssm.get_parameter(Name="/app/config-version")["Parameter"]
    return parameter["Version"], parameter["Value"]


def test_bump_writes_a_new_value_each_time(ssm: Any, cli: Callable[..., Run]) -> None:
    """Each bump is a new version (a new timestamp), created on first use."""
    first = cli("bump", "/app/config-version")
    second = cli("bump", "/app/config-version")
    assert (first.code, first.out, second.out) == (0, "1\n", "2\n")
    version, value = _sentinel(ssm)
    assert version == 2
    assert value.endswith("+00:00")


def test_put_bump_writes_the_value_then_the_sentinel(ssm: Any, cli: Callable[..., Run]) -> None:
    """The value is written first, then the sentinel; stdout keeps the value's version."""
    result = cli("put", "/app/page-size", "50", "--bump", "/app/config-version")
    assert (result.code, result.out) == (0, "1\n")
    assert "bumped /app/config-version to version 1" in result.err
    assert ssm.get_parameter(Name="/app/page-size")["Parameter"]["Value"] == "50"
    assert _sentinel(ssm)[0] == 1


def test_a_failed_put_bumps_nothing(ssm: Any, cli: Callable[..., Run]) -> None:
    """Without --overwrite an existing parameter is left alone, and so is the sentinel."""
    ssm.put_parameter(Name="/app/page-size", Value="10", Type="String")
    result = cli("put", "/app/page-size", "50", "--bump", "/app/config-version")
    assert result.code == 1
    assert (
        ssm.describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": ["/app/config-version"]}]
        )["Parameters"]
        == []
    )


def test_a_bad_sentinel_name_is_refused_before_any_request(
    cli: Callable[..., Run], requests: Requests
) -> None:
    """An invalid sentinel name is one line, exit 1, and nothing is written."""
    result = cli("put", "/app/page-size", "50", "--bump", "no spaces allowed")
    assert result.code == 1
    assert "no spaces allowed" in result.err
    assert requests.operations == []
