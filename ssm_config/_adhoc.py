"""``get_parameter`` / ``get_parameters_by_path``: ad-hoc reads, cached per key.

A key is the name (or path) with the decrypt flag. Concurrent first reads of one key make
one call: later readers wait on that key's lock and take the cached result; readers of
other keys do not wait. Requests go through ``_fetch`` like every other SSM read; ages come
from :data:`timer`, read once per operation (tests set it to a hand-cranked clock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _fork
from ._client import default_client
from ._declare import check_name, check_path, check_seconds
from ._errors import SSMConfigError
from ._fetch import get_one, list_path
from ._offline import is_offline

if TYPE_CHECKING:
    from cachetools import LRUCache
    from mypy_boto3_ssm import SSMClient

MAX_ENTRIES = 1024
timer: Callable[[], float] = time.monotonic
"""Monotonic seconds for the cache's TTLs."""
_T = TypeVar("_T")
_Key = tuple[Any, ...]

_guard = threading.Lock()
_cache: LRUCache[_Key, tuple[float, Any]] | None = None
"""Built by the first read: a function that never reads ad hoc does not import cachetools."""
_key_locks: dict[_Key, threading.Lock] = {}


def get_parameter(
    name: str, *, ttl: float = 300, decrypt: bool = True, client: SSMClient | None = None
) -> str:
    """The value of one parameter, cached in this process for ``ttl`` seconds.

    Args:
        name: the full name, optionally with a ``:version`` or ``:label`` selector.
        ttl: seconds a cached value is served; 0 always fetches.
        decrypt: decrypt a SecureString (through KMS).
        client: the boto3 SSM client (default: one built from the environment).

    Raises:
        InvalidNameError: ``name`` breaks SSM's naming rules (no request is made).
        FetchError: the most specific subclass, e.g. ParameterNotFoundError.
    """
    check_name(name)
    check_seconds(ttl, "ttl", zero=True)
    _refuse_offline(f"get_parameter({name!r})")

    def load() -> str:
        return get_one(client or default_client(), name, decrypt=decrypt).value

    return _cached(("name", name, decrypt), ttl, load)


def get_parameters_by_path(
    path: str,
    *,
    recursive: bool = True,
    ttl: float = 300,
    decrypt: bool = True,
    client: SSMClient | None = None,
) -> dict[str, str]:
    """Every parameter under ``path`` (all pages), keyed by full name, cached for ``ttl``.

    Raises:
        InvalidNameError: ``path`` breaks SSM's naming rules (no request is made).
        FetchError: the most specific subclass, e.g. AccessDeniedError.
    """
    check_path(path)
    check_seconds(ttl, "ttl", zero=True)
    _refuse_offline(f"get_parameters_by_path({path!r})")

    def load() -> dict[str, str]:
        found, _ = list_path(client or default_client(), path, recursive=recursive, decrypt=decrypt)
        return {item.name: item.value for item in found}

    return dict(_cached(("path", path, recursive, decrypt), ttl, load))


def _refuse_offline(call: str) -> None:
    if is_offline():
        raise SSMConfigError(
            f"{call} under offline() (as `ssm-config policy` imports modules): no AWS call "
            "is made; read parameters inside functions, not at import"
        )


def clear_cache() -> None:
    """Forget every cached ad-hoc value."""
    with _guard:
        if _cache is not None:
            _cache.clear()


def _cached(key: _Key, ttl: float, load: Callable[[], _T]) -> _T:
    if ttl > 0:
        hit = _lookup(key, ttl)
        if hit is not None:
            return hit[1]  # type: ignore[no-any-return]
    with _guard:
        lock = _key_locks.setdefault(key, threading.Lock())
    with lock:
        if ttl > 0:
            hit = _lookup(key, ttl)
            if hit is not None:
                return hit[1]  # type: ignore[no-any-return]
        value = load()
        with _guard:
            _the_cache()[key] = (timer(), value)
            if len(_key_locks) > 2 * MAX_ENTRIES:
                _key_locks.clear()  # held locks stay referenced by their holders
        return value


def _the_cache() -> LRUCache[_Key, tuple[float, Any]]:
    """The cache, built on first use (the caller holds ``_guard``)."""
    global _cache  # noqa: PLW0603 - built once, on the first ad-hoc read
    if _cache is None:
        from cachetools import LRUCache  # noqa: PLC0415 - deferred: see _cache

        _cache = LRUCache(maxsize=MAX_ENTRIES)
    return _cache


def _lookup(key: _Key, ttl: float) -> tuple[float, Any] | None:
    with _guard:
        hit = None if _cache is None else _cache.get(key)
    if hit is not None and timer() - hit[0] < ttl:
        return hit
    return None


def _reset_after_fork() -> None:
    global _guard  # noqa: PLW0603 - the parent's lock may have been held at fork
    _guard = threading.Lock()
    _key_locks.clear()


_fork.on_child(_reset_after_fork)
