"""get_parameter / get_parameters_by_path: typed errors, per-key TTL cache, single flight."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ssm_config import (
    AccessDeniedError,
    InvalidNameError,
    ParameterNotFoundError,
    get_parameter,
    get_parameters_by_path,
)

from .._support import Recorder, deny


def test_get_parameter_decrypts_and_caches(ssm: Any, recorder: Recorder) -> None:
    """A SecureString is decrypted; a second read within the TTL makes no call."""
    ssm.put_parameter(Name="/app/secret", Value="s3", Type="SecureString")
    assert get_parameter("/app/secret", client=ssm) == "s3"
    assert get_parameter("/app/secret", client=ssm) == "s3"
    assert recorder.count("GetParameter") == 1
    assert recorder.calls[-1][1]["WithDecryption"] is True


def test_decrypt_flag_is_part_of_the_key(ssm: Any, recorder: Recorder) -> None:
    """Reading encrypted and decrypted forms are two cache entries."""
    ssm.put_parameter(Name="/app/secret", Value="s3", Type="SecureString")
    assert get_parameter("/app/secret", client=ssm) == "s3"
    assert get_parameter("/app/secret", decrypt=False, client=ssm) != "s3"
    assert recorder.count("GetParameter") == 2


def test_ttl_expiry_and_zero(ssm: Any, recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the TTL a read fetches again; ttl=0 always fetches (the cache's clock injected)."""
    from ssm_config import _adhoc
    from ssm_config.testing import FakeClock

    clock = FakeClock()
    monkeypatch.setattr(_adhoc, "timer", clock)
    ssm.put_parameter(Name="/app/x", Value="1", Type="String")
    assert get_parameter("/app/x", ttl=10, client=ssm) == "1"
    ssm.put_parameter(Name="/app/x", Value="2", Type="String", Overwrite=True)
    clock.advance(9)
    assert get_parameter("/app/x", ttl=10, client=ssm) == "1"
    clock.advance(2)
    assert get_parameter("/app/x", ttl=10, client=ssm) == "2"
    assert get_parameter("/app/x", ttl=0, client=ssm) == "2"
    assert get_parameter("/app/x", ttl=0, client=ssm) == "2"
    assert recorder.count("GetParameter") == 4


def test_concurrent_first_reads_make_one_call(ssm: Any) -> None:
    """Eight threads reading one cold key make a single request between them."""
    ssm.put_parameter(Name="/app/cold", Value="v", Type="String")
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow(params: dict[str, Any], **_: Any) -> None:
        calls.append(params["Name"])
        entered.set()
        release.wait(10)

    ssm.meta.events.register("before-parameter-build.ssm.GetParameter", slow)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(get_parameter, "/app/cold", client=ssm) for _ in range(8)]
        assert entered.wait(10)
        # The other seven are now queued on the key's lock; no event can observe a thread
        # blocked on a lock, so give them a moment to get there before the first returns.
        time.sleep(0.05)
        release.set()
        assert [f.result() for f in futures] == ["v"] * 8
    assert calls == ["/app/cold"]


def test_path_read_all_pages_full_names(ssm: Any, recorder: Recorder) -> None:
    """A path read returns every parameter under it, keyed by full name, cached."""
    for i in range(12):
        ssm.put_parameter(
            Name=f"/app/f/{'sub/' if i % 3 == 0 else ''}k{i}", Value=str(i), Type="String"
        )
    values = get_parameters_by_path("/app/f", client=ssm)
    assert len(values) == 12
    assert values["/app/f/sub/k0"] == "0"
    assert get_parameters_by_path("/app/f", client=ssm) == values
    assert recorder.count("GetParametersByPath") == 2  # two pages, once
    shallow = get_parameters_by_path("/app/f", recursive=False, client=ssm)
    assert "/app/f/sub/k0" not in shallow


def test_errors_are_typed_and_name_the_parameter(ssm: Any, recorder: Recorder) -> None:
    """Missing and denied reads raise the specific error; a bad name makes no request."""
    with pytest.raises(ParameterNotFoundError, match="/app/none: parameter not found"):
        get_parameter("/app/none", client=ssm)
    ssm.put_parameter(Name="/app/locked", Value="v", Type="String")
    deny(ssm, {"/app/locked"})
    with pytest.raises(AccessDeniedError, match="/app/locked: access denied to ssm:GetParameter"):
        get_parameter("/app/locked", client=ssm)
    before = len(recorder.calls)
    with pytest.raises(InvalidNameError):
        get_parameter("/bad name", client=ssm)
    with pytest.raises(InvalidNameError):
        get_parameters_by_path("relative", client=ssm)
    assert len(recorder.calls) == before


def test_missing_parameter_is_a_key_error(ssm: Any) -> None:
    """ParameterNotFoundError is also a KeyError, with a readable message."""
    with pytest.raises(KeyError) as info:
        get_parameter("/app/none", client=ssm)
    assert str(info.value) == "/app/none: parameter not found"


def test_default_client_is_used(ssm: Any) -> None:
    """Without client=, the process default client (same moto mock) serves the read."""
    ssm.put_parameter(Name="/app/d", Value="dv", Type="String")
    assert get_parameter("/app/d") == "dv"


def test_adhoc_reads_refuse_under_offline(ssm: Any, recorder: Recorder) -> None:
    """Inside offline() (policy generation), ad-hoc reads raise and contact nothing."""
    from ssm_config import SSMConfigError
    from ssm_config.testing import offline

    ssm.put_parameter(Name="/app/x", Value="v", Type="String")
    with offline():
        with pytest.raises(SSMConfigError, match=r"get_parameter\('/app/x'\) under offline\(\)"):
            get_parameter("/app/x", client=ssm)
        with pytest.raises(SSMConfigError, match="get_parameters_by_path"):
            get_parameters_by_path("/app", client=ssm)
    assert recorder.calls[-1][0] == "PutParameter"


@pytest.mark.parametrize("ttl", [-1, float("nan"), "5"])
def test_adhoc_ttl_must_be_a_non_negative_number(ssm: Any, ttl: object) -> None:
    """A nonsensical ttl is refused before any request, instead of meaning 'always fetch'."""
    from ssm_config import SSMConfigError

    with pytest.raises(SSMConfigError, match="ttl must be"):
        get_parameter("/app/x", ttl=ttl, client=ssm)  # type: ignore[arg-type]
