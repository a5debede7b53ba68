"""Shared fixtures: a clean AWS environment, moto in-process and over HTTP, a recorder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ssm_config import _adhoc, _client
from ssm_config._demo._server import LocalSSM

from ._support import Recorder

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every AWS_* variable replaced by fake credentials and a region; no config files, so
    no real profile, endpoint or retry setting leaks into a test."""
    for name in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    _client.reset_default_clients()
    _adhoc.clear_cache()
    yield
    _client.reset_default_clients()
    _adhoc.clear_cache()


@pytest.fixture(scope="session")
def local_ssm() -> Iterator[LocalSSM]:
    """moto's SSM + KMS over HTTP on 127.0.0.1 (the demo's own server), one per session."""
    with LocalSSM() as local:
        yield local


@pytest.fixture
def moto_endpoint(local_ssm: LocalSSM) -> str:
    """The local server's URL, emptied first: what earlier tests stored does not leak in."""
    local_ssm.reset()
    return local_ssm.endpoint_url


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
