"""Failures every command shares: throttling, access denied, region, profile, usage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)

# (argv, the SSM operation it sends, the parameter or path its errors must name)
COMMANDS = [
    (["get", "/app/a"], "GetParameters", "/app/a"),
    (["put", "/app/new", "value"], "PutParameter", "/app/new"),
    (["list", "/app"], "GetParametersByPath", "/app"),
    (["history", "/app/a"], "GetParameterHistory", "/app/a"),
    (["delete", "/app/a"], "DeleteParameters", "/app/a"),
]
IDS = [argv[0] for argv, _, _ in COMMANDS]


@pytest.fixture
def seeded(ssm: Any) -> Any:
    """One parameter, so every command has something to act on."""
    ssm.put_parameter(Name="/app/a", Value="alpha-value", Type="SecureString")
    return ssm


@pytest.mark.parametrize("case", COMMANDS, ids=IDS)
def test_throttling_is_retried_then_reported_as_throttled(
    seeded: Any,
    cli: Callable[..., Run],
    fail_with: Callable[..., Requests],
    case: tuple[list[str], str, str],
) -> None:
    """A request throttled every time is retried by botocore, then named as throttled."""
    argv, operation, subject = case
    sent = fail_with(operation, "ThrottlingException", message="Rate exceeded")

    result = cli(*argv)

    assert result.code == 1
    assert sent.count(operation) > 1  # botocore retried; how often is _client's to decide
    assert result.err.startswith(f"ssm-config: error: {subject}: throttled by SSM ({operation})")
    assert len(result.err.splitlines()) == 1
    assert "Traceback" not in result.err


def test_a_throttle_that_passes_is_invisible(
    seeded: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Throttled twice then answered, get succeeds: botocore's retries did their work."""
    from tests._cli_support import error_response, hook_clients, zero_backoff

    remaining = [2]

    def throttle_twice(client: Any) -> None:
        def handler(request: Any, **kwargs: Any) -> Any:
            if remaining[0] == 0:
                return None
            remaining[0] -= 1
            return error_response(request, "ThrottlingException", "Rate exceeded")

        client.meta.events.register("before-send.ssm.GetParameters", handler)

    zero_backoff(monkeypatch)
    hook_clients(monkeypatch, throttle_twice)

    result = cli("get", "/app/a")

    assert (result.code, result.out, result.err) == (0, "alpha-value\n", "")
    assert remaining == [0]


@pytest.mark.parametrize("case", COMMANDS, ids=IDS)
def test_access_denied_names_the_action_and_parameter(
    seeded: Any,
    cli: Callable[..., Run],
    fail_with: Callable[..., Requests],
    case: tuple[list[str], str, str],
) -> None:
    """An AccessDeniedException is one line naming the parameter and the ssm: action."""
    argv, operation, subject = case
    fail_with(operation, "AccessDeniedException", message="not authorized by policy")

    result = cli(*argv)

    assert result.code == 1
    assert result.err == (
        f"ssm-config: error: {subject}: access denied to ssm:{operation}: "
        "not authorized by policy\n"
    )
    assert "alpha-value" not in result.out + result.err


def test_access_denied_on_one_name_still_prints_the_others(
    seeded: Any, cli: Callable[..., Run], fail_with: Callable[..., Requests]
) -> None:
    """When IAM refuses one name of a batch, the others are printed and it alone is named."""
    seeded.put_parameter(Name="/secret/x", Value="hidden", Type="SecureString")
    fail_with("GetParameters", "AccessDeniedException", when="/secret/x", message="no")

    result = cli("get", "/app/a", "/secret/x")

    assert result.code == 1
    assert result.out == "alpha-value\n"
    assert result.err == "ssm-config: error: /secret/x: access denied to ssm:GetParameters: no\n"


def test_no_region_is_one_clear_line(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without any region the error says how to give one, before any request."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)

    result = cli("get", "/app/a")

    assert result.code == 1
    assert result.err.startswith("ssm-config: error: no AWS region: pass --region")


def test_an_unknown_profile_is_one_clear_line(ssm: Any, cli: Callable[..., Run]) -> None:
    """--profile naming no profile fails with botocore's explanation on one line."""
    result = cli("--profile", "nobody", "get", "/app/a")

    assert result.code == 1
    assert result.err == (
        "ssm-config: error: cannot set up the SSM client: "
        "The config profile (nobody) could not be found\n"
    )


def test_aws_region_wins_over_aws_default_region(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the AWS CLI, AWS_REGION takes precedence over AWS_DEFAULT_REGION."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")

    assert cli("put", "/app/where", "here").code == 0

    assert boto3.client("ssm", region_name="eu-west-1").get_parameter(Name="/app/where")
    assert cli("--region", "us-east-1", "get", "/app/where").code == 1


def test_the_profile_region_is_used(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--profile reads the profile's region from the AWS config file, as the AWS CLI does."""
    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\nregion = ap-south-1\naws_access_key_id = testing\n"
        "aws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    assert cli("--profile", "ops", "put", "/app/where", "there").code == 0

    assert boto3.client("ssm", region_name="ap-south-1").get_parameter(Name="/app/where")


def test_help_exits_zero(cli: Callable[..., Run]) -> None:
    """--help prints the subcommands and exits 0."""
    result = cli("--help")

    assert result.code == 0
    for command in ("get", "put", "list", "history", "delete"):
        assert command in result.out


def test_an_unknown_command_is_a_usage_error(cli: Callable[..., Run]) -> None:
    """An unknown subcommand exits 2 with the usage line."""
    result = cli("fetch", "/app/a")

    assert result.code == 2
    assert result.err.startswith("usage: ssm-config")


def test_a_malformed_endpoint_url_is_one_clear_line(ssm: Any, cli: Callable[..., Run]) -> None:
    """An --endpoint-url botocore cannot use is reported before any request."""
    result = cli("--endpoint-url", "not a url", "get", "/app/a")

    assert result.code == 1
    assert result.err == (
        "ssm-config: error: cannot set up the SSM client: Invalid endpoint: not a url\n"
    )
