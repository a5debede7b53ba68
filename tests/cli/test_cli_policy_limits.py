"""``ssm-config policy`` against IAM's size limits: warnings, --strict, --wildcard-under."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ssm_config.cli import main
from ssm_config.iam import policy_for

from ..iam_fixtures.many_names import Hundred

ROOT = Path(__file__).resolve().parents[2]
HUNDRED = "tests.iam_fixtures.many_names:Hundred"
MORE = "tests.iam_fixtures.many_names:HundredFifty"
WHERE = ("--region", "us-east-1", "--account", "123456789012")


@pytest.fixture(autouse=True)
def _from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Targets import from the repository root; sys.path is restored afterwards."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_over_the_managed_limit_warns_and_still_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON policy over 6,144 characters is printed, with one warning naming a fix."""
    code, out, err = _run(capsys, HUNDRED, *WHERE)
    assert code == 0
    assert json.loads(out) == policy_for(Hundred, region="us-east-1", account="123456789012")
    assert err == (
        "ssm-config: warning: the policy for Hundred has 7,368 characters as IAM counts them, "
        "over the 6,144 IAM allows in a managed policy (an inline policy of a role may hold "
        "10,240); --wildcard-under /orders/prod would grant its 100 names with one ARN\n"
    )


def test_strict_makes_it_an_error_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """With --strict, an oversized policy exits 1 with one line and no partial output."""
    code, out, err = _run(capsys, HUNDRED, *WHERE, "--strict")
    assert (code, out) == (1, "")
    assert err.startswith("ssm-config: error: the policy for Hundred has 7,368 characters")
    assert err.count("\n") == 1


def test_wildcard_under_brings_it_within_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """--wildcard-under PATH prints the widened policy, without warning, even with --strict."""
    code, out, err = _run(capsys, HUNDRED, *WHERE, "--strict", "--wildcard-under", "/orders/prod")
    assert (code, err) == (0, "")
    assert json.loads(out) == policy_for(
        Hundred, region="us-east-1", account="123456789012", wildcard_under=["/orders/prod"]
    )


def test_cloudformation_is_held_to_the_inline_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """SAM inlines Policies into the role: 100 names fit its 10,240, 150 do not."""
    assert _run(capsys, HUNDRED, "--format", "cloudformation")[::2] == (0, "")
    code, _, err = _run(capsys, MORE, "--format", "cloudformation")
    assert code == 0
    assert "over the 10,240 IAM allows in a role's inline policies" in err


def test_terraform_is_measured_as_deployed(capsys: pytest.CaptureFixture[str]) -> None:
    """Data-source placeholders are measured as a real region and account would be."""
    code, _, err = _run(capsys, HUNDRED, "--format", "terraform")
    assert code == 0
    assert "the policy for Hundred has 7,368 characters" in err


def test_a_bad_wildcard_path_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A --wildcard-under path that covers nothing is an error naming it."""
    code, out, err = _run(capsys, HUNDRED, "--wildcard-under", "/nowhere")
    assert (code, out) == (1, "")
    assert err == (
        "ssm-config: error: wildcard_under '/nowhere': no declared parameter is under it\n"
    )
