"""The harness itself: the real runtime client, frozen between invocations as Lambda does."""

from __future__ import annotations

import pytest

from ._faults import FaultProxy
from ._runtime import FunctionError, HarnessError
from .conftest import Launch

pytestmark = pytest.mark.lambda_runtime

TICKER = """
    import os
    import threading
    import time

    ticks = 0

    def tick():
        global ticks
        while True:
            time.sleep(0.01)
            ticks += 1

    threading.Thread(target=tick, daemon=True).start()

    def handler(event, context):
        time.sleep(event.get("busy", 0))
        return {"ticks": ticks, "pid": os.getpid(), "request": context.aws_request_id}
"""


def test_a_frozen_function_does_not_run_its_threads(launch: Launch) -> None:
    """A ticker thread advances while an invocation runs and stands still while frozen."""
    function = launch(TICKER)
    first = function.invoke()
    busy = function.invoke({"busy": 0.5})
    assert busy.result["ticks"] - first.result["ticks"] >= 20  # ~50 while thawed
    assert busy.result["request"] == busy.request_id
    assert busy.result["pid"] == function.pid

    function.wait_frozen()
    assert function.state() == "T"  # the kernel's "stopped"
    function.idle(1.5)  # 150 ticks if it were running
    after = function.invoke()
    assert after.result["ticks"] - busy.result["ticks"] <= 10
    assert after.delivered_at - busy.finished_at >= 1.5


def test_an_error_and_a_failed_init_are_reported(launch: Launch) -> None:
    """A handler's exception comes back as FunctionError; an import error fails the start."""
    function = launch("def handler(event, context):\n    raise ValueError('no such order')\n")
    with pytest.raises(FunctionError, match="no such order"):
        function.invoke()
    with pytest.raises(HarnessError, match=r"init failed.*No module named 'no_such_module'"):
        launch("import no_such_module\n")


def test_the_proxy_breaks_only_the_connections_open_at_the_fault(
    launch: Launch, proxy: FaultProxy
) -> None:
    """After a reset the function's next request opens a new connection that works."""
    function = launch(
        """
        import boto3
        ssm = boto3.client("ssm")

        def handler(event, context):
            return ssm.get_parameters(Names=["/harness/none"])["InvalidParameters"]
        """
    )
    assert function.invoke().result == ["/harness/none"]
    assert proxy.open_connections() == 1
    function.wait_frozen()
    assert proxy.break_connections("reset") == 1
    assert function.invoke().result == ["/harness/none"]
    assert proxy.connections_made == 2
    assert proxy.requests("GetParameters") == 2


HOOKS = """
    import os
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    calls = []
    register_before_snapshot(calls.append, "before-snapshot")
    register_after_restore(calls.append, "after-restore")
    if os.environ.get("FAIL_RESTORE"):
        register_after_restore(lambda: 1 / 0)

    def handler(event, context):
        return calls
"""


def test_snapstart_runs_the_hooks_around_the_snapshot(launch: Launch) -> None:
    """Before-snapshot hooks run at init, after-restore hooks before the first invocation."""
    function = launch(HOOKS, snapstart=True)
    function.wait_frozen()
    assert function.state() == "T"  # frozen at the snapshot, in /restore/next
    with pytest.raises(HarnessError, match="restore"):
        function.invoke()
    function.restore()
    assert function.invoke().result == ["before-snapshot", "after-restore"]


def test_a_failing_after_restore_hook_is_reported(launch: Launch) -> None:
    """The runtime client posts the hook's error to /restore/error; restore() raises it."""
    function = launch(HOOKS, snapstart=True, FAIL_RESTORE="1")
    with pytest.raises(HarnessError, match=r"after-restore hook failed.*ZeroDivisionError"):
        function.restore()
