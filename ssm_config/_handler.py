"""``refresh_before``: refresh due keys at the start of each Lambda invocation.

Lambda freezes the process between invocations, the refresher thread included: a
deadline that passes while frozen is only noticed after the next thaw, when the
invocation that thawed the process is already running. Refreshing due keys at the start
of the invocation, bounded by a short timeout, makes the served value at most
``ttl + timeout`` old while SSM answers; when nothing is due it costs a clock read per
config.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._errors import DeclarationError
from ._refresh import REFRESHER
from ._settings import SSMSettings

_HandlerT = TypeVar("_HandlerT", bound=Callable[..., Any])


def refresh_before(*configs: SSMSettings, timeout: float = 0.5) -> Callable[[_HandlerT], _HandlerT]:
    """Decorate a handler so each call first refreshes the due keys of ``configs``.

    ``timeout`` bounds the wait for SSM for all ``configs`` together; SSM failures never
    raise here (the last good values are served and retried with backoff). An
    ``async def`` handler is supported: the refresh runs before its first await.

    Example::

        config = OrdersConfig()

        @ssm_config.refresh_before(config)
        def handler(event, context): ...

    Raises:
        DeclarationError: a config is not an SSMSettings instance, or the timeout is
            not a non-negative number.
    """
    for config in configs:
        if not isinstance(config, SSMSettings):
            raise DeclarationError(
                f"refresh_before takes SSMSettings instances, not {type(config).__name__}"
            )
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout >= 0:
        raise DeclarationError(f"refresh_before timeout must be seconds >= 0, not {timeout!r}")

    def refresh() -> None:
        stores = []
        for config in configs:
            live = config._ssm_live
            if live is not None:
                stores.append(live.store)
        if stores:
            REFRESHER.refresh_due(stores, timeout)

    def decorate(handler: _HandlerT) -> _HandlerT:
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                refresh()
                return await handler(*args, **kwargs)

            return cast("_HandlerT", async_wrapper)

        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            refresh()
            return handler(*args, **kwargs)

        return cast("_HandlerT", wrapper)

    return decorate


__all__ = ["refresh_before"]
