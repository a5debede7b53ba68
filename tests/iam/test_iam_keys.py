"""KMS grants across accounts and partitions: alias ARNs, service domains, region shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import botocore
import pytest

from ssm_config import Param, SSMSettings
from ssm_config.iam import dns_suffix, policy_for

from ..iam_fixtures.configs import CustomerKey
from ..iam_fixtures.lint import findings

SHARED = "arn:aws:kms:us-east-1:111122223333:alias/shared"


class SharedKey(SSMSettings):
    """A SecureString under another account's key, declared by its alias ARN."""

    token: Annotated[str, Param("/orders/token", kms_key=SHARED)]


def test_alias_arn_from_another_account_keeps_its_account() -> None:
    """The key resource stays in the alias's account and region, not the function's."""
    policy = policy_for(SharedKey, region="us-east-1", account="123456789012")
    kms = next(s for s in policy["Statement"] if s["Action"] == ["kms:Decrypt"])
    assert kms["Resource"] == ["arn:aws:kms:us-east-1:111122223333:key/*"]
    assert kms["Condition"]["ForAnyValue:StringEquals"] == {"kms:ResourceAliases": ["alias/shared"]}
    assert kms["Condition"]["StringEquals"]["kms:EncryptionContext:PARAMETER_ARN"] == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/orders/token"
    ]
    assert findings(policy) == []


def test_alias_arn_keeps_its_account_with_a_wildcard_target() -> None:
    """Even with region and account left as '*', the alias ARN's own account is kept."""
    kms = policy_for(SharedKey)["Statement"][0]
    assert kms["Resource"] == ["arn:aws:kms:us-east-1:111122223333:key/*"]


def _botocore_partitions() -> dict[str, str]:
    data = Path(botocore.__file__).parent / "data" / "partitions.json"
    partitions = json.loads(data.read_text())["partitions"]
    return {p["id"]: p["outputs"]["dnsSuffix"] for p in partitions}


@pytest.mark.parametrize(("partition", "suffix"), sorted(_botocore_partitions().items()))
def test_service_domain_matches_botocore(partition: str, suffix: str) -> None:
    """Each partition's kms:ViaService domain is the one botocore's partitions data lists."""
    assert dns_suffix(partition) == suffix


@pytest.mark.parametrize(
    ("partition", "region", "via"),
    [
        ("aws-iso", "us-iso-east-1", "ssm.us-iso-east-1.c2s.ic.gov"),
        ("aws-iso-b", "us-isob-east-1", "ssm.us-isob-east-1.sc2s.sgov.gov"),
        ("aws-eusc", "eusc-de-east-1", "ssm.eusc-de-east-1.amazonaws.eu"),
    ],
)
def test_isolated_and_sovereign_partitions(partition: str, region: str, via: str) -> None:
    """aws-iso, aws-iso-b and the EU sovereign cloud get their region and service domain."""
    policy = policy_for(CustomerKey, region=region, account="123456789012", partition=partition)
    kms = policy["Statement"][0]
    assert kms["Condition"]["StringEquals"]["kms:ViaService"] == [via]
    assert kms["Resource"][0].startswith(f"arn:{partition}:kms:{region}:123456789012:key/")
