"""``@ssm_config.refresh_before``: fresh values at the start of each thawed invocation."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import pytest

from ._faults import FaultProxy
from ._sources import COLOUR, config_function, extra_names
from .conftest import Launch

pytestmark = pytest.mark.lambda_runtime

TTL = 1.0
TIMEOUT = 0.5
SLACK = 0.3
"""Seconds an invocation may take beyond the refresh timeout: the runtime's own work."""


def put(ssm: Any, name: str, value: str) -> None:
    ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def test_a_burst_after_an_idle_longer_than_the_ttl_serves_the_new_value_first(
    launch: Launch, ssm_writer: Any, proxy: FaultProxy
) -> None:
    """The invocation that thaws the function already returns the value changed meanwhile."""
    put(ssm_writer, COLOUR, "red")
    for name in extra_names(9):
        put(ssm_writer, name, "x")
    function = launch(config_function(TTL, decorated=True, timeout=TIMEOUT, extra_params=9))
    assert function.invoke().result == {"colour": "red"}

    put(ssm_writer, COLOUR, "blue")
    function.idle(2 * TTL)
    calls = proxy.requests("GetParameters")
    burst = [function.invoke() for _ in range(10)]

    assert [b.result["colour"] for b in burst] == ["blue"] * 10
    assert max(b.duration for b in burst) < TIMEOUT + SLACK
    assert proxy.requests("GetParameters") - calls == 1  # one round, joined, not repeated


class Publisher:
    """Writes a new colour every ``period`` seconds, noting when each became visible."""

    def __init__(self, ssm: Any, period: float) -> None:
        self.ssm = ssm
        self.period = period
        self.visible: dict[str, float] = {}
        self.order: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def publish(self, value: str) -> None:
        put(self.ssm, COLOUR, value)
        self.visible[value] = time.monotonic()
        self.order.append(value)

    def superseded_at(self, value: str) -> float | None:
        """When the value after ``value`` became visible (None: it is still current)."""
        index = self.order.index(value) + 1
        return self.visible[self.order[index]] if index < len(self.order) else None

    def _run(self) -> None:
        count = len(self.order)
        while not self._stop.wait(self.period):  # the publisher's own schedule
            count += 1
            self.publish(f"v{count}")

    def __enter__(self) -> Publisher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def publisher(ssm_writer: Any) -> Publisher:
    writer = Publisher(ssm_writer, period=0.35)
    writer.publish("v0")
    return writer


def test_sparse_traffic_never_serves_data_older_than_ttl_plus_timeout(
    launch: Launch, publisher: Publisher
) -> None:
    """With values changing all along, each answer was current at most TTL + timeout ago."""
    function = launch(config_function(TTL, decorated=True, timeout=TIMEOUT))
    gaps = (0.3, 1.6, 0.2, 0.8, 2.2, 0.4, 1.3)  # below and above the TTL, frozen throughout
    served: list[tuple[str, float]] = []
    with publisher:
        for gap in gaps:
            function.idle(gap)
            invocation = function.invoke()
            assert invocation.duration < TIMEOUT + SLACK
            served.append((invocation.result["colour"], invocation.finished_at))

    def staleness(value: str, at: float) -> float:
        superseded = publisher.superseded_at(value)
        return 0.0 if superseded is None or superseded > at else at - superseded

    ages = [round(staleness(value, at), 2) for value, at in served]
    assert max(ages) <= TTL + TIMEOUT + 0.1, list(zip(served, ages, strict=True))
    assert len({value for value, _ in served}) >= 4  # the values did change under it


def test_handler_p50_stays_within_a_few_ms_when_nothing_is_due(
    launch: Launch, ssm_writer: Any
) -> None:
    """Thawed invocations with every key within its TTL take the runtime's time, no SSM wait."""
    put(ssm_writer, COLOUR, "red")
    for name in extra_names(9):
        put(ssm_writer, name, "x")
    function = launch(config_function(300, decorated=True, extra_params=9))
    durations = []
    for _ in range(40):
        function.wait_frozen()  # each invocation thaws the function, as in Lambda
        durations.append(function.invoke().duration)
    assert statistics.median(durations) < 0.005, sorted(durations)
