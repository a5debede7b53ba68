"""The one place a default boto3 client is built.

botocore already honours the standard AWS environment (``AWS_REGION``, ``AWS_PROFILE``,
``AWS_ENDPOINT_URL_SSM``, ...) and retries throttling with backoff in its ``standard``
mode, so this module only chooses timeouts short enough for Lambda and builds each client
once per process (a forked child gets its own: sockets must not be shared across a fork).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from botocore.config import Config

from . import _fork

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

CONNECT_TIMEOUT = 2.0
"""Seconds; a dead connection after a Lambda thaw fails fast and is retried."""
READ_TIMEOUT = 3.0
MAX_ATTEMPTS = 4
"""Requests per call in botocore's standard mode: the first plus three jittered retries."""
MAX_POOL = 16
"""Enough sockets for the overlapped GetParameters calls of a large load."""


def boto_config() -> Config:
    """Timeouts short enough for Lambda; retries as configured, else standard mode x4.

    ``AWS_RETRY_MODE`` and ``AWS_MAX_ATTEMPTS`` (or the profile's ``retry_mode`` and
    ``max_attempts``) still win, as for the AWS CLI: botocore fills in whatever the
    ``retries`` dict leaves out from the environment and config files.
    """
    retries: dict[str, Any] = {}
    if "AWS_RETRY_MODE" not in os.environ:
        retries["mode"] = "standard"
    if "AWS_MAX_ATTEMPTS" not in os.environ:
        retries["total_max_attempts"] = MAX_ATTEMPTS
    return Config(
        retries=retries,  # type: ignore[arg-type]
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=MAX_POOL,
        user_agent_extra="ssm-config",
    )


_lock = threading.Lock()
_clients: dict[tuple[int, str], Any] = {}


def default_client(service: str = "ssm") -> SSMClient:
    """The process-wide default client for ``service``, built on first use."""
    key = (os.getpid(), service)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = make_client(service)
                _clients[key] = client
    return client  # type: ignore[no-any-return]


def make_client(
    service: str = "ssm",
    *,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
) -> Any:
    """A new client with ssm_config's timeouts and retry mode, from the standard environment.

    The region is ``region``, else ``AWS_REGION`` (which Lambda, ECS and the AWS CLI v2 use;
    botocore itself reads only ``AWS_DEFAULT_REGION``), else botocore's own resolution.
    The client is the one boto3 would build; botocore's session is used directly, and
    imported here, because ``import boto3`` also loads s3transfer (~100 ms of cold start).
    """
    import botocore.session  # noqa: PLC0415 - deferred: only a default client needs it

    region = region or os.environ.get("AWS_REGION") or None
    session = botocore.session.Session(profile=profile)
    return session.create_client(
        service, region_name=region, endpoint_url=endpoint_url, config=boto_config()
    )


def forget_connections(client: Any) -> None:
    """Drop a client's pooled sockets (in a forked child they are the parent's too)."""
    http_session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    close = getattr(http_session, "close", None)
    if callable(close):
        close()


def reset_default_clients() -> None:
    """Forget the default clients (after a fork, or when a test changes the environment)."""
    global _lock  # noqa: PLW0603 - after a fork the parent's lock may be held
    _lock = threading.Lock()
    _clients.clear()


_fork.on_child(reset_default_clients)
