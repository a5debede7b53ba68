"""A process forked after loading keeps refreshing on its own thread and connections."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import boto3
import pytest

from ssm_config import SSMSettings, SSMSettingsConfigDict
from ssm_config.testing import FakeClock, refresh_due

from .._support import scheduled

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    pytest.mark.filterwarnings(
        "ignore:.*use of fork\\(\\) may lead to deadlocks:DeprecationWarning"
    ),
]


class Worker(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/worker", ssm_ttl=60)
    colour: str


@pytest.fixture
def server_ssm(moto_endpoint: str) -> Any:
    """An SSM client on moto's HTTP server (state shared by parent and child over HTTP)."""
    return boto3.client("ssm", region_name="us-east-1", endpoint_url=moto_endpoint)


def test_forked_child_refreshes_and_parent_is_unaffected(server_ssm: Any) -> None:
    """In the child a new refresher thread picks a change up; the parent's keeps running."""
    server_ssm.put_parameter(Name="/worker/colour", Value="red", Type="String")
    clock = FakeClock()
    config = Worker(_ssm_client=server_ssm, _ssm_clock=clock)
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report what its own refresher does, then leave at once
            os.close(read_end)
            code = 0
            try:
                server_ssm.put_parameter(
                    Name="/worker/colour", Value="blue", Type="String", Overwrite=True
                )
                clock.advance(60)
                refresh_due(config)
                report = {"colour": config.colour, "running": scheduled(config)}
                os.write(write_end, json.dumps(report).encode())
            except BaseException as exc:  # the child must never return into pytest
                os.write(write_end, json.dumps({"error": repr(exc)}).encode())
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            report = json.loads(pipe.read() or "{}")
        _, status = os.waitpid(pid, 0)
        assert report == {"colour": "blue", "running": True}
        assert os.waitstatus_to_exitcode(status) == 0
        assert scheduled(config)
        assert config.colour == "red"  # the parent has not refreshed yet
        clock.advance(60)
        refresh_due(config)
        assert config.colour == "blue"
    finally:
        config.ssm_close()
