"""``offline()``: a block in which nothing in ssm_config contacts AWS.

Tools that import user modules only to read their declarations (the IAM policy
generator) run them inside it: settings keep their defaults, ad-hoc reads refuse.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_OFFLINE: ContextVar[bool] = ContextVar("ssm_config_offline", default=False)


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """Within this block, constructing settings makes no AWS call and starts no thread.

    Fields keep their defaults (required ones stay unset), and ``get_parameter`` /
    ``get_parameters_by_path`` raise instead of calling SSM.
    """
    token = _OFFLINE.set(True)
    try:
        yield
    finally:
        _OFFLINE.reset(token)


def is_offline() -> bool:
    return _OFFLINE.get()
