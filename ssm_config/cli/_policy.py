"""``ssm-config policy``: the least-privilege IAM policy of a module, a class or a template.

Generating a policy never contacts AWS (handlers are imported with loading disabled);
only ``--resolve-keys`` asks KMS what key an alias names. A policy over IAM's size limit
is a warning on stderr (an error with ``--strict``) that names a ``--wildcard-under`` path
which would shorten it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from .._client import make_client
from .._errors import AccessDeniedError, FetchError, SSMConfigError
from .._settings import SSMSettings, plan_of
from ..iam import (
    INLINE_ROLE_LIMIT,
    MANAGED_POLICY_LIMIT,
    build_document,
    check_target,
    needs_resolving,
    policy_size,
)
from ._policy_render import FORMATS, Format, placeholders, render
from ._policy_targets import classes_of_target, functions_of_template

_PROG = "ssm-config"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``policy`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "policy",
        help="IAM least-privilege policy for settings classes",
        description=(
            "Print the least-privilege IAM policy that lets a function load its settings "
            "classes. Modules are imported from the current folder with loading disabled: "
            "no AWS call is made."
        ),
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "target",
        nargs="?",
        help="module:Class, or a module (the classes of its SSMSettings instances, "
        "else every SSMSettings subclass it defines); a file path (handler.py) also works",
    )
    what.add_argument(
        "--template",
        metavar="FILE",
        type=Path,
        help="SAM/CloudFormation template: one policy per Python function, from its Handler",
    )
    parser.add_argument("--format", choices=FORMATS, default="json", help="default: json")
    # dest names differ from the global --region: argparse would overwrite those.
    parser.add_argument(
        "--region",
        dest="policy_region",
        help="region in the ARNs (default: '*' for json, the deploying region otherwise)",
    )
    parser.add_argument(
        "--account",
        dest="policy_account",
        help="account id in the ARNs (default: '*' for json, the deploying account otherwise)",
    )
    parser.add_argument(
        "--partition",
        dest="policy_partition",
        help="aws, aws-cn, aws-us-gov... (default: aws for json, else the deploying one)",
    )
    parser.add_argument(
        "--resolve-keys",
        action="store_true",
        help="ask KMS for the key ARN of each kms_key given as an alias (needs credentials)",
    )
    parser.add_argument(
        "--wildcard-under",
        metavar="PATH",
        action="append",
        default=[],
        help="grant every parameter under PATH with one PATH/* ARN instead of one ARN per "
        "name: shorter, but it also covers parameters added there later (repeatable)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a policy over IAM's size limit is an error (exit 1, nothing printed)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fmt = cast(Format, args.format)
    if fmt == "cloudformation" or args.template is not None:
        _require_yaml()
    check_target(args.policy_region, args.policy_account, args.policy_partition)
    target = placeholders(fmt, args.policy_region, args.policy_account, args.policy_partition)
    if args.template is not None:
        found = functions_of_template(args.template)
        for logical_id, reason in found.skipped:
            print(f"{_PROG}: skipped function {logical_id}: {reason}", file=sys.stderr)
        groups = {f.logical_id: f.classes for f in found.functions}
    else:
        classes = classes_of_target(args.target)
        groups = {_single_name(classes): classes}
    kms_keys = _resolve_keys(args, groups.values()) if args.resolve_keys else {}
    wild = args.wildcard_under
    documents = {
        name: build_document(classes, target, kms_keys, wild) for name, classes in groups.items()
    }
    measure = target
    if fmt != "json":  # measured as deployed: a typical region and account in the ARNs
        measure = placeholders(
            "json",
            args.policy_region or "us-east-1",
            args.policy_account or "123456789012",
            args.policy_partition,
        )
    for name, classes in groups.items():
        problem = _oversize(fmt, name, build_document(classes, measure, kms_keys, wild))
        if problem is not None and args.strict:
            raise SSMConfigError(problem)
        if problem is not None:
            print(f"{_PROG}: warning: {problem}", file=sys.stderr)
    print(render(fmt, documents, keyed=args.template is not None))
    return 0


def _oversize(fmt: Format, name: str, document: Mapping[str, Any]) -> str | None:
    """What to say when ``document`` is over the limit of where ``fmt`` puts it, else None.

    SAM turns a function's ``Policies`` statements into inline policies of its role; JSON
    and Terraform documents may become managed policies, the smaller limit.
    """
    size = policy_size(document)
    if fmt == "cloudformation":
        limit, where = INLINE_ROLE_LIMIT, "a role's inline policies"
    else:
        limit, where = MANAGED_POLICY_LIMIT, "a managed policy"
    if size <= limit:
        return None
    also = ""
    if limit == MANAGED_POLICY_LIMIT and size <= INLINE_ROLE_LIMIT:
        also = f" (an inline policy of a role may hold {INLINE_ROLE_LIMIT:,})"
    hint = _wildcard_hint(document)
    return (
        f"the policy for {name} has {size:,} characters as IAM counts them, over the "
        f"{limit:,} IAM allows in {where}{also}{hint}"
    )


def _wildcard_hint(document: Mapping[str, Any]) -> str:
    """Name the path whose wildcard would replace the most parameter ARNs, if any."""
    names = [
        arn.partition(":parameter")[2]
        for statement in document["Statement"]
        if statement["Sid"] == "SsmGetParameters"
        for arn in statement["Resource"]
        if not arn.endswith("*")
    ]
    parents: Counter[str] = Counter()
    for name in names:
        levels = name.split("/")[1:-1]
        for depth in range(1, len(levels) + 1):
            parents["/" + "/".join(levels[:depth])] += 1
    if not parents:
        return ""
    path, count = max(parents.items(), key=lambda kv: (kv[1], kv[0].count("/")))
    if count < 2:
        return ""
    return f"; --wildcard-under {path} would grant its {count} names with one ARN"


def _require_yaml() -> None:
    try:
        import yaml  # noqa: F401, PLC0415 - optional: only templates and YAML output need it
    except ImportError:
        raise SSMConfigError(
            "templates and --format cloudformation need PyYAML: pip install 'ssm-config[cli]'"
        ) from None


def _single_name(classes: tuple[type[SSMSettings], ...]) -> str:
    """The name a lone policy goes by (the Terraform data source's)."""
    return classes[0].__name__ if len(classes) == 1 else "ssm_config"


def _resolve_keys(
    args: argparse.Namespace, groups: Iterable[tuple[type[SSMSettings], ...]]
) -> dict[str, str | None]:
    """Each declared alias -> its key's ARN (None for an AWS-managed key), asked of KMS."""
    aliases = sorted(
        {
            spec.kms_key.strip()
            for classes in groups
            for cls in classes
            for spec in plan_of(cls).specs
            if spec.kms_key is not None and needs_resolving(spec.kms_key.strip())
        }
    )
    if not aliases:
        return {}
    region = args.policy_region if args.policy_region not in (None, "*") else args.region
    try:
        kms = make_client("kms", region=region, profile=args.profile)
    except BotoCoreError as exc:
        raise FetchError(f"cannot create a KMS client: {exc}") from exc
    resolved: dict[str, str | None] = {}
    for alias in aliases:
        try:
            metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "Unknown"))
            message = f"kms:DescribeKey failed: {code}: {error.get('Message', '')}".rstrip(": ")
            kind = AccessDeniedError if code.startswith("AccessDenied") else FetchError
            raise kind(message, name=alias, code=code) from exc
        except BotoCoreError as exc:
            raise FetchError(f"kms:DescribeKey failed: {exc}", name=alias) from exc
        resolved[alias] = None if metadata.get("KeyManager") == "AWS" else str(metadata["Arn"])
    return resolved
