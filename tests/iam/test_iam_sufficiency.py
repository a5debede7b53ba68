"""A generated policy is sufficient (every request a load makes is allowed) and minimal.

The class is loaded through moto with a botocore event handler that records each SSM
request and what it returned; every recorded request is then judged against the policy
by ``iam_fixtures.evaluate`` (moto's own IAM enforcement only matches ``Resource: "*"``).
ARNs are built here from the requests, independently of ``ssm_config.iam``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import boto3
import pytest
from moto import mock_aws
from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict
from ssm_config.iam import policy_for

from ..iam_fixtures.evaluate import allows, matches

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
VIA_SSM = f"ssm.{REGION}.amazonaws.com"
SECRETS = "/aws/reference/secretsmanager/"


def _arn(name: str) -> str:
    return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.partition(':')[0].lstrip('/')}"


class _Recorder:
    """Records (action, resource names) of each SSM request, and names returned by path."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, list[str]]] = []
        self.by_path: list[str] = []

    def before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        names = [str(n) for n in params.get("Names") or [params.get("Name") or params.get("Path")]]
        context["requested"] = names
        self.requests.append((f"ssm:{model.name}", names))

    def after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name == "GetParametersByPath":
            self.by_path += [p["Name"] for p in parsed.get("Parameters", [])]
        # moto answers a Secrets Manager reference with the secret's own name; SSM answers
        # with the reference name that was asked for. Put it back as SSM would.
        requested = set(context.get("requested", ()))
        for item in parsed.get("Parameters", []):
            if SECRETS + item["Name"] in requested:
                item["Name"] = SECRETS + item["Name"]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """moto with a customer key, parameters, a secret, and a recording SSM client."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        key = kms.create_key(Description="orders")["KeyMetadata"]
        ssm = boto3.client("ssm", region_name=REGION)
        ssm.put_parameter(Name="/app/host", Value="db.internal", Type="String")
        ssm.put_parameter(Name="/shared/origins", Value="a.com,b.com", Type="StringList")
        ssm.put_parameter(Name="/app/api-key", Value="k1", Type="SecureString", KeyId=key["KeyId"])
        for flag in ("beta", "deep/gamma"):
            ssm.put_parameter(
                Name=f"/app/features/{flag}", Value="on", Type="SecureString", KeyId=key["KeyId"]
            )
        secrets = boto3.client("secretsmanager", region_name=REGION)
        secret = secrets.create_secret(Name="prod/db", SecretString="s3cret")
        recorder = _Recorder()
        ssm.meta.events.register("before-parameter-build.ssm", recorder.before)
        ssm.meta.events.register("after-call.ssm", recorder.after)
        yield {"ssm": ssm, "key": key, "secret_arn": secret["ARN"], "recorder": recorder}


def _declare(key_id: str) -> type[SSMSettings]:
    class Everything(SSMSettings):
        """Names (one relative, one with a selector), a path, a customer key and a secret."""

        model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_refresh="off")

        host: Annotated[str, Param("host:1")]
        origins: Annotated[list[str], Param("/shared/origins")]
        api_key: Annotated[SecretStr, Param("api-key", kms_key=key_id)]
        features: Annotated[dict[str, str], Param(path="features", kms_key=key_id)] = {}
        db: Annotated[SecretStr, Param("/aws/reference/secretsmanager/prod/db")]

    return Everything


@pytest.mark.parametrize(("region", "account"), [(REGION, ACCOUNT), ("*", "*")])
def test_policy_allows_every_request_a_load_makes(
    aws: dict[str, Any], region: str, account: str
) -> None:
    """Each SSM request of a real load, and the KMS and secret use behind it, is allowed."""
    cls = _declare(aws["key"]["KeyId"])
    policy = policy_for(cls, region=region, account=account)
    config: Any = cls(_ssm_client=aws["ssm"])
    assert config.api_key.get_secret_value() == "k1"
    assert config.features == {"beta": "on", "deep/gamma": "on"}
    assert config.db.get_secret_value() == "s3cret"

    recorder: _Recorder = aws["recorder"]
    actions = {action for action, _ in recorder.requests}
    assert actions == {"ssm:GetParameters", "ssm:GetParametersByPath"}
    for action, names in recorder.requests:
        for name in names:
            assert allows(policy, action, _arn(name)), (action, name)
    # KMS decrypts through SSM for the declared SecureStrings, items under the path included.
    assert sorted(recorder.by_path) == ["/app/features/beta", "/app/features/deep/gamma"]
    for name in ["/app/api-key", *recorder.by_path]:
        context = {"kms:ViaService": VIA_SSM, "kms:EncryptionContext:PARAMETER_ARN": _arn(name)}
        assert allows(policy, "kms:Decrypt", aws["key"]["Arn"], context), name
    read_secret = [n for _, names in recorder.requests for n in names if "secretsmanager" in n]
    assert read_secret == ["/aws/reference/secretsmanager/prod/db"]
    assert allows(policy, "secretsmanager:GetSecretValue", aws["secret_arn"])


def test_policy_covers_nothing_the_class_does_not_declare(aws: dict[str, Any]) -> None:
    """Undeclared names, siblings, parents, items read one by one and other uses are denied."""
    policy = policy_for(_declare(aws["key"]["KeyId"]), region=REGION, account=ACCOUNT)
    for name in ("/app/undeclared", "/app/host-old", "/app/hos", "/app/features/beta", "/shared"):
        assert not allows(policy, "ssm:GetParameters", _arn(name)), name
        assert not allows(policy, "ssm:GetParameter", _arn(name)), name
    for path in ("/app", "/app/features/deep", "/shared"):
        assert not allows(policy, "ssm:GetParametersByPath", _arn(path)), path
    assert not allows(policy, "ssm:PutParameter", _arn("/app/host"))
    assert not allows(policy, "ssm:GetParametersByPath", _arn("/app/host"))
    key_arn = aws["key"]["Arn"]
    undeclared = {"kms:ViaService": VIA_SSM, "kms:EncryptionContext:PARAMETER_ARN": _arn("/x")}
    assert not allows(policy, "kms:Decrypt", key_arn, undeclared)
    elsewhere = {
        "kms:ViaService": f"s3.{REGION}.amazonaws.com",
        "kms:EncryptionContext:PARAMETER_ARN": _arn("/app/api-key"),
    }
    assert not allows(policy, "kms:Decrypt", key_arn, elsewhere)
    assert not allows(policy, "kms:Decrypt", key_arn)  # no context: not through SSM
    other_secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/dbx-abcdef"
    assert not allows(policy, "secretsmanager:GetSecretValue", other_secret)


def test_evaluator_matches_like_iam() -> None:
    """The evaluator's wildcards: '*' spans any run (slashes too), '?' exactly one character."""
    assert matches("arn:aws:ssm:*:*:parameter/a", "arn:aws:ssm:us-east-1:1:parameter/a")
    assert matches("parameter/a/*", "parameter/a/b/c")
    assert not matches("parameter/a/*", "parameter/a")
    assert matches("secret:x-??????", "secret:x-AbC123")
    assert not matches("secret:x-??????", "secret:x-AbC12")
    assert matches("SSM:getparameters", "ssm:GetParameters", ignore_case=True)
    assert not matches("parameter/A", "parameter/a")
