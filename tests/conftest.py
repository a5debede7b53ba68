"""Shared fixtures: a clean AWS environment, moto-backed clients, a request recorder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ssm_config import _adhoc, _client

from ._support import Recorder

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and a region; no real profile or endpoint leaks into a test."""
    for name in (
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_SSM",
        "AWS_ENDPOINT_URL_KMS",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    _client.reset_default_clients()
    _adhoc.clear_cache()
    yield
    _client.reset_default_clients()
    _adhoc.clear_cache()


@pytest.fixture
def ssm() -> Iterator[Any]:
    """An SSM client on moto's in-process mock."""
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


@pytest.fixture
def kms(ssm: Any) -> Any:
    """A KMS client on the same moto mock as ``ssm``."""
    return boto3.client("kms", region_name=REGION)


@pytest.fixture
def recorder(ssm: Any) -> Recorder:
    """Records each API call ``ssm`` makes (botocore's own event hooks, no internals)."""
    rec = Recorder()
    ssm.meta.events.register("before-parameter-build.ssm", rec)
    return rec


@pytest.fixture
def closing() -> Iterator[list[Any]]:
    """Settings instances appended here have their refreshers closed after the test."""
    instances: list[Any] = []
    yield instances
    for instance in instances:
        instance.ssm_close()
