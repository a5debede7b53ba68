"""``ssm-config copy``: plan, overwrite rules, metadata kept, other regions, pacing, failures."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from ssm_config.cli import _apply
from ssm_config.cli._apply import Pacer  # the real class: the fixture patches the module's

from ._env_helpers import FakeTime, described, stored

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support", "tests.cli._env_support")

SECRET = "hunter2-do-not-print"


@pytest.fixture
def staging(ssm: Any) -> Any:
    """Three parameters under /app/staging: a SecureString, a described String, a StringList."""
    ssm.put_parameter(Name="/app/staging/db/password", Value=SECRET, Type="SecureString")
    ssm.put_parameter(
        Name="/app/staging/page-size", Value="50", Type="String", Description="rows per page"
    )
    ssm.put_parameter(Name="/app/staging/origins", Value="a.com,b.com", Type="StringList")
    return ssm


def test_copy_writes_every_parameter_keeping_type_and_metadata(
    staging: Any, cli: Callable[..., Run]
) -> None:
    """Each parameter lands at its relative name under DST with type, value and description."""
    staging.put_parameter(Name="/app/staging/big", Value="x", Type="String", Tier="Advanced")

    result = cli("copy", "/app/staging", "/app/prod")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "created    /app/prod/big",
        "created    /app/prod/db/password",
        "created    /app/prod/origins",
        "created    /app/prod/page-size",
    ]
    assert stored(staging, "/app/prod") == {
        "/app/prod/big": ("String", "x"),
        "/app/prod/db/password": ("SecureString", SECRET),
        "/app/prod/origins": ("StringList", "a.com,b.com"),
        "/app/prod/page-size": ("String", "50"),
    }
    assert described(staging, "/app/prod/page-size")["Description"] == "rows per page"
    assert described(staging, "/app/prod/big")["Tier"] == "Advanced"
    assert described(staging, "/app/prod/origins")["Tier"] == "Standard"


def test_plan_prints_each_action_and_writes_nothing(
    staging: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """--plan reads both sides, prints create/overwrite/same, and sends no PutParameter."""
    staging.put_parameter(
        Name="/app/prod/page-size", Value="50", Type="String", Description="rows per page"
    )
    staging.put_parameter(Name="/app/prod/origins", Value="c.com", Type="StringList")

    result = cli("copy", "/app/staging", "/app/prod", "--plan", "--overwrite")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "create     /app/prod/db/password",
        "overwrite  /app/prod/origins",
        "same       /app/prod/page-size",
    ]
    assert requests.count("PutParameter") == 0
    assert stored(staging, "/app/prod")["/app/prod/origins"] == ("StringList", "c.com")


def test_a_differing_destination_is_left_untouched_without_overwrite(
    staging: Any, cli: Callable[..., Run]
) -> None:
    """Without --overwrite a different value at DST stays, is reported, and the exit is 1."""
    staging.put_parameter(Name="/app/prod/page-size", Value="100", Type="String")

    result = cli("copy", "/app/staging", "/app/prod")

    assert result.code == 1
    assert "differs    /app/prod/page-size  (left untouched: pass --overwrite" in result.out
    assert result.err == (
        "ssm-config: error: 1 parameter differs at the destination and was left untouched: "
        "/app/prod/page-size; pass --overwrite to replace it\n"
    )
    assert stored(staging, "/app/prod")["/app/prod/page-size"] == ("String", "100")
    assert stored(staging, "/app/prod")["/app/prod/origins"] == ("StringList", "a.com,b.com")


def test_overwrite_replaces_what_differs_and_leaves_what_is_same(
    staging: Any, cli: Callable[..., Run]
) -> None:
    """--overwrite writes a new version where the value differs, none where it is the same."""
    staging.put_parameter(Name="/app/prod/page-size", Value="100", Type="String")
    staging.put_parameter(Name="/app/prod/origins", Value="a.com,b.com", Type="StringList")

    result = cli("copy", "/app/staging", "/app/prod", "--overwrite")

    assert result.code == 0
    assert "overwrote  /app/prod/page-size" in result.out
    assert "same       /app/prod/origins" in result.out
    assert described(staging, "/app/prod/page-size")["Version"] == 2
    assert described(staging, "/app/prod/origins")["Version"] == 1


def test_secure_strings_are_re_encrypted_under_key_id(
    staging: Any, cli: Callable[..., Run]
) -> None:
    """--key-id encrypts every copied SecureString under that key; Strings take no key."""
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]

    result = cli("copy", "/app/staging", "/app/prod", "--key-id", key)

    assert result.code == 0
    assert described(staging, "/app/prod/db/password")["KeyId"] == key
    assert "KeyId" not in described(staging, "/app/prod/page-size")
    assert stored(staging, "/app/prod")["/app/prod/db/password"] == ("SecureString", SECRET)


def test_to_region_writes_in_the_other_region(staging: Any, cli: Callable[..., Run]) -> None:
    """--to-region copies into the same path of another region, the source untouched."""
    result = cli("copy", "/app/staging", "/app/staging", "--to-region", "eu-west-1")

    assert result.code == 0
    other = boto3.client("ssm", region_name="eu-west-1")
    assert stored(other, "/app/staging")["/app/staging/db/password"] == ("SecureString", SECRET)
    assert len(stored(staging, "/app/staging")) == 3


def test_to_profile_writes_with_the_other_profile(
    staging: Any, cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--to-profile builds the destination client from that profile (another account)."""
    from tests._cli_support import hook_clients

    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile prod]\nregion = eu-central-1\n")
    credentials.write_text(
        "[prod]\naws_access_key_id = prodkey\naws_secret_access_key = prodsecret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    built: list[Any] = []
    hook_clients(monkeypatch, built.append)

    result = cli(
        "copy", "/app/staging", "/app/prod", "--to-profile", "prod", "--to-region", "eu-central-1"
    )

    assert (result.code, result.err) == (0, "")
    keys = [client._request_signer._credentials.access_key for client in built]
    assert keys[1] == "prodkey" != keys[0]  # the source's client keeps the environment's
    other = boto3.client("ssm", region_name="eu-central-1")
    assert stored(other, "/app/prod")["/app/prod/page-size"] == ("String", "50")
    assert stored(staging, "/app/prod") == {}


def test_overlapping_paths_are_refused_before_any_request(
    staging: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """Copying a path into itself (same region and account) is one line, no request."""
    result = cli("copy", "/app", "/app/staging/copy")

    assert result.code == 1
    assert result.err.startswith("ssm-config: error: copy /app to /app/staging/copy: the paths")
    assert len(result.err.splitlines()) == 1
    assert requests.operations == []


@pytest.mark.parametrize(
    "case",
    [
        (["copy", "app/staging", "/app/prod"], 1, "a path must begin with '/'"),
        (["copy", "/app/staging", "/app//prod"], 1, "empty level"),
        (["copy", "/app/staging", "/app/prod", "--rate", "0"], 2, "not a positive number"),
        (["copy", "/app/staging"], 2, "required: DST"),
    ],
    ids=["relative-src", "empty-level", "zero-rate", "no-dst"],
)
def test_bad_input_is_one_line_and_writes_nothing(
    staging: Any,
    cli: Callable[..., Run],
    requests: Requests,
    case: tuple[list[str], int, str],
) -> None:
    """Bad paths (exit 1) and bad usage (exit 2) stop before any request."""
    argv, code, says = case
    result = cli(*argv)

    assert result.code == code
    assert says in result.err
    assert requests.operations == []
    assert stored(staging, "/app/prod") == {}


def test_an_empty_source_is_an_error(ssm: Any, cli: Callable[..., Run]) -> None:
    """Nothing under SRC (a typo, most likely) is an error rather than a silent no-op."""
    result = cli("copy", "/app/stagin", "/app/prod")

    assert result.code == 1
    assert result.err == "ssm-config: error: /app/stagin: no parameters under it, nothing to copy\n"


def test_writes_are_paced_at_the_rate(
    staging: Any, cli: Callable[..., Run], pace_time: FakeTime
) -> None:
    """Writes go at most --rate a second: the pacer sleeps between writes, not before the first."""
    result = cli("copy", "/app/staging", "/app/prod", "--rate", "2")

    assert result.code == 0
    assert pace_time.slept == [0.5, 0.5]


def test_the_default_pace_stays_within_the_put_quota(
    staging: Any, cli: Callable[..., Run], pace_time: FakeTime
) -> None:
    """Without --rate, writes are spaced for PutParameter's default quota."""
    assert cli("copy", "/app/staging", "/app/prod").code == 0
    assert pace_time.slept == [pytest.approx(1 / _apply.DEFAULT_RATE)] * 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_stderr_only_at_a_terminal(
    staging: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a terminal stderr shows 'writing N/M' and erases it; stdout is unchanged."""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    result = cli("copy", "/app/staging", "/app/prod")

    assert result.code == 0
    shown = terminal.getvalue()
    assert "\rwriting 0/3" in shown
    assert "\rwriting 2/3" in shown
    assert shown.endswith("\r\033[K")
    assert "\r" not in result.out


def test_progress_is_quiet_when_stderr_is_not_a_terminal(
    staging: Any, cli: Callable[..., Run]
) -> None:
    """Redirected stderr gets no progress line."""
    result = cli("copy", "/app/staging", "/app/prod")

    assert (result.code, result.err) == (0, "")


def test_no_output_of_copy_shows_a_secret(staging: Any, cli: Callable[..., Run]) -> None:
    """Neither the plan, the copy, a refused overwrite nor a diff prints a secret's value."""
    outputs = [cli("copy", "/app/staging", "/app/prod", "--plan")]
    outputs.append(cli("copy", "/app/staging", "/app/prod"))
    staging.put_parameter(Name="/app/prod/db/password", Value="changed", Overwrite=True)
    outputs.append(cli("copy", "/app/staging", "/app/prod"))
    outputs.append(cli("diff", "/app/staging", "/app/prod"))

    assert [result.code for result in outputs] == [0, 0, 1, 1]
    for result in outputs:
        assert SECRET not in result.out + result.err


def test_pacer_spaces_calls_by_the_interval() -> None:
    """The first call goes at once; later ones wait out what is left of the interval."""
    fake = FakeTime()
    paced = Pacer(4.0, clock=fake.clock, sleep=fake.sleep)

    paced.wait()
    fake.now += 0.1
    paced.wait()
    fake.now += 1.0
    paced.wait()

    assert fake.slept == [pytest.approx(0.15)]
