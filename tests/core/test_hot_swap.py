"""Live instances: per-key expiry, batched rounds, atomic swaps, callbacks, stale-on-error."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

import pytest
from botocore.exceptions import EndpointConnectionError
from pydantic import SecretStr, field_validator

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict, StaleValueError
from ssm_config.testing import FakeClock, refresh_due

from .._support import Recorder, deny, fail_with, scheduled


class Svc(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/svc", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param(ttl=30)]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 10
    colour: str = "grey"
    limit: Annotated[int, Param(ttl=600)] = 1


def _seed(ssm: Any) -> None:
    ssm.put_parameter(Name="/svc/db_url", Value="db-1", Type="SecureString")
    ssm.put_parameter(Name="/svc/page-size", Value="20", Type="String")
    ssm.put_parameter(Name="/svc/colour", Value="red", Type="String")
    ssm.put_parameter(Name="/svc/limit", Value="5", Type="String")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def svc(ssm: Any, clock: FakeClock, closing: list[Any]) -> Svc:
    _seed(ssm)
    config = Svc(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    return config


def _overwrite(ssm: Any, name: str, value: str, kind: str = "String") -> None:
    ssm.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)


def test_refresher_thread_is_named_daemon(svc: Svc) -> None:
    """One named daemon refresher thread serves the process; close takes an instance off it."""
    threads = [t for t in threading.enumerate() if t.name.startswith("ssm-config-refresh")]
    assert len(threads) == 1
    assert threads[0].daemon
    assert scheduled(svc)
    svc.ssm_close()
    assert not scheduled(svc)


def test_each_key_expires_on_its_own_ttl(
    svc: Svc, ssm: Any, clock: FakeClock, recorder: Recorder
) -> None:
    """At 30 s only the 30 s keys are fetched, in one call; the 300 s and 600 s keys wait."""
    _overwrite(ssm, "/svc/page-size", "21")
    _overwrite(ssm, "/svc/colour", "blue")
    clock.advance(30 * 0.95 - 0.1)  # just before the earliest jittered deadline
    refresh_due(svc)
    assert recorder.names() == []
    clock.advance(0.1 + 30 * 0.05)
    refresh_due(svc)
    assert recorder.names() == [["/svc/db_url", "/svc/page-size"]]
    assert (svc.page_size, svc.colour) == (21, "red")
    clock.advance(270)
    refresh_due(svc)
    assert svc.colour == "blue"
    assert recorder.names()[-1] == ["/svc/db_url", "/svc/page-size", "/svc/colour"]
    assert not any("/svc/limit" in names for names in recorder.names())


def test_jitter_keeps_deadlines_within_five_percent(
    ssm: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """Nothing is due before 95% of the TTL, everything by 100%, across many instances:
    their shared names then go in one call."""
    _seed(ssm)
    configs = [Svc(_ssm_client=ssm, _ssm_clock=clock) for _ in range(20)]
    closing.extend(configs)
    loads = recorder.count("GetParameters")
    clock.advance(30 * 0.95 - 0.01)
    for config in configs:
        refresh_due(config)
    assert recorder.count("GetParameters") == loads
    clock.advance(30 * 0.05 + 0.02)
    for config in configs:
        refresh_due(config)
    assert recorder.count("GetParameters") == loads + 1
    ages = [c.ssm_stats()["fields"]["page_size"]["age"] for c in configs]
    assert all(a < 2 for a in ages), ages


def test_change_callbacks_get_old_and_new(svc: Svc, ssm: Any) -> None:
    """ssm_refresh swaps changes in and callbacks receive {field: (old, new)}."""
    seen: list[dict[str, Any]] = []
    only_db: list[dict[str, Any]] = []
    svc.ssm_on_change(seen.append)

    @svc.ssm_on_change(fields=["db_url"])
    def reconnect(changes: dict[str, Any]) -> None:
        only_db.append(changes)

    _overwrite(ssm, "/svc/page-size", "25")
    assert svc.ssm_refresh() == ["page_size"]
    assert seen == [{"page_size": (20, 25)}]
    assert only_db == []
    _overwrite(ssm, "/svc/db_url", "db-2", "SecureString")
    assert svc.ssm_refresh() == ["db_url"]
    ((old, new),) = only_db[0].values()
    assert (old.get_secret_value(), new.get_secret_value()) == ("db-1", "db-2")
    assert reconnect is not None


def test_unchanged_versions_are_not_swapped(svc: Svc, recorder: Recorder) -> None:
    """A refresh that finds the same versions keeps the very same snapshot object."""
    seen: list[Any] = []
    svc.ssm_on_change(seen.append)
    before = svc.__dict__
    assert svc.ssm_refresh() == []
    assert svc.__dict__ is before
    assert seen == []
    assert recorder.count("GetParameters") == 1


def test_snapshot_never_changes(svc: Svc, ssm: Any) -> None:
    """model_copy() is frozen in time while the live instance moves on."""
    snapshot = svc.model_copy()
    _overwrite(ssm, "/svc/page-size", "99")
    svc.ssm_refresh()
    assert (svc.page_size, snapshot.page_size) == (99, 20)
    assert snapshot.ssm_refresh() == []


def test_callback_that_raises_is_logged_and_others_run(
    svc: Svc, ssm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """One failing callback does not stop the others or the swap."""
    seen: list[Any] = []

    def broken(changes: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    svc.ssm_on_change(broken)
    svc.ssm_on_change(seen.append)
    _overwrite(ssm, "/svc/colour", "green")
    with caplog.at_level(logging.ERROR, logger="ssm_config"):
        assert svc.ssm_refresh() == ["colour"]
    assert seen == [{"colour": ("red", "green")}]
    assert "on-change callback" in caplog.text


def test_unknown_callback_field_is_refused(svc: Svc) -> None:
    """Subscribing to a field the class does not have is an error, not silence."""
    with pytest.raises(TypeError, match="no field"):
        svc.ssm_on_change(print, fields=["nope"])


@pytest.mark.parametrize("fault", ["throttled", "outage", "deleted", "invalid"])
def test_failures_keep_the_last_good_value_then_converge(
    svc: Svc, ssm: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    """Throttling, outage, deletion and a bad value keep serving, warn, then recover."""
    if fault == "throttled":
        undo = deny(ssm, {"/svc/page-size"}, code="ThrottlingException")
    elif fault == "outage":
        undo = fail_with(ssm, EndpointConnectionError(endpoint_url="https://ssm.invalid"))
    elif fault == "deleted":
        ssm.delete_parameter(Name="/svc/page-size")
    else:
        _overwrite(ssm, "/svc/page-size", "lots")
    with caplog.at_level(logging.WARNING, logger="ssm_config"):
        clock.advance(30)
        refresh_due(svc)
    assert svc.page_size == 20
    assert "/svc/page-size" in caplog.text
    assert "keeping the last good value" in caplog.text
    assert svc.ssm_stats()["fields"]["page_size"]["failures"] == 1
    if fault in ("throttled", "outage"):
        undo.stop()  # SSM answers well again
    _overwrite(ssm, "/svc/page-size", "42")
    clock.advance(2)  # past the first backoff (at most 1 s)
    refresh_due(svc)
    assert svc.page_size == 42
    assert svc.ssm_stats()["fields"]["page_size"]["failures"] == 0


def test_one_bad_key_does_not_hold_back_another(svc: Svc, ssm: Any) -> None:
    """In one round, a rejected value and a good change to another key: the good one lands."""
    _overwrite(ssm, "/svc/page-size", "not-a-number")
    _overwrite(ssm, "/svc/colour", "teal")
    assert svc.ssm_refresh() == ["colour"]
    assert (svc.page_size, svc.colour) == (20, "teal")


def test_backoff_grows_and_is_capped(
    ssm: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """Retries after failures wait 1, 2, 4 ... s (jittered down to half), capped at 300 s."""

    class One(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/one", ssm_ttl=10_000)
        v: int

    ssm.put_parameter(Name="/one/v", Value="1", Type="String")
    config = One(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    refused = deny(ssm, {"/one/v"}, code="ThrottlingException")
    clock.advance(10_000)
    refresh_due(config)
    assert len(refused) == 1
    for failures in range(1, 12):
        full = min(300.0, 2.0 ** (failures - 1))
        clock.advance(full / 2 - 0.01)
        refresh_due(config)
        assert len(refused) == failures, f"retried too early after {failures} failures"
        clock.advance(full / 2 + 0.02)
        refresh_due(config)
        assert len(refused) == failures + 1, f"not retried in time after {failures} failures"
    assert config.v == 1


def test_thaw_refreshes_everything_overdue_in_one_round(
    svc: Svc, ssm: Any, clock: FakeClock, recorder: Recorder
) -> None:
    """After a long freeze every overdue key refreshes together, in one batched call."""
    _overwrite(ssm, "/svc/limit", "6")
    clock.advance(3600)
    refresh_due(svc)
    assert recorder.names() == [["/svc/db_url", "/svc/page-size", "/svc/colour", "/svc/limit"]]
    assert svc.limit == 6


def test_stats_report_age_version_failures_calls(svc: Svc, ssm: Any, clock: FakeClock) -> None:
    """ssm_stats shows each field's name, version, age and failures, and the API calls."""
    clock.advance(12.5)
    stats = svc.ssm_stats()
    assert stats["api_calls"] == 1
    row = stats["fields"]["page_size"]
    assert row == {"name": "/svc/page-size", "version": 1, "age": 12.5, "failures": 0}
    _overwrite(ssm, "/svc/page-size", "30")
    svc.ssm_refresh()
    stats = svc.ssm_stats()
    assert stats["fields"]["page_size"]["version"] == 2
    assert stats["fields"]["page_size"]["age"] == 0
    assert stats["api_calls"] == 2


