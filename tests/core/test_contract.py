"""One behaviour suite, run against each SSM fake: moto in-process and moto over HTTP.

The HTTP run goes through botocore's real wire format (JSON bodies, timestamps,
pagination tokens), where an in-process mock could hide a difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import boto3
import pytest
from moto import mock_aws
from pydantic import SecretStr

from ssm_config import (
    ConfigError,
    Param,
    SSMSettings,
    SSMSettingsConfigDict,
    get_parameter,
    get_parameters_by_path,
)
from ssm_config.testing import FakeClock, refresh_due

REGION = "us-east-1"


@pytest.fixture(params=["in-process", pytest.param("http", marks=pytest.mark.server)])
def fake(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any]]:
    """(ssm, kms) clients on one of the fakes, empty at the start of each test."""
    if request.param == "in-process":
        with mock_aws():
            yield boto3.client("ssm", region_name=REGION), boto3.client("kms", region_name=REGION)
        return
    endpoint = request.getfixturevalue("moto_endpoint")
    ssm = boto3.client("ssm", region_name=REGION, endpoint_url=endpoint)
    kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
    try:
        yield ssm, kms
    finally:
        ssm.close()
        kms.close()


class App(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/app", ssm_ttl=60)

    url: Annotated[SecretStr, Param("/shared/url", kms_key="alias/app")]
    size: Annotated[int, Param("size:live")]
    hosts: list[str] = []
    flags: Annotated[dict[str, bool], Param("flags")] = {}
    features: Annotated[dict[str, int], Param(path="features")] = {}


def _seed(ssm: Any, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key)
    ssm.put_parameter(
        Name="/shared/url", Value="postgres://s3cret@db", Type="SecureString", KeyId="alias/app"
    )
    ssm.put_parameter(Name="/app/size", Value="10", Type="String")
    ssm.put_parameter(Name="/app/size", Value="20", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/app/size", ParameterVersion=1, Labels=["live"])
    ssm.put_parameter(Name="/app/hosts", Value="a,b", Type="StringList")
    ssm.put_parameter(Name="/app/flags", Value='{"x": true}', Type="String")
    for i in range(12):
        ssm.put_parameter(Name=f"/app/features/f{i:02d}", Value=str(i), Type="String")


def test_load(fake: tuple[Any, Any]) -> None:
    """Every kind of binding loads the same typed values on each fake."""
    ssm, kms = fake
    _seed(ssm, kms)
    config = App(_ssm_client=ssm)
    try:
        assert config.url.get_secret_value() == "postgres://s3cret@db"
        assert config.size == 10
        assert config.hosts == ["a", "b"]
        assert config.flags == {"x": True}
        assert config.features == {f"f{i:02d}": i for i in range(12)}
        assert "s3cret" not in repr(config)
    finally:
        config.ssm_close()


def test_problems(fake: tuple[Any, Any]) -> None:
    """Missing and invalid parameters are reported together on each fake."""
    ssm, kms = fake
    _seed(ssm, kms)
    ssm.delete_parameter(Name="/shared/url")
    ssm.put_parameter(Name="/app/flags", Value="{oops", Type="String", Overwrite=True)
    with pytest.raises(ConfigError) as info:
        App(_ssm_client=ssm)
    assert [(p.ssm_name, p.field) for p in info.value.problems] == [
        ("/shared/url", "url"),
        ("/app/flags", "flags"),
    ]


def test_live_changes(fake: tuple[Any, Any]) -> None:
    """Changes swap in on expiry; a deleted-and-recreated parameter is seen as changed."""
    ssm, kms = fake
    _seed(ssm, kms)
    clock = FakeClock()
    config = App(_ssm_client=ssm, _ssm_clock=clock)
    try:
        seen: list[dict[str, Any]] = []
        config.ssm_on_change(seen.append)
        ssm.put_parameter(Name="/app/features/f99", Value="99", Type="String")
        ssm.delete_parameter(Name="/app/hosts")
        ssm.put_parameter(Name="/app/hosts", Value="c", Type="StringList")
        clock.advance(60)
        refresh_due(config)
        assert config.features["f99"] == 99
        assert config.hosts == ["c"]
        assert {field for change in seen for field in change} == {"features", "hosts"}
    finally:
        config.ssm_close()


def test_adhoc(fake: tuple[Any, Any]) -> None:
    """Ad-hoc reads decrypt and page on each fake."""
    ssm, kms = fake
    _seed(ssm, kms)
    assert get_parameter("/shared/url", ttl=0, client=ssm) == "postgres://s3cret@db"
    assert len(get_parameters_by_path("/app/features", ttl=0, client=ssm)) == 12
