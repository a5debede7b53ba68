"""What a load tells the user beyond its values: the traps a newcomer would not see.

A typo'd name that silently gives a field its default, an ambient environment variable
(``HOME``) that silently replaces an SSM parameter, and one global failure (no
credentials, no region, an unreachable endpoint) repeated once per parameter without a
next step. The functions here are pure: they take the plan's specs, the fetch outcome and
what the environment holds, and return log lines and problems; the loader logs and raises.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel
from pydantic_settings import EnvSettingsSource

from ._errors import AccessDeniedError, EndpointError, FetchError, ParameterNotFoundError, Problem
from ._fetch import Outcome
from ._plan import ParamSpec, Plan

logger = logging.getLogger("ssm_config")

AMBIENT = frozenset(
    {
        "COLUMNS", "DISPLAY", "EDITOR", "HOME", "HOSTNAME", "LANG", "LANGUAGE", "LINES",
        "LOGNAME", "MAIL", "OLDPWD", "PAGER", "PATH", "PWD", "SHELL", "SHLVL", "TEMP",
        "TERM", "TMP", "TMPDIR", "TZ", "USER", "VISUAL",
    }
)  # fmt: skip
"""Variables the system sets in most shells and containers: a field named after one is
supplied by the environment without anyone meaning it to be."""


@dataclass(frozen=True, slots=True)
class Findings:
    """What a diagnosis found: lines to log and problems that fail the load.

    Attributes:
        warnings: one line each, logged at WARNING.
        notes: one line each, logged at INFO.
        problems: to add to the load's :class:`~ssm_config.ConfigError`.
    """

    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def report(findings: Findings) -> list[Problem]:
    """Log ``findings``' lines on the ``ssm_config`` logger; return its problems."""
    for line in findings.warnings:
        logger.warning("%s", line)
    for line in findings.notes:
        logger.info("%s", line)
    return list(findings.problems)


# -- a missing parameter behind a default ---------------------------------------------------


def missing_defaults(plan: Plan, specs: Iterable[ParamSpec], outcome: Outcome) -> Findings:
    """The fields of ``specs`` that get their default because their parameter is missing.

    Per ``plan.missing``: a warning each (``"warn"``), a problem each (``"error"``), or
    nothing (``"ignore"``). Required fields are not here: the loader already fails them.
    """
    missing = [
        spec
        for spec in specs
        if not spec.required and isinstance(outcome.failures.get(spec.name), ParameterNotFoundError)
    ]
    if not missing or plan.missing == "ignore":
        return Findings()
    if plan.missing == "error":
        return Findings(
            problems=tuple(
                Problem(
                    spec.name,
                    spec.field,
                    "parameter not found, and ssm_missing='error' refuses the field's default; "
                    f"create the parameter or correct the name{_hyphen_hint(spec)}",
                    outcome.failures[spec.name],
                )
                for spec in missing
            )
        )
    return Findings(
        warnings=tuple(
            f"{plan.settings}.{spec.field}: SSM parameter {spec.name} not found, so the field "
            f"has its default; create the parameter or correct the name{_hyphen_hint(spec)} "
            "(ssm_missing='ignore' in model_config silences this)"
            for spec in missing
        )
    )


def _hyphen_hint(spec: ParamSpec) -> str:
    """For a name taken from a field with ``_``: the hyphenated name SSM users often choose."""
    prefix, _, leaf = spec.bare_name.rpartition("/")
    if leaf != spec.field or "_" not in leaf:
        return ""
    hyphened = leaf.replace("_", "-")
    return f" (if it is stored as {prefix}/{hyphened}, declare Param({hyphened!r}))"


# -- a field the environment supplied -----------------------------------------------------


