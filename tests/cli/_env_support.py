"""Fixtures for the environment commands' tests: the write pacer on a fake clock.

Test modules load this with ``pytest_plugins`` next to ``tests._cli_support``.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from ssm_config.cli import _apply

from ._env_helpers import FakeTime


@pytest.fixture(autouse=True)
def pace_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """Make every write pacer the commands build run on a fake clock: no real sleeping."""
    fake = FakeTime()
    pacer: Any = functools.partial(_apply.Pacer, clock=fake.clock, sleep=fake.sleep)
    monkeypatch.setattr(_apply, "Pacer", pacer)
    return fake
