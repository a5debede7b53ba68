"""Kept-alive connections that died while the function was frozen cost no error."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ._faults import FAULTS, Fault, FaultProxy
from ._sources import COLOUR, config_function
from .conftest import Launch
from .test_refresh_before import SLACK, TIMEOUT, TTL, put

pytestmark = pytest.mark.lambda_runtime


@pytest.mark.parametrize("fault", FAULTS)
def test_a_dead_connection_after_a_thaw_costs_at_most_the_timeout(
    fault: Fault, launch: Launch, ssm_writer: Any, proxy: FaultProxy
) -> None:
    """Closed, reset or silent: every invocation answers within the timeout, then converges."""
    put(ssm_writer, COLOUR, "red")
    function = launch(config_function(TTL, decorated=True, timeout=TIMEOUT))
    assert function.invoke().result == {"colour": "red"}
    function.wait_frozen()
    put(ssm_writer, COLOUR, "blue")
    assert proxy.break_connections(fault) >= 1  # the SDK's pooled connection, now dead

    served = []
    give_up = time.monotonic() + 10.0  # a silent connection lasts until its read timeout
    while not served or served[-1] != "blue":
        assert time.monotonic() < give_up, served
        function.idle(1.5 * TTL)
        invocation = function.invoke()  # a FunctionError would fail the test here
        assert invocation.duration < TIMEOUT + SLACK, (served, invocation.duration)
        served.append(invocation.result["colour"])
    if fault != "silent":  # the SDK sees a closed or reset socket before it sends
        assert served == ["blue"]
