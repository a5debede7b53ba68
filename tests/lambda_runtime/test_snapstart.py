"""SnapStart: a restored function serves values fetched after the restore, with no user code."""

from __future__ import annotations

from typing import Any

import pytest

from ._faults import Fault, FaultProxy
from ._runtime import RESTORE_LIMIT
from ._sources import COLOUR, config_function, extra_names
from .conftest import Launch
from .test_refresh_before import put

pytestmark = pytest.mark.lambda_runtime


@pytest.mark.parametrize("fault", ["reset", "silent"])
def test_the_first_invocation_after_a_restore_serves_post_restore_values(
    fault: Fault, launch: Launch, ssm_writer: Any, proxy: FaultProxy
) -> None:
    """Values changed during the snapshot are served at once; the snapshot's sockets are dead."""
    put(ssm_writer, COLOUR, "red")
    for name in extra_names(9):
        put(ssm_writer, name, "x")
    source = config_function(300, decorated=False, extra_params=9)  # no decorator, no hook
    function = launch(source, snapstart=True)  # init ran; frozen at the snapshot

    put(ssm_writer, COLOUR, "blue")
    proxy.break_connections(fault)  # whatever the snapshot still holds is dead on restore
    function.idle(1.0)
    assert function.restore() < RESTORE_LIMIT / 2

    first = function.invoke()
    assert first.result == {"colour": "blue"}
    assert first.duration < 0.1  # fetched during the restore, not by the invocation
