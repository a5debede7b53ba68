"""``ssm-config check``: each declared parameter exists, has the right type, decrypts, validates."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)

SECRET = "mongodb://app:pa55w0rd-never-shown@db"

ORDERS = """
from typing import Annotated
from pydantic import HttpUrl, SecretStr, field_validator
from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

class OrdersConfig(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod")
    db_url: Annotated[SecretStr, Param("/shared/mongodb/url")]
    api: Annotated[HttpUrl, Param("/shared/api/url")]
    page_size: Annotated[int, Param("page-size")] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}
    origins: list[str] = []
    limits: Annotated[dict[str, int], Param(path="limits")] = {}

    @field_validator("page_size")
    @classmethod
    def positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"must be positive, not {value}")  # quotes the value
        return value

config = OrdersConfig()   # at import: check imports offline, so this makes no AWS call
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding orders.py, made the current folder; its modules forgotten afterwards."""
    (tmp_path / "orders.py").write_text(ORDERS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if str(getattr(sys.modules[name], "__file__", "")).startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture
def good(ssm: Any) -> Any:
    """A store holding a valid value for every field of OrdersConfig."""
    ssm.put_parameter(Name="/shared/mongodb/url", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/shared/api/url", Value="https://api.example.com", Type="String")
    ssm.put_parameter(Name="/orders/prod/page-size", Value="25", Type="String")
    ssm.put_parameter(Name="/orders/prod/flags", Value='{"beta": true}', Type="String")
    ssm.put_parameter(Name="/orders/prod/origins", Value="a.com,b.com", Type="StringList")
    ssm.put_parameter(Name="/orders/prod/limits/read", Value="10", Type="String")
    ssm.put_parameter(Name="/orders/prod/limits/write", Value="5", Type="String")
    return ssm


def test_all_good_is_one_ok_line_each_and_exit_zero(
    project: Path, good: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """Every parameter present and valid: one ok line each, a summary, exit 0, reads only."""
    result = cli("check", "orders")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "ok    /shared/mongodb/url     OrdersConfig.db_url: SecureString, version 1",
        "ok    /shared/api/url         OrdersConfig.api: String, version 1",
        "ok    /orders/prod/page-size  OrdersConfig.page_size: String, version 1",
        "ok    /orders/prod/flags      OrdersConfig.flags: String, version 1",
        "ok    /orders/prod/origins    OrdersConfig.origins: StringList, version 1",
        "ok    /orders/prod/limits     OrdersConfig.limits: 2 parameters under it",
        "6 checked: 6 ok, 0 warnings, 0 failed",
    ]
    assert set(requests.operations) == {"GetParameters", "GetParametersByPath"}


def test_each_problem_is_named_and_the_exit_is_one(
    project: Path, good: Any, cli: Callable[..., Run]
) -> None:
    """Missing, unparsable, invalid and validator-rejected values each fail on their line."""
    good.delete_parameter(Name="/shared/api/url")
    good.put_parameter(Name="/orders/prod/page-size", Value="-3", Overwrite=True)
    good.put_parameter(Name="/orders/prod/flags", Value="{beta", Overwrite=True)
    good.put_parameter(Name="/orders/prod/limits/write", Value="lots", Overwrite=True)

    result = cli("check", "orders:OrdersConfig")

    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[1] == "FAIL  /shared/api/url         OrdersConfig.api: parameter not found"
    assert lines[2] == (
        "FAIL  /orders/prod/page-size  OrdersConfig.page_size: Value error, must be positive, "
        "not -3"
    )
    assert lines[3].startswith("FAIL  /orders/prod/flags      OrdersConfig.flags: not valid JSON")
    assert lines[5] == (
        "FAIL  /orders/prod/limits     OrdersConfig.limits: write: Input should be a valid "
        "integer, unable to parse string as an integer"
    )
    assert lines[-1] == "6 checked: 2 ok, 0 warnings, 4 failed"
    assert result.err == (
        "ssm-config: error: 4 of 6 parameters failed the check: /shared/api/url, "
        "/orders/prod/page-size, /orders/prod/flags, /orders/prod/limits\n"
    )


def test_an_optional_parameter_may_be_missing(
    project: Path, good: Any, cli: Callable[..., Run]
) -> None:
    """A field with a default passes without its parameter: the default applies."""
    good.delete_parameter(Name="/orders/prod/origins")

    result = cli("check", "orders")

    assert result.code == 0
    assert (
        "ok    /orders/prod/origins    OrdersConfig.origins: not found; the field's default "
        "applies" in result.out
    )


def test_a_secret_field_stored_as_a_string_is_a_warning(
    project: Path, good: Any, cli: Callable[..., Run]
) -> None:
    """A SecretStr field fed by a plain String warns (exit 0) and never shows the value."""
    good.put_parameter(Name="/shared/mongodb/url", Value=SECRET, Type="String", Overwrite=True)

    result = cli("check", "orders")

    assert result.code == 0
    assert result.out.splitlines()[0] == (
        "warn  /shared/mongodb/url     OrdersConfig.db_url: a String, not a SecureString, "
        "feeds a secret field: store it as a SecureString"
    )
    assert "6 checked: 5 ok, 1 warning, 0 failed" in result.out
    assert SECRET not in result.out + result.err


def test_an_invalid_secure_string_is_reported_without_its_value(
    project: Path, good: Any, cli: Callable[..., Run]
) -> None:
    """Messages may quote the input: for a SecureString only the error kind is said."""
    good.put_parameter(
        Name="/orders/prod/page-size", Value="-31337", Type="SecureString", Overwrite=True
    )
    good.put_parameter(Name="/shared/api/url", Value=SECRET, Type="SecureString", Overwrite=True)

    result = cli("check", "orders")

    assert result.code == 1
    assert "OrdersConfig.page_size: value_error (details withheld: a secret)" in result.out
    assert "OrdersConfig.api: url_scheme (details withheld: a secret)" in result.out
    for shown in ("31337", SECRET, "pa55w0rd"):
        assert shown not in result.out + result.err


def test_a_value_that_does_not_decrypt_fails(
    project: Path, good: Any, cli: Callable[..., Run], fail_with: Callable[..., Requests]
) -> None:
    """A KMS refusal for one SecureString fails that parameter; the others are checked."""
    fail_with(
        "GetParameters", "KMSAccessDeniedException", when="/shared/mongodb/url", message="denied"
    )

    result = cli("check", "orders")

    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "FAIL  /shared/mongodb/url     OrdersConfig.db_url: KMS could not decrypt: "
        "KMSAccessDeniedException: denied"
    )
    assert "6 checked: 5 ok, 0 warnings, 1 failed" in result.out


def test_template_checks_every_python_function(
    project: Path, good: Any, cli: Callable[..., Run]
) -> None:
    """--template finds each function's classes from Handler and CodeUri, as policy does."""
    (project / "fn").mkdir()
    (project / "fn" / "app.py").write_text(ORDERS + "\ndef handler(event, context):\n    pass\n")
    template = project / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Resources:
              Orders:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.12}
              Web:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: fn/, Handler: index.handler, Runtime: nodejs20.x}
            """
        )
    )

    result = cli("check", "--template", str(template))

    assert result.code == 0
    assert result.err == "ssm-config: skipped function Web: runtime nodejs20.x\n"
    assert "6 checked: 6 ok" in result.out


@pytest.mark.parametrize(
    "case",
    [
        (["check", "nosuchmodule"], 1, "cannot import 'nosuchmodule'"),
        (["check", "orders:Missing"], 1, "orders has no attribute 'Missing'"),
        (["check", "orders:config"], 1, "orders:config: not an SSMSettings class"),
        (["check"], 2, "one of the arguments"),
        (["check", "orders", "--template", "t.yaml"], 2, "not allowed with argument"),
    ],
    ids=["no-module", "no-class", "not-a-class", "no-target", "both"],
)
def test_bad_targets_are_one_line_before_any_request(
    project: Path,
    ssm: Any,
    cli: Callable[..., Run],
    requests: Requests,
    case: tuple[list[str], int, str],
) -> None:
    """A target that cannot be imported or is not a settings class: one line, no request."""
    argv, code, says = case

    result = cli(*argv)

    assert (result.code, result.out) == (code, "")
    assert says in result.err
    assert requests.operations == []