def env_overrides(
    settings_cls: type[BaseModel],
    specs: Iterable[ParamSpec],
    init_keys: Collection[str],
    environ: Mapping[str, str] | None = None,
) -> Findings:
    """A line for each field of ``specs`` whose value an environment variable supplied.

    The variable is found the way pydantic-settings' own environment source finds it
    (``env_prefix``, aliases, case sensitivity), by asking that source. A field also given
    as an init argument is left out: init arguments win, and they are never a surprise.
    A variable the system sets (``HOME``, ``PATH``...) is a warning, since nobody meant it
    to replace the parameter; any other is a note, since overriding SSM from the
    environment is documented and common.

    Args:
        settings_cls: the settings class being loaded.
        specs: the specs that were not fetched because a higher source supplied them.
        init_keys: the keys of the init arguments.
        environ: the environment the variable names are matched in (``os.environ``).
    """
    environ = os.environ if environ is None else environ
    source = EnvSettingsSource(settings_cls)  # type: ignore[arg-type]
    prefixed = bool(settings_cls.model_config.get("env_prefix"))
    warnings: list[str] = []
    notes: list[str] = []
    for spec in specs:
        info = settings_cls.model_fields[spec.field]
        candidates = source._extract_field_info(info, spec.field)  # pydantic-settings' own names
        if spec.field in init_keys or any(key in init_keys for key, _, _ in candidates):
            continue
        found = next((n for _, n, _ in candidates if source.env_vars.get(n) is not None), None)
        if found is None:
            continue  # a dotenv file, a secrets directory or a nested variable supplied it
        variable = _spelled(found, environ, case_sensitive=bool(source.case_sensitive))
        line = (
            f"{settings_cls.__name__}.{spec.field}: set from environment variable {variable}, "
            f"so SSM parameter {spec.name} was not read"
        )
        if variable.upper() in AMBIENT and not prefixed:
            warnings.append(
                f"{line}; {variable} is set by the system, not for this app: set env_prefix "
                "in model_config (e.g. env_prefix='APP_') or rename the field"
            )
        else:
            notes.append(f"{line} (environment variables override SSM)")
    return Findings(warnings=tuple(warnings), notes=tuple(notes))


def _spelled(name: str, environ: Mapping[str, str], *, case_sensitive: bool) -> str:
    """The variable as the environment spells it (pydantic-settings lowercases names)."""
    if case_sensitive:
        return name
    return next((key for key in environ if key.lower() == name.lower()), name.upper())


# -- one global problem, once ---------------------------------------------------------------


def explain(
    problems: Sequence[Problem],
    *,
    client: Any | None,
    client_given: bool,
    environ: Mapping[str, str] | None = None,
) -> list[Problem]:
    """``problems`` with each global cause restated with what to do.

    A global cause is no region, no credentials or an unreachable endpoint: the message
    says which variables to set, or the endpoint URL tried and what set it.
    :class:`~ssm_config.ConfigError` prints a message shared by several parameters once.

    Args:
        problems: the load's problems.
        client: the SSM client the load used, if one was built.
        client_given: the user passed that client (``_ssm_client=``).
        environ: where endpoint variables are looked up (``os.environ``).
    """
    environ = os.environ if environ is None else environ
    explained: list[Problem] = []
    for problem in problems:
        message = _global_message(problem.cause, client, client_given, environ)
        explained.append(problem if message is None else replace(problem, message=message))
    return explained


NO_REGION = (
    "no AWS region configured: set AWS_REGION (or AWS_DEFAULT_REGION), give the AWS profile "
    "a region, or pass _ssm_client="
)
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE to a configured profile (aws configure, "
    "aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role"
)


def _global_message(
    cause: BaseException | None, client: Any | None, client_given: bool, environ: Mapping[str, str]
) -> str | None:
    if not isinstance(cause, FetchError) or cause.code is not None:
        return None  # an AWS answer (it has a code) is about the parameter, not the setup
    if isinstance(cause, EndpointError):
        url = str(getattr(getattr(client, "meta", None), "endpoint_url", None) or "")
        reason = cause.reason
        if url and " at " not in reason:
            reason = reason.replace("SSM unreachable", f"SSM unreachable at {url}", 1)
        origin, fix = _endpoint_origin(url, client, client_given, environ)
        return f"{reason}; that URL is {origin}: {fix}"
    if isinstance(cause, AccessDeniedError):
        return NO_CREDENTIALS
    if type(cause) is FetchError and cause.reason.startswith("no AWS region"):
        return NO_REGION
    return None


def _endpoint_origin(
    url: str, client: Any | None, client_given: bool, environ: Mapping[str, str]
) -> tuple[str, str]:
    """Where the endpoint URL came from, and what to do about it."""
    if client_given:
        return "the endpoint of the client passed as _ssm_client", "check that it is running"
    for variable in ("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"):
        value = environ.get(variable, "").strip()
        if value and value.rstrip("/") == url.rstrip("/"):
            return f"set by {variable}", f"check that it is running, or correct or unset {variable}"
    if "amazonaws.com" in url:
        region = getattr(getattr(client, "meta", None), "region_name", None)
        return (
            f"AWS's endpoint for region {region}",
            "check network access to AWS (in a VPC: a NAT gateway or an SSM VPC endpoint)",
        )
    return "set by endpoint_url in the AWS config file", "check that it is running"
