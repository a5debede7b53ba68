"""What a user declares: ``Param``, ``SSMSettingsConfigDict`` and SSM's naming rules.

The rules are checked here, before any request, so a bad declaration fails at class
definition with a message naming the field instead of as a ValidationException from AWS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic_settings import SettingsConfigDict

from ._errors import DeclarationError, InvalidNameError

if TYPE_CHECKING:
    from typing_extensions import Never

MAX_NAME_LENGTH = 1011
"""SSM documents 2048 characters, of which 1037 are reserved for internal use."""
MAX_DEPTH = 15
MAX_LABEL_LENGTH = 100
SECRETS_MANAGER_PREFIX = "/aws/reference/secretsmanager/"

_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")
_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@\-]+")
_LABEL = re.compile(r"[A-Za-z0-9_.\-]+")


class SSMSettingsConfigDict(SettingsConfigDict, total=False):
    """``model_config`` for an :class:`~ssm_config.SSMSettings` class.

    Attributes:
        ssm_prefix: relative names (and fields without ``Param``) are joined to it.
        ssm_ttl: default seconds a value lives before it is re-fetched (default 300).
        ssm_refresh: ``"on"`` (default) keeps the instance live; ``"off"`` loads once.
        ssm_max_stale: a read older than this many seconds waits for a fresh value.
        ssm_kms_key: default customer-managed KMS key of this class's SecureStrings.
        ssm_sentinel: one parameter (absolute, or relative to ``ssm_prefix``) polled in
            place of every key: when its version changes, the whole class is re-fetched.
        ssm_sentinel_ttl: seconds between polls of the sentinel (default 30).
        ssm_missing: what a missing parameter of a field with a default does at load:
            ``"warn"`` (default) uses the default and logs a warning naming the parameter
            and the field, ``"error"`` makes it a :class:`~ssm_config.ConfigError`,
            ``"ignore"`` uses the default silently.
    """

    ssm_prefix: str
    ssm_ttl: float
    ssm_refresh: Literal["on", "off"]
    ssm_max_stale: float | None
    ssm_kms_key: str | None
    ssm_sentinel: str | None
    ssm_sentinel_ttl: float | None
    ssm_missing: Literal["warn", "error", "ignore"]


MISSING_MODES = ("warn", "error", "ignore")


def check_config_keys(config: Mapping[str, Any], owner: str) -> None:
    """Refuse an ``ssm_`` key of ``model_config`` that ssm_config does not know.

    A plain dict (``model_config = {"ssm_prefx": ...}``) is not checked by a type checker,
    and pydantic ignores keys it does not know, so a typo would silently load from the
    wrong place; the message names the nearest valid key.
    """
    known = {key for key in SSMSettingsConfigDict.__annotations__ if key.startswith("ssm_")}
    for key in config:
        if isinstance(key, str) and key.startswith("ssm_") and key not in known:
            import difflib  # noqa: PLC0415 - only a typo needs it; a cold start never does

            nearest = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = (
                f"did you mean {nearest[0]!r}?" if nearest else f"known: {', '.join(sorted(known))}"
            )
            raise DeclarationError(f"{owner}: model_config has no setting {key!r}; {hint}")


@dataclass(frozen=True, slots=True, init=False)
class Param:
    """Binds a settings field to an SSM parameter, or to every parameter under a path.

    Args:
        name: absolute (``/a/b``) or relative to ``ssm_prefix``; may end in a selector
            (``name:3`` for a version, ``name:prod`` for a label). ``None``: the field name.
        ttl: seconds this value lives before it is re-fetched; ``None``: the class default.
        path: bind the field to every parameter under this path (recursive), as a dict
            keyed by the name relative to the path.
        kms_key: the customer-managed KMS key (ARN, key id or ``alias/...``) the
            SecureString is encrypted with; used for IAM policies only.
    """

    name: str | None
    ttl: float | None
    path: str | None
    kms_key: str | None
    misplaced: int = field(repr=False)
    """How many arguments came positionally after the name (refused with the field named)."""

    def __init__(
        self,
        name: str | None = None,
        *misplaced: Never,
        ttl: float | None = None,
        path: str | None = None,
        kms_key: str | None = None,
    ) -> None:
        # Only the name is positional. ``Param("/x", 60)`` is not refused here, where the
        # field is not known yet, but when the class is defined, naming the field.
        for label, value in (("name", name), ("ttl", ttl), ("path", path), ("kms_key", kms_key)):
            object.__setattr__(self, label, value)
        object.__setattr__(self, "misplaced", len(misplaced))
        self._check()

    def _check(self) -> None:
        for label in ("name", "path", "kms_key"):
            value = getattr(self, label)
            if value is not None and not isinstance(value, str):
                raise DeclarationError(
                    f"Param {label} must be a string, not {type(value).__name__}"
                )
        if self.name is not None and self.path is not None:
            raise InvalidNameError("Param takes a name or a path=, not both")
        if self.ttl is not None:
            check_seconds(self.ttl, "Param ttl")
        if self.kms_key is not None and not self.kms_key.strip():
            raise InvalidNameError("Param kms_key must not be empty")

    def check_positionals(self, where: str) -> None:
        """Refuse arguments given positionally after the name, naming the field ``where``."""
        if self.misplaced:
            raise DeclarationError(
                f"{where}: Param takes only the name positionally, but {1 + self.misplaced} "
                f"arguments were given; pass the others by keyword, as in "
                f"Param({self.name!r}, ttl=60) (ttl=, path=, kms_key=)"
            )


def check_seconds(value: object, what: str, *, zero: bool = False) -> float:
    """``value`` as seconds: a finite real number, positive (or zero when ``zero``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DeclarationError(f"{what} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        kind = "a finite, non-negative" if zero else "a finite, positive"
        raise InvalidNameError(f"{what} must be {kind} number of seconds, got {value!r}")
    return float(value)


def split_selector(name: str) -> tuple[str, str | None]:
    """Split ``name:selector`` into the bare name and the selector (version or label)."""
    base, sep, selector = name.partition(":")
    return base, (selector if sep else None)


def check_selector(selector: str, name: str) -> None:
    """Raise InvalidNameError unless ``selector`` is a version number or a valid label."""
    if selector.isdigit() and int(selector) > 0:
        return
    what = f"selector {selector!r} of {name!r}"
    if not selector or len(selector) > MAX_LABEL_LENGTH or not _LABEL.fullmatch(selector):
        raise InvalidNameError(
            f"{what}: a version must be a positive number, a label 1-100 of A-Za-z0-9_.-"
        )
    if selector[0].isdigit() or selector.lower().startswith(("aws", "ssm")):
        raise InvalidNameError(f"{what}: a label can't begin with a digit, 'aws' or 'ssm'")


def check_name(name: str, *, for_write: bool = False, allow_selector: bool = True) -> None:
    """Raise InvalidNameError unless ``name`` is a name SSM accepts.

    Args:
        name: a full parameter name, possibly with a ``:selector``.
        for_write: also apply the rules that only creating a parameter has (no ``aws``/``ssm``
            prefix; reads of ``/aws/service/...`` and ``/aws/reference/...`` stay legal).
        allow_selector: whether ``name:selector`` is acceptable here.
    """
    if not isinstance(name, str):
        raise InvalidNameError(f"a parameter name must be a string, not {type(name).__name__}")
    base, selector = split_selector(name)
    if selector is not None:
        if not allow_selector:
            raise InvalidNameError(f"parameter name {name!r}: a selector is not allowed here")
        check_selector(selector, name)
    _check_bare(base, what="parameter name")
    if for_write and base.lstrip("/").lower().startswith(("aws", "ssm")):
        raise InvalidNameError(
            f"parameter name {name!r}: names can't begin with 'aws' or 'ssm' (any case)"
        )


def check_path(path: str) -> None:
    """Raise InvalidNameError unless ``path`` is a hierarchy SSM can list."""
    if not isinstance(path, str):
        raise InvalidNameError(f"a path must be a string, not {type(path).__name__}")
    if path == "/":
        return
    if not path.startswith("/"):
        raise InvalidNameError(f"path {path!r}: a path must begin with '/'")
    _check_bare(path.rstrip("/"), what="path")


def _check_bare(base: str, *, what: str) -> None:
    if not base:
        raise InvalidNameError(f"{what} is empty")
    if len(base) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"{what} {base[:40]!r}...: longer than {MAX_NAME_LENGTH} characters")
    if base.startswith(SECRETS_MANAGER_PREFIX):
        secret = base[len(SECRETS_MANAGER_PREFIX) :]
        if not _SECRET_NAME.fullmatch(secret):
            raise InvalidNameError(f"{what} {base!r}: not a valid Secrets Manager secret name")
        return
    if "/" not in base:
        segments = [base]
    elif not base.startswith("/"):
        raise InvalidNameError(f"{what} {base!r}: a name with '/' must begin with '/'")
    else:
        segments = base[1:].split("/")
    if len(segments) > MAX_DEPTH:
        raise InvalidNameError(f"{what} {base!r}: deeper than {MAX_DEPTH} levels")
    for segment in segments:
        if not segment:
            raise InvalidNameError(f"{what} {base!r}: empty level ('//' or a trailing '/')")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidNameError(
                f"{what} {base!r}: only letters, digits, '_', '.', '-' and '/' are allowed"
            )


def join_name(prefix: str, name: str) -> str:
    """Resolve ``name`` against ``prefix``: ``prefix + "/" + name``.

    With no prefix a relative name becomes ``/name``; absolute names stand as they are.
    """
    if name.startswith("/"):
        return name
    return f"{prefix.rstrip('/')}/{name}"
