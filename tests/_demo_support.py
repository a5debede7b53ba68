"""Helpers shared by the demo and examples tests (fixtures live in each test module)."""

from __future__ import annotations

import importlib.util
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return whether it was."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def accepts_connections(address: tuple[str, int]) -> bool:
    """Whether something listens at ``address``."""
    try:
        with socket.create_connection(address, timeout=1.0):
            return True
    except OSError:
        return False


def load_example(relative: str, module_name: str) -> ModuleType:
    """Import ``examples/<relative>`` afresh as ``module_name`` (module-level code runs)."""
    path = EXAMPLES / relative
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module
