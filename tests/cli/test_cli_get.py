"""``ssm-config get``: values in the order asked, JSON with the AWS CLI's keys, misses."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)


def test_prints_values_in_the_order_asked(ssm: Any, cli: Callable[..., Run]) -> None:
    """Each value is printed on its own line in argument order, SecureStrings decrypted."""
    ssm.put_parameter(Name="/app/a", Value="alpha", Type="String")
    ssm.put_parameter(Name="/app/s", Value="s3cret", Type="SecureString")
    ssm.put_parameter(Name="/app/l", Value="x,y", Type="StringList")

    result = cli("get", "/app/s", "/app/l", "/app/a")

    assert (result.code, result.out, result.err) == (0, "s3cret\nx,y\nalpha\n", "")


def test_json_uses_the_aws_cli_keys(ssm: Any, cli: Callable[..., Run]) -> None:
    """--json prints a list of objects keyed Name, Value, Type, Version, LastModifiedDate."""
    ssm.put_parameter(Name="/app/a", Value="one", Type="String")
    ssm.put_parameter(Name="/app/a", Value="two", Type="String", Overwrite=True)

    result = cli("get", "--json", "/app/a")

    assert result.code == 0
    [item] = json.loads(result.out)
    assert list(item) == ["Name", "Value", "Type", "Version", "LastModifiedDate"]
    assert item["Name"] == "/app/a"
    assert item["Value"] == "two"
    assert item["Type"] == "String"
    assert item["Version"] == 2
    assert datetime.fromisoformat(item["LastModifiedDate"]).utcoffset() is not None


def test_a_missing_name_is_named_and_the_others_still_printed(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """A missing name fails the run with one stderr line naming it, after printing the rest."""
    ssm.put_parameter(Name="/app/a", Value="alpha", Type="String")
    ssm.put_parameter(Name="/app/b", Value="beta", Type="String")

    result = cli("get", "/app/a", "/app/missing", "/app/b")

    assert result.code == 1
    assert result.out == "alpha\nbeta\n"
    assert result.err == "ssm-config: error: /app/missing: parameter not found\n"


def test_several_missing_names_share_one_line(ssm: Any, cli: Callable[..., Run]) -> None:
    """Two missing names are reported together on a single stderr line."""
    result = cli("get", "/app/x", "/app/y")

    assert result.code == 1
    assert result.err == "ssm-config: error: /app/x, /app/y: parameter not found\n"


def test_a_version_selector_reads_that_version(ssm: Any, cli: Callable[..., Run]) -> None:
    """name:1 prints version 1 even after an overwrite."""
    ssm.put_parameter(Name="/app/a", Value="old", Type="String")
    ssm.put_parameter(Name="/app/a", Value="new", Type="String", Overwrite=True)

    assert cli("get", "/app/a:1", "/app/a").out == "old\nnew\n"


def test_more_than_ten_names_are_batched_by_ten(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """23 names take three GetParameters calls and print in the order asked."""
    names = [f"/app/p{i:02d}" for i in range(23)]
    for name in names:
        ssm.put_parameter(Name=name, Value=name[-2:], Type="String")

    result = cli("get", *reversed(names))

    assert result.code == 0
    assert result.out.split() == [name[-2:] for name in reversed(names)]
    assert requests.operations == ["GetParameters"] * 3


def test_an_invalid_name_fails_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """A name breaking SSM's rules is an error naming it, and nothing is sent."""
    result = cli("get", "/app/ok", "/app/bad name")

    assert result.code == 1
    assert result.out == ""
    assert "'/app/bad name'" in result.err
    assert len(result.err.splitlines()) == 1
    assert requests.operations == []


def test_no_names_is_a_usage_error(ssm: Any, cli: Callable[..., Run]) -> None:
    """get without a name exits 2 with argparse's usage line."""
    result = cli("get")

    assert result.code == 2
    assert result.err.startswith("usage: ssm-config get")
