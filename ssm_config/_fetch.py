"""Runs names and paths against SSM: batched, overlapped, every failure typed.

This is the only module that calls SSM for the loader and the refresher, and
:func:`translate` is the only place botocore errors become ssm_config errors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from . import _workers
from ._errors import (
    AccessDeniedError,
    DecryptionError,
    EndpointError,
    FetchError,
    ParameterNotFoundError,
    ThrottledError,
)
from ._plan import batches

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

_THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
_NOT_FOUND_CODES = frozenset({"ParameterNotFound", "ParameterVersionNotFound"})
_KMS_CODES = frozenset(
    {"InvalidKeyId", "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException"}
)
_SERVER_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure"})


@dataclass(frozen=True, slots=True)
class Fetched:
    """One parameter as SSM returned it. ``repr`` never shows the value."""

    name: str
    value: str = field(repr=False)
    type: str
    version: int
    last_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one round of requests produced, keyed by the name or path as requested.

    Attributes:
        values: the parameters that came back.
        paths: per path, every parameter under it, keyed by the name relative to the path.
        failures: per name or path, why it did not come back.
        calls: SSM API requests made, botocore's retries included.
    """

    values: Mapping[str, Fetched]
    paths: Mapping[str, Mapping[str, Fetched]]
    failures: Mapping[str, FetchError]
    calls: int

    def version_of(self, key: str) -> Hashable:
        """SSM's version of ``key`` (for a path: every (name, version) under it)."""
        if key in self.paths:
            return tuple(sorted((n, f.version) for n, f in self.paths[key].items()))
        item = self.values.get(key)
        return None if item is None else item.version

    def stamp_of(self, key: str) -> Hashable:
        """What identifies ``key``'s value: version and modification time (of each item)."""
        if key in self.paths:
            return tuple(
                sorted((n, f.version, f.last_modified) for n, f in self.paths[key].items())
            )
        item = self.values.get(key)
        return None if item is None else (item.version, item.last_modified)

    def is_secure(self, key: str) -> bool:
        """Whether the value(s) of ``key`` came from a SecureString."""
        items: Iterable[Fetched] = (
            self.paths[key].values() if key in self.paths else filter(None, [self.values.get(key)])
        )
        return any(item.type == "SecureString" for item in items)


def fetch(client: SSMClient, names: Iterable[str], paths: Iterable[str] = ()) -> Outcome:
    """Fetch ``names`` (10 a call) and ``paths`` (all pages), with the calls overlapped."""
    names, paths = list(dict.fromkeys(names)), list(dict.fromkeys(paths))
    values: dict[str, Fetched] = {}
    by_path: dict[str, dict[str, Fetched]] = {}
    failures: dict[str, FetchError] = {}
    counter = _Counter()
    jobs: list[Callable[[], None]] = [
        _partial(_fetch_batch, client, batch, values, failures, counter) for batch in batches(names)
    ]
    jobs += [_partial(_fetch_path, client, path, by_path, failures, counter) for path in paths]
    _workers.run_all(jobs)
    for key in [*names, *paths]:
        if key not in values and key not in by_path and key not in failures:
            # A job that failed in our own code (its error is logged): the key failed.
            failures[key] = FetchError("no answer: the request failed unexpectedly", name=key)
    return Outcome(values=values, paths=by_path, failures=failures, calls=counter.value)


