"""``ssm-config check TARGET``: does the store hold what a function will load? The CI gate.

The target is found and imported exactly as ``policy`` does it (offline: importing makes
no AWS call), and each class's plan says which parameters feed which fields. For each one
the store is asked (decrypting, as the loader does) whether it exists, has the type the
field expects, decrypts, and holds a value the field's own pydantic validation accepts.
Nothing here prints a value: a message about a SecureString, or a field typed as a secret,
gives only where and what kind of error, since pydantic's messages may quote the input.

What the check cannot see: init arguments and environment variables override SSM at run
time, so a field they supply in production is still checked here against the store.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import SecretBytes, SecretStr, ValidationError

from .._convert import ConversionError, convert
from .._errors import ParameterNotFoundError, SSMConfigError
from .._fetch import Fetched, Outcome
from .._plan import ParamSpec, build_plan
from .._settings import SSMSettings
from . import _render_env, _ssm
from ._policy_targets import classes_of_target, functions_of_template

Status = Literal["ok", "warn", "FAIL"]
_SECRET_TYPES: tuple[type, ...] = (SecretStr, SecretBytes)


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one parameter (or path) of one field; ``detail`` never holds a value."""

    status: Status
    ssm_name: str
    where: str
    detail: str = ""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``check`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "check",
        help="check that every parameter a function declares exists and validates",
        description="For each parameter the settings classes declare: exists, has the "
        "type the field expects, decrypts, and validates. One line each, never a value; "
        "exit 0 when all is well, 1 naming each problem. Run it in CI before a deploy.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "target",
        nargs="?",
        help="module:Class, or a module (as for policy), importable from the current folder",
    )
    what.add_argument(
        "--template",
        metavar="FILE",
        type=Path,
        help="SAM/CloudFormation template: check every Python function's classes",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check every declared parameter; print one line each; 0 when none failed."""
    classes = _classes(args)
    specs = [(cls, spec) for cls in classes for spec in build_plan(cls).specs]
    client = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    outcome = _ssm.get(
        client,
        [spec.name for _, spec in specs if not spec.is_path],
        [spec.name for _, spec in specs if spec.is_path],
    )
    found = [check_spec(cls, spec, outcome) for cls, spec in specs]
    _render_env.findings(found)
    failed = [f for f in found if f.status == "FAIL"]
    _render_env.check_summary(found)
    if failed:
        names = ", ".join(dict.fromkeys(f.ssm_name for f in failed))
        raise SSMConfigError(f"{len(failed)} of {len(found)} parameters failed the check: {names}")
    return 0


def check_spec(cls: type[SSMSettings], spec: ParamSpec, outcome: Outcome) -> Finding:
    """The verdict on one field's parameter (or path) from a fetch of the store."""
    where = f"{cls.__name__}.{spec.field}"
    failure = outcome.failures.get(spec.name)
    if isinstance(failure, ParameterNotFoundError) and not spec.required:
        return Finding("ok", spec.name, where, "not found; the field's default applies")
    if failure is not None:
        return Finding("FAIL", spec.name, where, failure.reason)
    wants_secret = _wants_secret(cls.model_fields[spec.field].annotation)
    check = _check_path if spec.is_path else _check_one
    status, detail = check(cls, spec, outcome, wants_secret)
    return Finding(status, spec.name, where, detail)


def _check_one(
    cls: type[SSMSettings], spec: ParamSpec, outcome: Outcome, wants_secret: bool
) -> tuple[Status, str]:
    item: Fetched = outcome.values[spec.name]
    try:
        value = convert(spec.shape, item)
    except ConversionError as exc:
        return "FAIL", str(exc)
    secure = wants_secret or item.type == "SecureString"
    problem = _invalid(cls, spec.field, value, secure=secure)
    if problem:
        return "FAIL", problem
    if wants_secret and item.type != "SecureString":
        return "warn", _not_secure(f"a {item.type}")
    return "ok", f"{item.type}, version {item.version}"


def _check_path(
    cls: type[SSMSettings], spec: ParamSpec, outcome: Outcome, wants_secret: bool
) -> tuple[Status, str]:
    items = dict(sorted(outcome.paths[spec.name].items()))
    raw: dict[str, Any] = {}
    for key, item in items.items():
        try:
            raw[key] = convert(spec.shape, item)
        except ConversionError as exc:  # noqa: PERF203 - the first bad item ends the check
            return "FAIL", f"{key}: {exc}"
    secure = wants_secret or any(i.type == "SecureString" for i in items.values())
    problem = _invalid(cls, spec.field, raw, secure=secure)
    if problem:
        return "FAIL", problem
    plain = [key for key, item in items.items() if item.type != "SecureString"]
    if wants_secret and plain:
        return "warn", _not_secure(", ".join(plain))
    return "ok", f"{len(items)} parameter{'s' * (len(items) != 1)} under it"


def _classes(args: argparse.Namespace) -> tuple[type[SSMSettings], ...]:
    if args.template is None:
        return classes_of_target(args.target)
    _require_yaml()
    found = functions_of_template(args.template)
    for logical_id, reason in found.skipped:
        print(f"ssm-config: skipped function {logical_id}: {reason}", file=sys.stderr)
    return tuple(dict.fromkeys(cls for function in found.functions for cls in function.classes))


def _invalid(cls: type[SSMSettings], field: str, value: Any, *, secure: bool) -> str | None:
    """What the field's validation says of ``value`` (its validators included), or None.

    The value is assigned to an unvalidated instance, so field validators run as they do
    in a load. Model-level validators run too but see a partial model: what they say is
    not about this parameter and is left out.
    """
    instance = cls.model_construct()
    try:
        cls.__pydantic_validator__.validate_assignment(instance, field, value)
    except ValidationError as exc:
        errors = [
            e
            for e in exc.errors(include_input=False, include_url=False, include_context=False)
            if e["loc"][:1] == (field,)
        ]
        if errors:
            return "; ".join(_describe(e["loc"][1:], e["type"], e["msg"], secure) for e in errors)
    except Exception:  # noqa: BLE001 - user code: a model validator tripping on the partial model
        return None
    return None


def _describe(loc: Iterable[int | str], kind: str, msg: str, secure: bool) -> str:
    where = ".".join(map(str, loc))
    said = f"{kind} (details withheld: a secret)" if secure else msg
    return f"{where}: {said}" if where else said


def _not_secure(what: str) -> str:
    return f"{what}, not a SecureString, feeds a secret field: store it as a SecureString"


def _wants_secret(annotation: Any) -> bool:
    """Whether a secret type (``SecretStr``...) appears anywhere in the annotation."""
    if isinstance(annotation, type) and issubclass(annotation, _SECRET_TYPES):
        return True
    return any(_wants_secret(arg) for arg in get_args(annotation))


def _require_yaml() -> None:
    try:
        import yaml  # noqa: F401, PLC0415 - optional: only templates need it
    except ImportError:
        raise SSMConfigError("templates need PyYAML: pip install 'ssm-config[cli]'") from None
