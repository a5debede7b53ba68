"""Sentinel refresh: only the sentinel is polled; its change re-fetches the whole class in
one round, swapped together; a missing sentinel fails the load."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import create_model

from ssm_config import ConfigError, SSMSettings, SSMSettingsConfigDict
from ssm_config.testing import FakeClock

from .._support import Recorder

NAMES = [f"k{i}" for i in range(25)]


class Base(SSMSettings):
    model_config = SSMSettingsConfigDict(
        ssm_prefix="/orders",
        ssm_ttl=3600,
        ssm_sentinel="config-version",
        ssm_sentinel_ttl=30,
    )


def _model() -> Any:
    fields: dict[str, Any] = dict.fromkeys(NAMES, (str, ...))
    return create_model("Orders", __base__=Base, **fields)


Orders = _model()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def seeded(ssm: Any) -> Any:
    for name in NAMES:
        ssm.put_parameter(Name=f"/orders/{name}", Value="v1", Type="String")
    ssm.put_parameter(Name="/orders/config-version", Value="1", Type="String")
    return ssm


@pytest.fixture
def orders(seeded: Any, clock: FakeClock, closing: list[Any]) -> Any:
    config = Orders(_ssm_client=seeded, _ssm_clock=clock)
    closing.append(config)
    return config


def _publish(ssm: Any, version: str, names: list[str]) -> None:
    for name in names:
        ssm.put_parameter(Name=f"/orders/{name}", Value=version, Type="String", Overwrite=True)


def test_only_the_sentinel_is_polled(orders: Any, clock: FakeClock, recorder: Recorder) -> None:
    """25 keys with a 30 s sentinel: one call per period, naming only the sentinel."""
    before = recorder.count("GetParameters")
    for _ in range(4):
        clock.advance(30)
        assert orders.ssm_refresh_due(timeout=10)
    assert recorder.names()[before:] == [["/orders/config-version"]] * 4


def test_a_bump_swaps_every_changed_key_together(
    orders: Any, seeded: Any, clock: FakeClock, recorder: Recorder
) -> None:
    """Values published, then the sentinel bumped: within one period all change in one swap."""
    seen: list[dict[str, Any]] = []
    orders.ssm_on_change(seen.append)
    _publish(seeded, "v2", NAMES)
    clock.advance(30)
    orders.ssm_refresh_due(timeout=10)
    assert orders.k0 == "v1"  # not bumped yet: nothing re-fetched
    seeded.put_parameter(Name="/orders/config-version", Value="2", Type="String", Overwrite=True)
    clock.advance(30)
    assert orders.ssm_refresh_due(timeout=10)
    assert all(getattr(orders, name) == "v2" for name in NAMES)
    assert len(seen) == 1
    assert set(seen[0]) == set(NAMES)
    assert sorted(len(n) for n in recorder.names()[-3:]) == [5, 10, 10]


def test_keys_own_ttls_still_apply(
    orders: Any, seeded: Any, clock: FakeClock, recorder: Recorder
) -> None:
    """Without a bump a change still lands once its key's own TTL has passed."""
    _publish(seeded, "v3", ["k7"])
    for _ in range(3600 // 30):
        clock.advance(30)
        orders.ssm_refresh_due(timeout=10)
    assert orders.k7 == "v3"


def test_a_missing_sentinel_fails_the_load(seeded: Any, clock: FakeClock) -> None:
    """The sentinel is required: a load without it names it in the ConfigError."""
    seeded.delete_parameter(Name="/orders/config-version")
    with pytest.raises(ConfigError, match=r"/orders/config-version \(field '<sentinel>'\)"):
        Orders(_ssm_client=seeded, _ssm_clock=clock)


def test_testing_refresh_due_sees_a_bump_through(
    orders: Any, seeded: Any, clock: FakeClock
) -> None:
    """ssm_config.testing.refresh_due waits for the keys a moved sentinel made due, too."""
    from ssm_config.testing import refresh_due

    _publish(seeded, "v5", NAMES)
    seeded.put_parameter(Name="/orders/config-version", Value="5", Type="String", Overwrite=True)
    clock.advance(30)
    refresh_due(orders)
    assert orders.k24 == "v5"