def translate(  # noqa: PLR0911 - one branch per AWS error family, by design
    exc: Exception, name: str | None, action: str = "GetParameters"
) -> FetchError:
    """Map a botocore exception to the most specific ssm_config error."""
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", "")).strip() or code
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _THROTTLE_CODES:
            return ThrottledError(
                f"throttled by SSM ({action}) after retries; the request rate is shared by "
                "the whole account and region",
                name=name,
                code=code,
            )
        if code in _NOT_FOUND_CODES:
            return ParameterNotFoundError("parameter not found", name=name, code=code)
        if code in _KMS_CODES or (code.startswith("AccessDenied") and _mentions_kms(message)):
            return DecryptionError(
                f"KMS could not decrypt: {code}: {message}", name=name, code=code
            )
        if code.startswith("AccessDenied") or code in {"UnauthorizedOperation", "Forbidden"}:
            return AccessDeniedError(
                f"access denied to ssm:{action}: {message}", name=name, code=code
            )
        if code in _SERVER_CODES or status >= 500:
            return EndpointError(f"SSM failed on its side ({action}): {code}", name=name, code=code)
        return FetchError(f"SSM refused {action}: {code}: {message}", name=name, code=code)
    if isinstance(exc, NoRegionError):
        return FetchError("no AWS region configured: set AWS_REGION or pass a client", name=name)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return AccessDeniedError(f"no AWS credentials: {exc}", name=name)
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        url = getattr(exc, "kwargs", {}).get("endpoint_url")
        where = f" at {url}" if url else ""
        return EndpointError(f"SSM unreachable{where} ({action}): {type(exc).__name__}", name=name)
    if isinstance(exc, BotoCoreError):
        return FetchError(f"botocore failed ({action}): {type(exc).__name__}: {exc}", name=name)
    raise TypeError(f"not an AWS error: {type(exc).__name__}") from exc


def retries_of(obj: Mapping[str, Any] | Exception) -> int:
    """How many extra requests botocore made for one call (its retries)."""
    response = obj.response if isinstance(obj, ClientError) else obj
    if not isinstance(response, Mapping):
        return 0
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)


_AWS_ERRORS = (ClientError, BotoCoreError)


def _fetch_batch(
    client: SSMClient,
    batch: tuple[str, ...],
    values: dict[str, Fetched],
    failures: dict[str, FetchError],
    counter: _Counter,
) -> None:
    try:
        response = client.get_parameters(Names=list(batch), WithDecryption=True)
    except _AWS_ERRORS as exc:
        counter.add(1 + retries_of(exc))
        error = translate(exc, None)
        global_cause = error.code is None or isinstance(error, (ThrottledError, EndpointError))
        if len(batch) > 1 and not global_cause:
            # One bad name (no access, a disabled key) fails the whole call: find which.
            # No credentials, no region, throttling or an outage fail every name alike.
            for name in batch:
                _fetch_batch(client, (name,), values, failures, counter)
            return
        for name in batch:
            failures[name] = translate(exc, name)
        return
    counter.add(1 + retries_of(response))
    try:
        answered, strays, ambiguous = _match(batch, _list(response, "Parameters"))
        invalid = _list(response, "InvalidParameters")
    except _MalformedError as exc:
        for name in batch:
            failures[name] = FetchError(f"SSM's answer was malformed: {exc}", name=name)
        return
    for name in invalid:
        failures[name] = ParameterNotFoundError("parameter not found", name=name)
    unanswered = [n for n in batch if n not in answered and n not in failures]
    for name in [n for n in unanswered if n in ambiguous]:
        _fetch_batch(client, (name,), values, failures, counter)
    unanswered = [n for n in unanswered if n not in ambiguous]
    if len(unanswered) == 1 and len(strays) == 1:
        # Some endpoints name a Secrets Manager reference by the secret's own name.
        answered[unanswered.pop()] = strays[0]
    for name in unanswered:
        failures[name] = FetchError("SSM's answer did not include this parameter", name=name)
    values.update(answered)


