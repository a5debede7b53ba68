"""The one exception tree of ssm_config.

::

    SSMConfigError
    ├── InvalidNameError        (also ValueError) a parameter name breaks SSM's naming rules
    ├── DeclarationError        (also TypeError) a settings class declares something unusable
    ├── ConfigError             every problem of one load, each naming its parameter and field
    ├── StaleValueError         ssm_max_stale: no fresh value could be had in time
    └── FetchError              SSM or KMS answered a request with a failure
        ├── ParameterNotFoundError  (also KeyError)
        ├── AccessDeniedError       IAM refused the SSM action
        ├── DecryptionError         KMS refused or failed to decrypt a SecureString
        ├── ThrottledError          still throttled after botocore's retries
        └── EndpointError           SSM unreachable, timed out, or answered 5xx

Messages name parameters, fields and causes, never values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SSMConfigError(Exception):
    """Root of every error raised by ssm_config."""


class InvalidNameError(SSMConfigError, ValueError):
    """A parameter name, path or selector breaks SSM's naming rules."""


class DeclarationError(SSMConfigError, TypeError):
    """A settings class declares something ssm_config cannot load."""


class StaleValueError(SSMConfigError):
    """A value is older than ``ssm_max_stale`` and no fresh one could be fetched."""


class FetchError(SSMConfigError):
    """SSM (or KMS through SSM) answered with a failure.

    Attributes:
        name: the full SSM name (or path) the failure is about, if known.
        code: the AWS error code, if there was one.
        reason: what went wrong, without the name.
    """

    def __init__(self, reason: str, *, name: str | None = None, code: str | None = None) -> None:
        super().__init__(f"{name}: {reason}" if name else reason)
        self.name = name
        self.code = code
        self.reason = reason


class ParameterNotFoundError(FetchError, KeyError):
    """The parameter (or the selected version or label) does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class AccessDeniedError(FetchError):
    """IAM does not allow the SSM action on this parameter."""


class DecryptionError(FetchError):
    """KMS could not decrypt a SecureString (disabled key, missing kms:Decrypt, ...)."""


class ThrottledError(FetchError):
    """SSM kept throttling after botocore's retries (the account-wide quota is shared)."""


class EndpointError(FetchError):
    """SSM could not be reached, timed out, or failed on its side."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one parameter during a load.

    Attributes:
        ssm_name: the full SSM name or path.
        field: the settings field it feeds.
        message: what is wrong, without the value.
        cause: the underlying exception, if any.
    """

    ssm_name: str
    field: str
    message: str
    cause: BaseException | None = None

    def __str__(self) -> str:
        return f"{self.ssm_name} (field {self.field!r}): {self.message}"


class ConfigError(SSMConfigError):
    """Every problem of one load, reported together.

    Attributes:
        problems: one :class:`Problem` per parameter at fault, in field order.
    """

    def __init__(self, settings_name: str, problems: Sequence[Problem]) -> None:
        self.settings_name = settings_name
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"{settings_name}: {count} parameter{'s' if count != 1 else ''} failed to load"
        super().__init__("\n".join([header, *_lines(self.problems)]))


def _lines(problems: tuple[Problem, ...]) -> list[str]:
    """One line per problem; a failure several parameters share is one line naming them.

    Such failures are global: no credentials, throttling, an unreachable endpoint.
    """
    shared: dict[str, list[Problem]] = {}
    for problem in problems:
        if _is_shared_kind(problem):
            shared.setdefault(problem.message, []).append(problem)
    lines: list[str] = []
    for problem in problems:
        group = shared.get(problem.message) if _is_shared_kind(problem) else None
        if group is None or len(group) < 2:
            lines.append(f"  {problem}")
        elif group[0] is problem:
            names = ", ".join(f"{p.ssm_name} (field {p.field!r})" for p in group)
            lines.append(f"  {problem.message}; for {len(group)} parameters: {names}")
    return lines


def _is_shared_kind(problem: Problem) -> bool:
    """A failure of the request, not of the parameter itself (missing, invalid)."""
    cause = problem.cause
    return isinstance(cause, FetchError) and not isinstance(cause, ParameterNotFoundError)
