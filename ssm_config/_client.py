"""The one place a default boto3 client is built.

botocore already honours the standard AWS environment (``AWS_REGION``, ``AWS_PROFILE``,
``AWS_ENDPOINT_URL_SSM``, ...) and retries throttling with backoff in its ``standard``
mode, so this module only chooses timeouts short enough for Lambda and builds each client
once per process (a forked child gets its own: sockets must not be shared across a fork).
It is also the one boundary where a broken environment (a malformed variable or config
file) becomes a :class:`~ssm_config.FetchError` naming the variable at fault, instead of
botocore's ``ValueError`` or ``BotoCoreError`` from wherever the client was first needed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ConfigParseError,
    InvalidMaxRetryAttemptsError,
    InvalidRegionError,
    InvalidRetryModeError,
    NoRegionError,
    ProfileNotFound,
)

from . import _fork
from ._errors import FetchError

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
    """The process-wide default client for ``service``, built on first use.

    Raises:
        FetchError: the AWS environment or config files cannot make a client; the
            message names the variable (or file) at fault and what to do.
    """
    key = (os.getpid(), service)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                try:
                    client = make_client(service)
                except (BotoCoreError, ValueError) as exc:
                    raise FetchError(environment_fault(exc, service)) from exc
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
    _share_loader(session)
    return session.create_client(
        service, region_name=region, endpoint_url=endpoint_url, config=boto_config()
    )


_loaders: list[Any] = []


def _share_loader(session: Any) -> None:
    """Give ``session`` the data loader of the first session, with its parsed models.

    The service models and endpoint data are read-only, and parsing them again is most of
    a client's cost (a SnapStart restore or a forked child rebuilds its clients).
    Credentials, profile and region stay the new session's own.
    """
    if _loaders:
        session.register_component("data_loader", _loaders[0])
    else:
        _loaders.append(session.get_component("data_loader"))


_INT_VARIABLES = (
    "AWS_MAX_ATTEMPTS",
    "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
)
"""Whole-number variables botocore parses with ``int()`` (a bad one is a bare ValueError)."""
_NO_REGION = (
    "no AWS region configured: set AWS_REGION (or AWS_DEFAULT_REGION, or a region in the "
    "profile), or pass a client"
)


def environment_fault(exc: Exception, service: str) -> str:  # noqa: PLR0911 - one per fault
    """What in the environment kept botocore from building the default client, and the fix.

    botocore's own messages name a setting (``"mode"``, ``region_name``) but not where it
    came from; this names the variable holding the bad value, else the config file.
    """
    env = os.environ
    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile")
        where = _holding(profile, "AWS_PROFILE", "AWS_DEFAULT_PROFILE") or "the profile"
        return (
            f"{where}={profile!r} names no profile in the AWS config files "
            f"(AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE): fix the name or unset {where}"
        )
    if isinstance(exc, ConfigParseError):
        path = str(exc.kwargs.get("path", ""))
        where = _holding_file(path) or "the AWS config file"
        return f"{where} ({path}) is not a valid AWS config file: fix its syntax or unset {where}"
    if isinstance(exc, InvalidRegionError):
        region = exc.kwargs.get("region_name")
        where = _holding(region, "AWS_REGION", "AWS_DEFAULT_REGION") or "the profile's region"
        return f"{where}={region!r} is not an AWS region name (like 'us-east-1'): fix it"
    text = str(exc)
    bad_url = isinstance(exc, ValueError) and text.startswith("Invalid endpoint")
    if isinstance(exc, NoRegionError) or (bad_url and _empty_region()):
        return _NO_REGION
    if isinstance(exc, InvalidRetryModeError):
        mode = exc.kwargs.get("provided_retry_mode")
        where = "AWS_RETRY_MODE" if "AWS_RETRY_MODE" in env else "retry_mode in the profile"
        return f"{where}={mode!r} is not a retry mode: use 'standard', 'adaptive' or 'legacy'"
    if isinstance(exc, InvalidMaxRetryAttemptsError):
        attempts = exc.kwargs.get("provided_max_attempts")
        where = "AWS_MAX_ATTEMPTS" if "AWS_MAX_ATTEMPTS" in env else "max_attempts in the profile"
        return f"{where}={attempts!r} must be a whole number of attempts, 1 or more"
    if bad_url:
        names = (f"AWS_ENDPOINT_URL_{service.upper()}", "AWS_ENDPOINT_URL")
        where = next((n for n in names if env.get(n, "").strip()), "endpoint_url in the profile")
        return f"{where} is not a URL (like 'https://ssm.us-east-1.amazonaws.com'): fix it"
    if isinstance(exc, ValueError) and "int()" in text:
        bad = next((n for n in _INT_VARIABLES if not _is_int(env.get(n, "0"))), None)
        if bad is not None:
            return f"{bad}={env[bad]!r} is not a whole number: fix it or unset it"
    return (
        f"cannot build the {service} client from the AWS environment: {type(exc).__name__}: {text}"
    )


def _holding(value: object, *names: str) -> str | None:
    """The first of the environment variables ``names`` whose value is ``value``."""
    return next((n for n in names if value is not None and os.environ.get(n) == value), None)


def _holding_file(path: str) -> str | None:
    defaults = {
        "AWS_CONFIG_FILE": "~/.aws/config",
        "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials",
    }
    for name, default in defaults.items():
        if os.path.expanduser(os.environ.get(name, default)) == path:
            return name
    return None


def _empty_region() -> bool:
    """AWS_DEFAULT_REGION set but blank: botocore builds ``https://ssm..amazonaws.com``."""
    return (
        not os.environ.get("AWS_REGION") and os.environ.get("AWS_DEFAULT_REGION", "x").strip() == ""
    )


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


_WITHHELD = "withheld by ssm_config: it may hold decrypted SecureString values"


class _WithholdOurBodies(logging.Filter):
    """Keeps the bodies of ssm_config's requests and responses out of botocore's DEBUG log.

    botocore logs every response body (``botocore.parsers``: ``Response body: ...``) and
    every request's parameters (``botocore.endpoint``: ``Making request for ...``) at
    DEBUG; for a decrypted GetParameter(s) the body is the secret itself. The record is
    rewritten, not dropped, so a user debugging still sees each call and its operation.
    Only calls made from ssm_config's own code are touched (whichever client makes them):
    the user's own calls log as botocore always logs them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        if not isinstance(msg, str) or not _called_from_us(sys._getframe(1)):
            return True
        if msg.startswith("Response body"):
            record.msg, record.args = f"Response body: {_WITHHELD}", ()
        elif msg.startswith("Making request for") and isinstance(record.args, tuple):
            record.msg, record.args = (
                "Making request for %s with params: %s",
                (
                    record.args[0] if record.args else "?",
                    f"<{_WITHHELD}>",
                ),
            )
        return True


def _called_from_us(frame: FrameType | None) -> bool:
    """Whether a frame of ssm_config's own code is on this thread's stack below ``frame``."""
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).startswith("ssm_config."):
            return True
        frame = frame.f_back
    return False


_withhold = _WithholdOurBodies()
for _logger in ("botocore.parsers", "botocore.endpoint"):
    logging.getLogger(_logger).addFilter(_withhold)


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