def _match(
    batch: tuple[str, ...], items: list[Any]
) -> tuple[dict[str, Fetched], list[Fetched], set[str]]:
    """Pair answers with the names asked: (answered, unmatched answers, ambiguous names).

    SSM says which selector an answer is for; an endpoint that does not (moto) leaves two
    requests of one name ambiguous, and the caller asks for those again, one a call.
    """
    says_selector = any(isinstance(i, Mapping) and i.get("Selector") for i in items)
    by_bare: dict[str, list[str]] = {}
    for name in batch:
        by_bare.setdefault(_bare(name), []).append(name)
    answered: dict[str, Fetched] = {}
    strays: list[Fetched] = []
    ambiguous: set[str] = set()
    for item in items:
        fetched = _fetched(item)
        selector = item.get("Selector")
        if selector:
            candidates = [f"{fetched.name}:{str(selector).lstrip(':')}"]
        else:
            candidates = by_bare.get(fetched.name, [])
            if says_selector:
                candidates = [c for c in candidates if ":" not in c]
        if len(candidates) > 1:
            ambiguous.update(candidates)
        elif candidates and candidates[0] in batch:
            answered[candidates[0]] = fetched
        else:
            strays.append(fetched)
    return answered, strays, ambiguous


def get_one(client: SSMClient, name: str, *, decrypt: bool = True) -> Fetched:
    """One parameter by GetParameter (a name with an optional selector).

    Raises:
        FetchError: SSM refused or failed (translated), or answered malformed.
    """
    try:
        response = client.get_parameter(Name=name, WithDecryption=decrypt)
    except _AWS_ERRORS as exc:
        raise translate(exc, name, "GetParameter") from exc
    try:
        return _fetched(response.get("Parameter"))
    except _MalformedError as exc:
        raise FetchError(f"SSM's answer was malformed: {exc}", name=name) from None


def list_path(
    client: SSMClient, path: str, *, recursive: bool = True, decrypt: bool = True
) -> tuple[list[Fetched], int]:
    """Every parameter under ``path`` (all pages, 10 a page), and the requests it took.

    Raises:
        FetchError: SSM refused or failed (translated), or answered malformed.
    """
    found: list[Fetched] = []
    counter = _Counter()
    try:
        pages = client.get_paginator("get_parameters_by_path").paginate(
            Path=path, Recursive=recursive, WithDecryption=decrypt
        )
        for page in pages:
            counter.add(1 + retries_of(page))
            found.extend(_fetched(item) for item in _list(page, "Parameters"))
    except _AWS_ERRORS as exc:
        counter.add(1 + retries_of(exc))
        raise translate(exc, path, "GetParametersByPath") from exc
    except _MalformedError as exc:
        raise FetchError(f"SSM's answer was malformed: {exc}", name=path) from None
    return found, counter.value


def _fetch_path(
    client: SSMClient,
    path: str,
    by_path: dict[str, dict[str, Fetched]],
    failures: dict[str, FetchError],
    counter: _Counter,
) -> None:
    root = "" if path == "/" else path
    try:
        found, calls = list_path(client, path)
    except FetchError as exc:
        counter.add(1)
        failures[path] = exc
        return
    counter.add(calls)
    by_path[path] = {item.name[len(root) + 1 :]: item for item in found}


class _MalformedError(ValueError):
    """An answer that does not have the shape SSM documents (says what, never a value)."""


def _list(response: Mapping[str, Any], key: str) -> list[Any]:
    value = response.get(key, [])
    if not isinstance(value, list):
        raise _MalformedError(f"{key} is {type(value).__name__}, not a list")
    return value


def _fetched(item: Any) -> Fetched:
    if not isinstance(item, Mapping):
        raise _MalformedError(f"a parameter is {type(item).__name__}, not an object")
    for key in ("Name", "Value"):
        if not isinstance(item.get(key), str):
            raise _MalformedError(f"{key} is {type(item.get(key)).__name__}, not a string")
    version = item.get("Version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _MalformedError(f"Version is {type(version).__name__}, not an integer")
    return Fetched(
        name=item["Name"],
        value=item["Value"],
        type=str(item.get("Type", "String")),
        version=version,
        last_modified=item.get("LastModifiedDate"),
    )


def _bare(name: str) -> str:
    return name.partition(":")[0]


def _mentions_kms(message: str) -> bool:
    lowered = message.lower()
    return "kms" in lowered or "ciphertext" in lowered or "decrypt" in lowered


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


def _partial(fn: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: fn(*args)
