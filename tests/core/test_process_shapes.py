"""Odd process shapes: a main thread that returned, an exit with a request hung, a fork in
the middle of a swap, forked copies drawing jitter, and a SnapStart restore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import field_validator

from ssm_config import ConfigError, Param, SSMSettings, SSMSettingsConfigDict, _snapstart
from ssm_config._refresh import REFRESHER

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hunter2-do-not-print"


def _run(script: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


_PREAMBLE = """
    import json, threading
    from typing import Annotated
    from ssm_config import Param, SSMSettings, SSMSettingsConfigDict
    from ssm_config._demo._server import LocalSSM

    local = LocalSSM().start()
    ssm = local.ssm_client()
    for i in range(12):
        ssm.put_parameter(Name=f"/w/k{i}", Value="1", Type="String")

    class W(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/w", ssm_ttl=60)
        k0: int; k1: int; k2: int; k3: int; k4: int; k5: int
        k6: int; k7: int; k8: int; k9: int; k10: int; k11: int
"""


@pytest.mark.server
def test_refreshes_go_on_after_the_main_thread_returns() -> None:
    """A two-call round still works when only a non-daemon thread keeps the process alive."""
    result = _run(
        _PREAMBLE
        + """
    config = W(_ssm_client=ssm)

    def worker():
        threading.main_thread().join()  # interpreter shutdown has begun
        ssm.put_parameter(Name="/w/k11", Value="2", Type="String", Overwrite=True)
        changed = config.ssm_refresh()
        fails = sum(f["failures"] for f in config.ssm_stats()["fields"].values())
        print(json.dumps({"changed": changed, "k11": config.k11, "failures": fails}))

    threading.Thread(target=worker).start()
    """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"changed": ["k11"], "k11": 2, "failures": 0}
    assert "Traceback" not in result.stderr


@pytest.mark.server
def test_exit_does_not_wait_for_a_hung_request() -> None:
    """A refresh stuck on a silent peer (60 s read timeout) does not hold up the exit."""
    result = _run(
        _PREAMBLE
        + """
    import boto3, botocore.config, time
    from tests.core.test_dead_connection import BlackHoleProxy

    proxy = BlackHoleProxy(local.address)
    slow = boto3.client(
        "ssm", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{proxy.port}",
        config=botocore.config.Config(read_timeout=60, retries={"total_max_attempts": 1}),
    )
    stepped = [0.0]
    config = W(_ssm_client=slow, _ssm_clock=lambda: time.monotonic() + stepped[0])
    proxy.hang()
    stepped[0] = 120.0
    print(config.ssm_refresh_due(timeout=0.2), flush=True)
    """,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_secret_never_rides_a_validators_own_exception(ssm: Any) -> None:
    """A before-validator raising KeyError(value) on a SecureString: no cause, no value, and
    the message names the parameter, the field and the other failing field too."""
    from pydantic import field_validator as validator

    tiers = {"gold": 1}

    class Tiered(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/t")
        tier: Annotated[int, Param("tier")]
        port: int

        @validator("tier", mode="before")
        @classmethod
        def lookup(cls, value: str) -> int:
            return tiers[value]

    ssm.put_parameter(Name="/t/tier", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/t/port", Value="eighty", Type="String")
    with pytest.raises(ConfigError) as info:
        Tiered(_ssm_client=ssm)
    error = info.value
    assert error.__cause__ is None
    assert [(p.ssm_name, p.field) for p in error.problems] == [
        ("/t/tier", "tier"),
        ("/t/port", "port"),
    ]
    assert "a validator raised KeyError" in str(error)
    chain: BaseException | None = error
    while chain is not None:
        assert SECRET not in str(chain)
        assert SECRET not in repr(chain)
        chain = chain.__cause__ or chain.__context__


def test_a_validators_own_exception_on_a_plain_value_keeps_its_cause(ssm: Any) -> None:
    """Outside secrets the bug stays attached for debugging, pinned to its field."""

    class Picky(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/p")
        mode: str

        @field_validator("mode")
        @classmethod
        def check(cls, value: str) -> str:
            raise LookupError("no such mode")

    ssm.put_parameter(Name="/p/mode", Value="x", Type="String")
    with pytest.raises(ConfigError, match=r"/p/mode \(field 'mode'\): a validator raised") as info:
        Picky(_ssm_client=ssm)
    assert isinstance(info.value.__cause__, LookupError)


class Colour(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/c", ssm_ttl=60)
    colour: str


def test_a_child_forked_mid_swap_never_claims_a_version_it_does_not_hold(ssm: Any) -> None:
    """Forked between the value swap and the version record, the child holds the new value
    under the old version, so it re-fetches; it never holds the old value as 'new'."""
    ssm.put_parameter(Name="/c/colour", Value="red", Type="String")
    config = Colour(_ssm_client=ssm)
    try:
        live = config._ssm_live
        assert live is not None
        store = live.store
        swap = store.on_swap
        read_end, write_end = os.pipe()
        forked: list[int] = []

        def fork_during_swap(target: Any, secure: frozenset[str]) -> None:
            if swap is not None:
                swap(target, secure)
            pid = os.fork()
            if pid == 0:
                version = store.keys["/c/colour"].version
                os.write(write_end, json.dumps([target.colour, version]).encode())
                os._exit(0)
            forked.append(pid)

        store.on_swap = fork_during_swap
        ssm.put_parameter(Name="/c/colour", Value="blue", Type="String", Overwrite=True)
        assert config.ssm_refresh() == ["colour"]
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            colour, version = json.loads(pipe.read())
        os.waitpid(forked[0], 0)
        assert (colour, version) == ("blue", 1)  # new value, old version: it will re-fetch
        assert store.keys["/c/colour"].version == 2
    finally:
        config.ssm_close()


def test_forked_children_draw_different_jitter() -> None:
    """Preloaded workers forked from one parent do not refresh in lock-step."""
    draws = []
    for _ in range(2):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write_end, json.dumps(REFRESHER.draws().factor).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            draws.append(json.loads(pipe.read()))
        os.waitpid(pid, 0)
    assert draws[0] != draws[1]


def test_snapstart_restore_refreshes_every_key_at_once(ssm: Any) -> None:
    """After a restore every value is fetched again within the hook, TTL or not, and the
    jitter source is new; the hooks are registered with snapshot_restore_py."""
    import snapshot_restore_py

    ssm.put_parameter(Name="/c/colour", Value="red", Type="String")
    config = Colour(_ssm_client=ssm)
    try:
        assert (_snapstart.after_restore, (), {}) in snapshot_restore_py.get_after_restore()
        assert (_snapstart.before_snapshot, (), {}) in snapshot_restore_py.get_before_snapshot()
        ssm.put_parameter(Name="/c/colour", Value="blue", Type="String", Overwrite=True)
        rng = REFRESHER.rng
        _snapstart.before_snapshot()
        _snapstart.after_restore()
        assert config.colour == "blue"
        assert REFRESHER.rng is not rng
    finally:
        config.ssm_close()
