"""IAM's policy size limits, and the opt-in wildcard that keeps many names within them."""

from __future__ import annotations

import json

import pytest

from ssm_config import DeclarationError
from ssm_config.iam import INLINE_ROLE_LIMIT, MANAGED_POLICY_LIMIT, policy_for, policy_size

from ..iam_fixtures.configs import KEY_ID, ClassKey, CustomerKey, ThreeNames
from ..iam_fixtures.evaluate import allows
from ..iam_fixtures.lint import findings
from ..iam_fixtures.many_names import Hundred, HundredFifty

REGION = "us-east-1"
ACCOUNT = "123456789012"
PARAM = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter"
READ = ["ssm:GetParameter", "ssm:GetParameters"]


def _exact(*classes: type, **kwargs: object) -> dict[str, object]:
    return policy_for(*classes, region=REGION, account=ACCOUNT, **kwargs)  # type: ignore[arg-type]


def test_size_is_counted_as_iam_counts_it() -> None:
    """Whitespace does not count: the size is that of the most compact JSON text."""
    document = _exact(CustomerKey)
    assert policy_size(document) == len(json.dumps(document, separators=(",", ":")))
    assert (MANAGED_POLICY_LIMIT, INLINE_ROLE_LIMIT) == (6144, 10240)


def test_many_names_exceed_the_limits_unless_widened() -> None:
    """100 names overflow a managed policy, 150 a role's inline budget; nothing is widened
    unless asked."""
    hundred, more = _exact(Hundred), _exact(HundredFifty)
    assert MANAGED_POLICY_LIMIT < policy_size(hundred) <= INLINE_ROLE_LIMIT
    assert policy_size(more) > INLINE_ROLE_LIMIT
    assert not any("*" in r for s in hundred["Statement"] for r in s["Resource"])  # type: ignore[attr-defined]


def test_wildcard_under_grants_a_path_with_one_arn() -> None:
    """wildcard_under replaces the names under the path with path/*; others stay exact."""
    document = _exact(HundredFifty, wildcard_under=["/orders/prod"])
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SsmGetParameters",
                "Effect": "Allow",
                "Action": READ,
                "Resource": [
                    f"{PARAM}/orders/prod/*",
                    f"{PARAM}/shared/api/url",
                    f"{PARAM}/shared/db/url",
                ],
            }
        ],
    }
    assert policy_size(document) < MANAGED_POLICY_LIMIT
    assert allows(document, "ssm:GetParameters", f"{PARAM}/orders/prod/setting-149")
    assert not allows(document, "ssm:GetParameters", f"{PARAM}/orders/staging/setting-001")
    assert findings(document) == []
    assert _exact(HundredFifty, wildcard_under="/orders/prod") == document  # one path as str


def test_wildcard_under_also_widens_the_kms_encryption_context() -> None:
    """The PARAMETER_ARN context of a customer key is widened the same way, as StringLike."""
    document = _exact(CustomerKey, wildcard_under=["/orders/prod/"])
    kms, read = document["Statement"]  # type: ignore[misc]
    assert read["Resource"] == [f"{PARAM}/orders/prod/*"]
    assert kms["Resource"] == [f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"]
    assert kms["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"ssm.{REGION}.amazonaws.com"]},
        "StringLike": {"kms:EncryptionContext:PARAMETER_ARN": [f"{PARAM}/orders/prod/*"]},
    }
    context = {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}
    context["kms:EncryptionContext:PARAMETER_ARN"] = f"{PARAM}/orders/prod/api-key"
    assert allows(document, "kms:Decrypt", kms["Resource"][0], context)


def test_wildcard_under_covers_a_path_fields_context_but_not_its_listing() -> None:
    """GetParametersByPath stays on the path ARN; the items' decrypt context is widened."""
    document = _exact(ClassKey, wildcard_under=["/billing"])
    by_sid = {s["Sid"]: s for s in document["Statement"]}  # type: ignore[attr-defined]
    assert by_sid["SsmGetParametersByPath"]["Resource"] == [f"{PARAM}/billing/secrets"]
    assert by_sid["SsmGetParameters"]["Resource"] == [f"{PARAM}/billing/*"]
    (kms,) = (s for sid, s in by_sid.items() if sid.startswith("KmsDecrypt"))
    assert kms["Condition"]["StringLike"]["kms:EncryptionContext:PARAMETER_ARN"] == [
        f"{PARAM}/billing/*"
    ]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["/"], "would grant every parameter of the account"),
        (["orders"], "a path must begin with '/'"),
        (["/app/db", "/nowhere"], "wildcard_under '/nowhere': no declared parameter"),
        ([7], "wildcard_under takes paths, not int"),
    ],
)
def test_bad_wildcard_paths_are_refused(paths: list[object], message: str) -> None:
    """The root, a relative path, a path with no declared name, a non-string: refused."""
    with pytest.raises(DeclarationError, match=message):
        policy_for(ThreeNames, wildcard_under=paths)  # type: ignore[arg-type]
