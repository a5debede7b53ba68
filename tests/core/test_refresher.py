"""The one refresher of a process: shared rounds, joining requests in flight, ages from the
send time, refresh_due and refresh_before, prompt close, max-stale under backoff."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

import ssm_config
from ssm_config import (
    DeclarationError,
    Param,
    SSMSettings,
    SSMSettingsConfigDict,
    StaleValueError,
)
from ssm_config.testing import FakeClock, refresh_due

from .._support import Recorder, deny


class Orders(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/orders", ssm_ttl=60)
    db_url: Annotated[str, Param("/shared/db-url")]
    page_size: Annotated[int, Param("page-size")]


class Billing(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/billing", ssm_ttl=60)
    db_url: Annotated[str, Param("/shared/db-url")]
    currency: str


class Gate:
    """Holds every GetParameters answer of a client until :meth:`release` (botocore's hook)."""

    def __init__(self, client: Any) -> None:
        self.entered = threading.Event()
        self._open = threading.Event()
        client.meta.events.register("after-call.ssm.GetParameters", self._hold)

    def _hold(self, **_: Any) -> None:
        self.entered.set()
        assert self._open.wait(30), "the gate was never released"

    def release(self) -> None:
        self._open.set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def seeded(ssm: Any) -> Any:
    for name, value in {
        "/shared/db-url": "db-1",
        "/orders/page-size": "20",
        "/billing/currency": "EUR",
    }.items():
        ssm.put_parameter(Name=name, Value=value, Type="String")
    return ssm


@pytest.fixture
def orders(seeded: Any, clock: FakeClock) -> Iterator[Orders]:
    config = Orders(_ssm_client=seeded, _ssm_clock=clock)
    yield config
    config.ssm_close()


def _put(ssm: Any, name: str, value: str) -> None:
    ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def test_shared_names_are_fetched_once_for_every_class(
    seeded: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """Two classes sharing a name: one thread, one call naming each due name once."""
    orders = Orders(_ssm_client=seeded, _ssm_clock=clock)
    billing = Billing(_ssm_client=seeded, _ssm_clock=clock)
    closing += [orders, billing]
    threads = [t for t in threading.enumerate() if t.name.startswith("ssm-config-refresh")]
    assert len(threads) == 1
    _put(seeded, "/shared/db-url", "db-2")
    before = recorder.count("GetParameters")
    clock.advance(60)
    refresh_due(orders)
    refresh_due(billing)
    assert recorder.count("GetParameters") == before + 1
    names = recorder.names()[-1]
    assert sorted(names) == ["/billing/currency", "/orders/page-size", "/shared/db-url"]
    assert (orders.db_url, billing.db_url) == ("db-2", "db-2")


def test_one_instances_bad_value_does_not_hold_back_another(
    seeded: Any, clock: FakeClock, closing: list[Any]
) -> None:
    """A shared name one class rejects (not an int) still changes for the class it suits."""

    class Strict(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_ttl=60)
        size: Annotated[int, Param("/shared/size")]

    class Loose(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_ttl=60)
        size: Annotated[str, Param("/shared/size")]

    seeded.put_parameter(Name="/shared/size", Value="1", Type="String")
    strict = Strict(_ssm_client=seeded, _ssm_clock=clock)
    loose = Loose(_ssm_client=seeded, _ssm_clock=clock)
    closing += [strict, loose]
    _put(seeded, "/shared/size", "big")
    clock.advance(60)
    refresh_due(strict)
    refresh_due(loose)
    assert (strict.size, loose.size) == (1, "big")
    assert strict.ssm_stats()["fields"]["size"]["failures"] == 1
    assert loose.ssm_stats()["fields"]["size"]["failures"] == 0


def test_ages_and_deadlines_count_from_when_the_request_was_sent(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """An answer read 3 s after its request (a freeze in between) is 3 s old, and due 3 s
    sooner; it is not reported as fresh."""
    gate = Gate(seeded)
    clock.advance(60)
    assert orders.ssm_refresh_due(timeout=0) is False  # sent; the answer is held
    assert gate.entered.wait(10)
    clock.advance(3)
    gate.release()
    assert orders.ssm_refresh_due(timeout=10)  # joins the round in flight
    assert orders.ssm_stats()["fields"]["page_size"]["age"] == pytest.approx(3.0)
    clock.advance(60 - 3)
    assert orders.ssm_refresh_due(timeout=0) is False  # due again: 60 s after the send


def test_refresh_due_joins_the_round_in_flight(
    orders: Orders, seeded: Any, clock: FakeClock, recorder: Recorder
) -> None:
    """A second caller while a round is in flight sends no request of its own."""
    gate = Gate(seeded)
    before = recorder.count("GetParameters")
    _put(seeded, "/orders/page-size", "21")
    clock.advance(60)
    first = threading.Thread(target=orders.ssm_refresh_due, kwargs={"timeout": 30})
    first.start()
    assert gate.entered.wait(10)
    assert orders.ssm_refresh_due(timeout=0) is False  # joined, not waited for
    gate.release()
    first.join(30)
    assert orders.ssm_refresh_due(timeout=10)
    assert recorder.count("GetParameters") == before + 1
    assert orders.page_size == 21


def test_refresh_due_gives_up_at_its_timeout_and_the_round_lands_later(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """A slow SSM costs the caller at most the timeout; the answer still lands afterwards."""
    gate = Gate(seeded)
    _put(seeded, "/orders/page-size", "22")
    clock.advance(60)
    assert orders.ssm_refresh_due(timeout=0.01) is False
    assert orders.page_size == 20
    gate.release()
    assert orders.ssm_refresh_due(timeout=10)
    assert orders.page_size == 22


def test_refresh_due_with_nothing_due_sends_nothing(
    orders: Orders, clock: FakeClock, recorder: Recorder
) -> None:
    """Within every TTL it returns True and makes no request."""
    before = len(recorder.calls)
    clock.advance(30)
    assert orders.ssm_refresh_due()
    assert len(recorder.calls) == before


def test_refresh_due_never_raises_on_ssm_failures(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """Throttled: False, the last good value, and a backoff (no request until it ends)."""
    refused = deny(seeded, {"/orders/page-size"}, code="ThrottlingException")
    clock.advance(60)
    assert orders.ssm_refresh_due(timeout=5) is False
    assert orders.page_size == 20
    assert orders.ssm_refresh_due(timeout=5) is False
    assert len(refused) == 1  # still backing off: not asked again


def test_refresh_before_refreshes_a_sync_handler_first(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """The first invocation after the TTL returns the new value."""

    @ssm_config.refresh_before(orders, timeout=5)
    def handler(event: dict[str, Any], context: object) -> int:
        return orders.page_size

    assert handler({}, None) == 20
    _put(seeded, "/orders/page-size", "30")
    clock.advance(60)
    assert handler({}, None) == 30
    assert handler.__name__ == "handler"


def test_refresh_before_works_for_an_async_handler(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """An async def handler is refreshed before it runs, too."""

    @ssm_config.refresh_before(orders, timeout=5)
    async def handler(event: dict[str, Any], context: object) -> int:
        return orders.page_size

    _put(seeded, "/orders/page-size", "31")
    clock.advance(60)
    assert asyncio.run(handler({}, None)) == 31


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("not a config",), {}, "takes SSMSettings instances, not str"),
        ((), {"timeout": -1}, "timeout must be seconds >= 0"),
        ((), {"timeout": "1"}, "timeout must be seconds >= 0"),
    ],
)
def test_refresh_before_refuses_bad_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    """Wrong configs or timeouts fail at decoration, naming what is wrong."""
    with pytest.raises(DeclarationError, match=message):
        ssm_config.refresh_before(*args, **kwargs)


def test_close_returns_at_once_while_a_request_hangs(
    orders: Orders, seeded: Any, clock: FakeClock
) -> None:
    """ssm_close does not wait for a request in flight (it would wait forever here)."""
    gate = Gate(seeded)
    clock.advance(60)
    orders.ssm_refresh_due(timeout=0)
    assert gate.entered.wait(10)
    orders.ssm_close()
    orders.ssm_close()  # idempotent
    gate.release()


def test_a_stale_read_fails_fast_while_its_key_backs_off(
    seeded: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """Under throttling a stale read asks once, then fails at once until the backoff ends."""

    class Fresh(SSMSettings):
        model_config = SSMSettingsConfigDict(
            ssm_prefix="/orders", ssm_ttl=60, ssm_max_stale=90, ssm_refresh="off"
        )
        page_size: Annotated[int, Param("page-size")]

    config = Fresh(_ssm_client=seeded, _ssm_clock=clock)
    closing.append(config)
    refused = deny(seeded, {"/orders/page-size"}, code="ThrottlingException")
    clock.advance(91)
    for _ in range(5):
        with pytest.raises(StaleValueError, match="/orders/page-size"):
            _ = config.page_size
    assert len(refused) == 1
    refused.stop()
    clock.advance(2)  # past the first backoff
    assert config.page_size == 20


def test_a_stale_read_joins_the_round_in_flight(
    seeded: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """A read waiting for a fresh value joins the refresh already sent, no second request."""

    class Fresh(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/orders", ssm_ttl=60, ssm_max_stale=60)
        page_size: Annotated[int, Param("page-size")]

    config = Fresh(_ssm_client=seeded, _ssm_clock=clock)
    closing.append(config)
    gate = Gate(seeded)
    _put(seeded, "/orders/page-size", "23")
    before = recorder.count("GetParameters")
    clock.advance(61)
    config.ssm_refresh_due(timeout=0)
    assert gate.entered.wait(10)
    read: list[int] = []
    reader = threading.Thread(target=lambda: read.append(config.page_size))
    reader.start()
    gate.release()
    reader.join(30)
    assert read == [23]
    assert recorder.count("GetParameters") == before + 1


def test_keys_split_by_an_outage_rejoin_one_round(
    ssm: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """25 keys loaded together, throttled for 2 minutes: afterwards 3 calls a cycle again."""
    names = [f"k{i}" for i in range(25)]
    for name in names:
        ssm.put_parameter(Name=f"/many/{name}", Value="1", Type="String")
    many = pydantic_create_model(names)
    config = many(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    store = config._ssm_live.store
    fault = deny(ssm, {f"/many/{n}" for n in names}, code="ThrottlingException")
    outage_ends = clock() + 60 + 120
    while clock() < outage_ends:
        clock.advance(max(0.0, store.earliest - clock()) + 0.001)
        refresh_due(config)
    fault.stop()
    clock.advance(max(0.0, store.earliest - clock()) + 0.001)
    refresh_due(config)  # the recovery round
    per_cycle = []
    for _ in range(5):
        before = recorder.count("GetParameters")
        cycle_ends = clock() + 60
        while store.earliest < cycle_ends:
            clock.advance(max(0.0, store.earliest - clock()) + 0.001)
            refresh_due(config)
        clock.advance(max(0.0, cycle_ends - clock()))
        per_cycle.append(recorder.count("GetParameters") - before)
    assert per_cycle == [3, 3, 3, 3, 3]


def pydantic_create_model(names: list[str]) -> Any:
    """An SSMSettings class with one int field per name under /many, TTL 60 s."""
    from pydantic import create_model

    class Base(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/many", ssm_ttl=60)

    fields: dict[str, Any] = dict.fromkeys(names, (int, ...))
    return create_model("Many", __base__=Base, **fields)


def test_background_refreshing_goes_on_when_each_round_is_slow(
    seeded: Any, closing: list[Any]
) -> None:
    """A round still in flight when the refresher plans its sleep does not stop the next
    refresh: three changes in a row land with nobody but the background thread refreshing."""
    import time

    class Quick(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/orders", ssm_ttl=0.3)
        page_size: Annotated[int, Param("page-size")]

    def slow(**_: Any) -> None:
        time.sleep(0.05)  # an SSM round trip, so the round is in flight during the pass

    seeded.meta.events.register("after-call.ssm.GetParameters", slow)
    config = Quick(_ssm_client=seeded)
    closing.append(config)
    landed = threading.Event()
    seen: list[int] = []

    @config.ssm_on_change
    def publish_next(changes: dict[str, Any]) -> None:
        seen.append(changes["page_size"][1])
        if len(seen) == 3:
            landed.set()
        else:
            _put(seeded, "/orders/page-size", str(100 + len(seen)))

    _put(seeded, "/orders/page-size", "100")
    assert landed.wait(20), f"background refresh stalled after {seen}"
    assert seen == [100, 101, 102]
