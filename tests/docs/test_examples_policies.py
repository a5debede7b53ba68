"""examples/policies.json is what `ssm-config policy --template` makes of examples/template.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssm_config.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _resources(document: dict[str, object]) -> set[str]:
    statements = document["Statement"]
    assert isinstance(statements, list)
    return {r for s in statements if s["Action"] != ["kms:Decrypt"] for r in s["Resource"]}


def test_committed_policies_match_the_generator(capsys: pytest.CaptureFixture[str]) -> None:
    """Regenerating the example policies gives exactly the committed file."""
    code = main(["policy", "--template", str(EXAMPLES / "template.yaml"), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == json.loads((EXAMPLES / "policies.json").read_text())


def test_each_function_reads_only_its_own_parameters() -> None:
    """Both functions may read the shared URL; neither may read the other's parameters."""
    policies = json.loads((EXAMPLES / "policies.json").read_text())
    assert set(policies) == {"OrdersFunction", "BillingFunction"}
    orders = _resources(policies["OrdersFunction"])
    billing = _resources(policies["BillingFunction"])
    shared = "arn:aws:ssm:*:*:parameter/shared/mongodb/url"
    assert shared in orders
    assert shared in billing
    assert not any("/billing/" in arn for arn in orders)
    assert not any("/orders/" in arn for arn in billing)