def test_close_is_idempotent_and_refresh_still_works(svc: Svc, ssm: Any) -> None:
    """ssm_close twice is fine; ssm_refresh keeps working synchronously after it."""
    svc.ssm_close()
    svc.ssm_close()
    _overwrite(ssm, "/svc/colour", "black")
    assert svc.ssm_refresh() == ["colour"]


def test_refresh_off_loads_once_without_a_thread(
    ssm: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """ssm_refresh="off": no thread, nothing fetched on expiry, ssm_refresh still works."""

    class Still(Svc):
        model_config = SSMSettingsConfigDict(ssm_refresh="off")

    _seed(ssm)
    config = Still(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    assert not [t for t in threading.enumerate() if t.name == "ssm-config-refresh-Still"]
    _overwrite(ssm, "/svc/colour", "white")
    assert config.ssm_refresh() == ["colour"]


def test_refresh_revalidates_from_raw_input(ssm: Any, clock: FakeClock, closing: list[Any]) -> None:
    """Validators run once per new value, on the raw text, never on their own output."""

    class Upper(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/up")
        name: str
        other: str

        @field_validator("name")
        @classmethod
        def exclaim(cls, value: str) -> str:
            return value.upper() + "!"

    ssm.put_parameter(Name="/up/name", Value="ann", Type="String")
    ssm.put_parameter(Name="/up/other", Value="x", Type="String")
    config = Upper(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    _overwrite(ssm, "/up/other", "y")
    config.ssm_refresh()
    assert (config.name, config.other) == ("ANN!", "y")


class Rotating(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/rot", ssm_ttl=3600, ssm_max_stale=60)
    password: SecretStr
    user: str


def test_max_stale_read_waits_for_a_fresh_value(
    ssm: Any, clock: FakeClock, recorder: Recorder, closing: list[Any]
) -> None:
    """Past ssm_max_stale a read fetches before answering; a fresh read does not."""
    ssm.put_parameter(Name="/rot/password", Value="p1", Type="SecureString")
    ssm.put_parameter(Name="/rot/user", Value="u", Type="String")
    config = Rotating(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    _overwrite(ssm, "/rot/password", "p2", "SecureString")
    clock.advance(30)
    assert config.password.get_secret_value() == "p1"
    assert recorder.count("GetParameters") == 1
    clock.advance(31)
    assert config.password.get_secret_value() == "p2"
    assert recorder.names()[-1] == ["/rot/password"]


def test_max_stale_raises_when_no_fresh_value_can_be_had(
    ssm: Any, clock: FakeClock, closing: list[Any]
) -> None:
    """If SSM cannot answer, a too-old value is refused with StaleValueError, not served."""
    ssm.put_parameter(Name="/rot/password", Value="p1", Type="SecureString")
    ssm.put_parameter(Name="/rot/user", Value="u", Type="String")
    config = Rotating(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    deny(ssm, {"/rot/password"})
    clock.advance(61)
    with pytest.raises(StaleValueError, match="/rot/password"):
        _ = config.password
    assert config.model_copy().user == "u"


def test_dropped_instance_is_collected_and_its_thread_ends(ssm: Any) -> None:
    """Nothing but the user holds a live instance: dropping it stops its refresher."""
    import gc
    import weakref

    _seed(ssm)
    config = Svc(_ssm_client=ssm)
    _overwrite(ssm, "/svc/colour", "plum")
    config.ssm_refresh()  # a swap must not leave a reference behind either
    live = config._ssm_live
    assert live is not None
    assert scheduled(config)
    store = weakref.ref(live.store)
    ref = weakref.ref(config)
    del config, live
    gc.collect()
    assert ref() is None
    assert store() is None  # the refresher held no reference either


def test_copies_and_pickles_are_detached_snapshots(svc: Svc, ssm: Any) -> None:
    """copy, deepcopy and pickle give plain snapshots with secrets still masked."""
    import copy
    import pickle

    for clone in (copy.copy(svc), copy.deepcopy(svc), pickle.loads(pickle.dumps(svc))):  # noqa: S301
        assert clone._ssm_live is None
        assert clone.page_size == 20
        assert "db-1" not in repr(clone)
        assert clone.ssm_refresh() == []


def test_default_factory_fields_keep_their_value_across_swaps(
    ssm: Any, clock: FakeClock, closing: list[Any]
) -> None:
    """A swap re-validates SSM values only: a default_factory field is not made anew."""
    from itertools import count

    from pydantic import Field

    ticket = count(1)

    class Stamped(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/st")
        colour: str
        instance: int = Field(default_factory=lambda: next(ticket))

    ssm.put_parameter(Name="/st/colour", Value="red", Type="String")
    config = Stamped(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    seen: list[dict[str, Any]] = []
    config.ssm_on_change(seen.append)
    ssm.put_parameter(Name="/st/colour", Value="blue", Type="String", Overwrite=True)
    assert config.ssm_refresh() == ["colour"]
    assert seen == [{"colour": ("red", "blue")}]
    assert config.instance == 1
    ssm.put_parameter(Name="/st/instance", Value="42", Type="String")  # now SSM supplies it
    assert config.ssm_refresh() == ["instance"]
    assert config.instance == 42


def test_a_huge_ttl_does_not_kill_the_refresher(ssm: Any, clock: FakeClock) -> None:
    """A TTL past what a thread can wait for (1e10 s) is waited for in steps."""

    class Long(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/long", ssm_ttl=1e10)
        v: int

    ssm.put_parameter(Name="/long/v", Value="1", Type="String")
    config = Long(_ssm_client=ssm, _ssm_clock=clock)
    try:
        refresh_due(config)
        assert scheduled(config)
    finally:
        config.ssm_close()


def test_refresh_warnings_never_show_a_secret(
    ssm: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture, closing: list[Any]
) -> None:
    """A key inside secret JSON (pydantic's error location) never reaches the log."""

    class Vault(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/vault", ssm_ttl=60)
        limits: dict[str, int]
        region: str

    ssm.put_parameter(Name="/vault/limits", Value='{"a": 1}', Type="SecureString")
    ssm.put_parameter(Name="/vault/region", Value="eu", Type="String")
    config = Vault(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    secret_key = "Top-Secret-Key"
    ssm.put_parameter(
        Name="/vault/limits", Value=f'{{"{secret_key}": "x"}}', Type="SecureString", Overwrite=True
    )
    with caplog.at_level(logging.WARNING, logger="ssm_config"):
        clock.advance(60)
        refresh_due(config)
    assert "limits: int_parsing (details withheld: a SecureString)" in caplog.text
    assert secret_key not in caplog.text
    assert config.limits == {"a": 1}


def test_a_validator_bug_stays_with_its_key(
    ssm: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture, closing: list[Any]
) -> None:
    """A validator raising TypeError rejects its own new value; other keys still change."""

    class Picky(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/picky", ssm_ttl=60)
        mode: str
        other: str

        @field_validator("mode")
        @classmethod
        def check(cls, value: str) -> str:
            if value == "BAD":
                raise TypeError("a bug in the validator")
            return value

    ssm.put_parameter(Name="/picky/mode", Value="ok", Type="String")
    ssm.put_parameter(Name="/picky/other", Value="a", Type="String")
    config = Picky(_ssm_client=ssm, _ssm_clock=clock)
    closing.append(config)
    _overwrite(ssm, "/picky/mode", "BAD")
    _overwrite(ssm, "/picky/other", "b")
    with caplog.at_level(logging.WARNING, logger="ssm_config"):
        assert config.ssm_refresh() == ["other"]
    assert (config.mode, config.other) == ("ok", "b")
    assert "/picky/mode" in caplog.text
    assert "a validator raised TypeError" in caplog.text
    assert config.ssm_stats()["fields"]["mode"]["failures"] == 1
