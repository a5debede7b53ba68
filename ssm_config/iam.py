"""``policy_for``: the least-privilege IAM policy that lets a function load settings classes.

The policy is computed from the same plan the loader uses (:func:`ssm_config._settings.plan_of`),
so what a function reads and what it may read cannot drift apart. It grants exactly what
the loader calls, and nothing more:

* ``ssm:GetParameters`` (batched loads) and ``ssm:GetParameter`` on the ARN of every
  declared name, selectors stripped, and of each class's ``ssm_sentinel``;
* ``ssm:GetParametersByPath`` on the path ARN itself, only for ``Param(path=...)`` fields
  (SSM authorises that call against the path, and the loader never reads the names
  under a path one by one, so ``path/*`` is never granted);
* ``secretsmanager:GetSecretValue`` on the secret behind a
  ``/aws/reference/secretsmanager/...`` name;
* ``kms:Decrypt`` on each declared customer-managed key, only through SSM
  (``kms:ViaService``) and only for the declared parameters
  (``kms:EncryptionContext:PARAMETER_ARN``, the encryption context SSM uses); a key
  behind a Secrets Manager reference is scoped the same way with Secrets Manager's
  ``SecretARN`` context. The AWS-managed ``aws/ssm`` key needs no statement.

IAM caps a policy's size (:data:`MANAGED_POLICY_LIMIT`, :data:`INLINE_ROLE_LIMIT`, counted
by :func:`policy_size`). A function reading many names can pass ``wildcard_under=`` to
grant every parameter under a path with one ``path/*`` ARN instead of listing each name:
shorter, but wider (it covers parameters added there later), so only on request.

Pure: no AWS calls. A key declared by alias cannot be an IAM resource, so it is granted
as "any key of the account and region that carries this alias" (the condition key
``kms:ResourceAliases``, with the same ViaService and EncryptionContext scoping); pass
``kms_keys={alias: key_arn}`` (what ``ssm-config policy --resolve-keys`` does) to name the
key's ARN instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ._declare import SECRETS_MANAGER_PREFIX, check_path
from ._errors import DeclarationError, InvalidNameError
from ._plan import ParamSpec, Plan
from ._settings import SSMSettings, plan_of

__all__ = ["INLINE_ROLE_LIMIT", "MANAGED_POLICY_LIMIT", "policy_for", "policy_size"]

POLICY_VERSION = "2012-10-17"
MANAGED_POLICY_LIMIT = 6144
"""IAM's limit on a managed policy, in characters not counting whitespace."""
INLINE_ROLE_LIMIT = 10240
"""IAM's limit on all the inline policies of one role together, counted the same way."""
AWS_MANAGED_SSM_KEY = "alias/aws/ssm"

_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d+")
"""us-east-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1..."""
_ACCOUNT = re.compile(r"\d{12}")
_PARTITION = re.compile(r"aws(-[a-z]+)*")
_KEY_ID = re.compile(r"(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})")
_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/" + _KEY_ID.pattern)
_ALIAS = re.compile(
    r"(arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):)?"
    r"alias/[A-Za-z0-9/_-]+"
)
_DNS_SUFFIX = {
    "aws-cn": "amazonaws.com.cn",
    "aws-eusc": "amazonaws.eu",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
}
"""Service domains that differ from amazonaws.com, as in botocore's partitions data (a test
checks this table against the installed botocore)."""
_ARN_RANDOM_TAIL = "-??????"
"""Secrets Manager appends a hyphen and six random characters to every secret's ARN."""


def policy_for(
    *settings_classes: type[SSMSettings],
    region: str = "*",
    account: str = "*",
    partition: str = "aws",
    kms_keys: Mapping[str, str | None] | None = None,
    wildcard_under: Iterable[str] = (),
) -> dict[str, Any]:
    """The least-privilege IAM policy document that lets a function load ``settings_classes``.

    Args:
        *settings_classes: the :class:`~ssm_config.SSMSettings` subclasses the function loads.
        region: the region in ARNs and ``kms:ViaService``; ``"*"`` for any.
        account: the 12-digit account id in ARNs; ``"*"`` for any.
        partition: ``aws``, ``aws-cn``, ``aws-us-gov``, ...
        kms_keys: declared key (as written in ``kms_key=``/``ssm_kms_key``) -> its key
            ARN, or ``None`` for an AWS-managed key that needs no statement. Needed for
            keys declared by alias.
        wildcard_under: absolute paths (not ``/``) under which every parameter is granted
            with one ``path/*`` ARN, in the read grant and the KMS encryption context,
            instead of one ARN per declared name: it keeps a long list of names within
            IAM's size limits, at the price of covering every parameter under the path.

    Returns:
        A policy document (``Version`` and ``Statement``), statements sorted by ``Sid``
        and every list sorted, so the same declarations always give the same document.

    Raises:
        DeclarationError: no class, something that is not an SSMSettings class, nothing
            declared, a malformed region/account/partition or key, or a key given as an
            alias that ``kms_keys`` does not resolve, or a ``wildcard_under`` path that
            is malformed, is ``/``, or covers no declared name.
    """
    check_target(region, account, partition)
    target = Target(
        region=region,
        account=account,
        partition=partition,
        dns_suffix=dns_suffix(partition),
    )
    return build_document(settings_classes, target, kms_keys or {}, wildcard_under)


def policy_size(document: Mapping[str, Any]) -> int:
    """The size of ``document`` as IAM counts it against its limits: whitespace not counted."""
    return sum(not c.isspace() for c in json.dumps(document))


def check_target(region: str | None, account: str | None, partition: str | None) -> None:
    """Raise DeclarationError unless each given value can stand in an ARN."""
    if region is not None and region != "*" and not _REGION.fullmatch(region):
        raise DeclarationError(f"region {region!r}: expected e.g. 'us-east-1', or '*'")
    if account is not None and account != "*" and not _ACCOUNT.fullmatch(account):
        raise DeclarationError(f"account {account!r}: expected 12 digits, or '*'")
    if partition is not None and not _PARTITION.fullmatch(partition):
        raise DeclarationError(f"partition {partition!r}: expected e.g. 'aws' or 'aws-cn'")


def dns_suffix(partition: str) -> str:
    """The service domain of a partition, as it appears in ``kms:ViaService``."""
    return _DNS_SUFFIX.get(partition, "amazonaws.com")


def needs_resolving(key: str) -> bool:
    """Whether a declared KMS key is an alias (other than ``aws/ssm``) IAM cannot use."""
    return _ALIAS.fullmatch(key) is not None and not _is_aws_managed_ssm(key)


def _is_aws_managed_ssm(key: str) -> bool:
    return key == AWS_MANAGED_SSM_KEY or key.endswith(":" + AWS_MANAGED_SSM_KEY)


@dataclass(frozen=True, slots=True)
class Target:
    """Where the policy applies: the ARN segments and the partition's DNS suffix.

    Renderers pass placeholders (``${AWS::Region}``, a Terraform data source) here; they
    are taken as concrete values, so conditions on them use exact matching.
    """

    region: str
    account: str
    partition: str
    dns_suffix: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def parameter_arn(self, name: str) -> str:
        return self.arn("ssm", "parameter/" + name.lstrip("/"))

    def secret_arn(self, name: str) -> str:
        return self.arn("secretsmanager", f"secret:{name}{_ARN_RANDOM_TAIL}")

    def key_arn(self, key_id: str) -> str:
        return self.arn("kms", f"key/{key_id}")

    def via(self, service: str) -> str:
        return f"{service}.{self.region}.{self.dns_suffix}"


@dataclass
class _Grants:
    """What the specs need, as ARNs, before it is laid out as statements."""

    names: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)
    # (key ARN, or key/* with the alias that must be on the key) ->
    #   (service the key is used through, its context key) -> ARNs in that context
    decrypt: dict[tuple[str, str | None], dict[tuple[str, str], set[str]]] = field(
        default_factory=dict
    )

    def add(self, spec: ParamSpec, target: Target, kms_keys: Mapping[str, str | None]) -> None:
        bare = spec.bare_name
        if bare.startswith(SECRETS_MANAGER_PREFIX):
            secret_arn = target.secret_arn(bare[len(SECRETS_MANAGER_PREFIX) :])
            self.secrets.add(secret_arn)
            self.names.add(target.parameter_arn(bare))
            context = ("secretsmanager", "SecretARN"), secret_arn
        elif spec.is_path:
            self.paths.add(target.parameter_arn(bare))
            context = ("ssm", "PARAMETER_ARN"), target.parameter_arn(bare.rstrip("/") + "/*")
        else:
            self.names.add(target.parameter_arn(bare))
            context = ("ssm", "PARAMETER_ARN"), target.parameter_arn(bare)
        key = _key_grant(spec, target, kms_keys)
        if key is not None:
            via, arn = context
            self.decrypt.setdefault(key, {}).setdefault(via, set()).add(arn)

    def widen(self, prefixes: Iterable[str], target: Target) -> None:
        """Replace the parameter ARNs under each prefix with one ``prefix/*`` ARN."""
        for prefix in prefixes:
            under = target.parameter_arn(_wildcard_path(prefix)) + "/"
            found = _gather(self.names, under)
            for uses in self.decrypt.values():
                for (service, _), arns in uses.items():
                    if service == "ssm":
                        found |= _gather(arns, under)
            if not found:
                raise DeclarationError(
                    f"wildcard_under {prefix!r}: no declared parameter is under it"
                )


def _gather(arns: set[str], under: str) -> bool:
    """Swap the ARNs in ``arns`` that start with ``under`` for one wildcard; True if any."""
    covered = {a for a in arns if a.startswith(under)}
    if covered:
        arns.difference_update(covered)
        arns.add(under + "*")
    return bool(covered)


def _wildcard_path(prefix: object) -> str:
    if not isinstance(prefix, str):
        raise DeclarationError(f"wildcard_under takes paths, not {type(prefix).__name__}")
    try:
        check_path(prefix)
    except InvalidNameError as exc:
        raise DeclarationError(f"wildcard_under: {exc}") from exc
    path = prefix.rstrip("/")
    if not path:
        raise DeclarationError(
            "wildcard_under '/': would grant every parameter of the account; name a deeper path"
        )
    return path


def build_document(
    settings_classes: Iterable[type[BaseModel]],
    target: Target,
    kms_keys: Mapping[str, str | None],
    wildcard_under: Iterable[str] = (),
) -> dict[str, Any]:
    """The policy of ``settings_classes`` for ``target`` (see :func:`policy_for`)."""
    grants = _Grants()
    for plan in _plans_of(settings_classes):
        for spec in plan.specs:
            grants.add(spec, target, kms_keys)
        if plan.sentinel is not None:
            grants.names.add(target.parameter_arn(plan.sentinel))
    if isinstance(wildcard_under, str):  # one path, not its characters
        wildcard_under = (wildcard_under,)
    grants.widen(wildcard_under, target)
    statements: list[dict[str, Any]] = []
    if grants.names:
        actions = ["ssm:GetParameter", "ssm:GetParameters"]
        statements.append(_allow("SsmGetParameters", actions, grants.names))
    if grants.paths:
        statements.append(
            _allow("SsmGetParametersByPath", ["ssm:GetParametersByPath"], grants.paths)
        )
    if grants.secrets:
        actions = ["secretsmanager:GetSecretValue"]
        statements.append(_allow("SecretsManagerGetSecretValue", actions, grants.secrets))
    sids: set[str] = set()
    for (key_arn, alias), uses in sorted(grants.decrypt.items(), key=lambda kv: str(kv[0])):
        for (service, context_key), arns in sorted(uses.items()):
            sid = _unique(_decrypt_sid(service, alias or key_arn), sids)
            conditions = {
                "kms:ViaService": [target.via(service)],
                f"kms:EncryptionContext:{context_key}": sorted(arns),
            }
            statement = _allow(sid, ["kms:Decrypt"], [key_arn])
            statement["Condition"] = _condition(conditions)
            if alias is not None:  # multivalued key: the key must carry this alias
                statement["Condition"]["ForAnyValue:StringEquals"] = {
                    "kms:ResourceAliases": [alias]
                }
                statement["Condition"] = dict(sorted(statement["Condition"].items()))
            statements.append(statement)
    statements.sort(key=lambda s: str(s["Sid"]))
    return {"Version": POLICY_VERSION, "Statement": statements}


def _plans_of(settings_classes: Iterable[type[BaseModel]]) -> list[Plan]:
    classes = list(settings_classes)
    if not classes:
        raise DeclarationError("policy_for needs at least one SSMSettings class")
    plans: list[Plan] = []
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, SSMSettings)):
            raise DeclarationError(f"policy_for takes SSMSettings classes, not {cls!r}")
        plans.append(plan_of(cls))
    if not any(plan.specs or plan.sentinel for plan in plans):
        names = ", ".join(c.__name__ for c in classes)
        raise DeclarationError(f"{names}: declares no SSM parameter, so there is nothing to grant")
    return plans


def _key_grant(  # noqa: PLR0911 - one return per way a key can be declared
    spec: ParamSpec, target: Target, kms_keys: Mapping[str, str | None]
) -> tuple[str, str | None] | None:
    """The resource for the spec's customer-managed key, and the alias it must carry.

    The alias is set when the key is known only by alias; None when the spec has no key or
    an AWS-managed one.
    """
    declared = spec.kms_key
    if declared is None:
        return None
    key = declared.strip()
    if key in kms_keys:
        resolved = kms_keys[key]
        if resolved is None:
            return None
        if not _KEY_ARN.fullmatch(resolved):
            raise DeclarationError(
                f"kms key {key!r} resolved to {resolved!r}, which is not a key ARN"
            )
        return resolved, None
    if _is_aws_managed_ssm(key):
        return None
    if _KEY_ARN.fullmatch(key):
        return key, None
    if _KEY_ID.fullmatch(key):
        return target.key_arn(key), None
    alias = _ALIAS.fullmatch(key)
    if alias is not None:
        name = "alias/" + key.partition("alias/")[2]
        if alias["account"] is None:
            return target.key_arn("*"), name
        # An alias ARN names the key's own account and region: keep them (another
        # account's key is never in the function's account).
        owner = f"arn:{alias['partition']}:kms:{alias['region']}:{alias['account']}:key/*"
        return owner, name
    raise DeclarationError(
        f"field {spec.field!r} ({spec.name}): KMS key {key!r} is not a key ARN, key id or alias"
    )


def _allow(sid: str, actions: Iterable[str], resources: Iterable[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": sorted(resources)}


def _condition(conditions: Mapping[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """Exact matching, except for values with IAM wildcards (``*``, ``?``): StringLike."""
    block: dict[str, dict[str, list[str]]] = {}
    for key, values in conditions.items():
        wild = any("*" in v or "?" in v for v in values)
        block.setdefault("StringLike" if wild else "StringEquals", {})[key] = values
    return {op: block[op] for op in sorted(block)}


def _decrypt_sid(service: str, key: str) -> str:
    """Stable across runs and additions: named after the key id or alias, not a position."""
    via = "ViaSecretsManager" if service == "secretsmanager" else ""
    if key.startswith("alias/"):
        return "KmsDecrypt" + via + "Alias" + re.sub(r"[^A-Za-z0-9]", "", key[len("alias/") :])
    return "KmsDecrypt" + via + re.sub(r"[^A-Za-z0-9]", "", key.rpartition("/")[2])


def _unique(sid: str, taken: set[str]) -> str:
    candidate, n = sid, 1
    while candidate in taken:  # one key id in two regions or accounts
        n += 1
        candidate = f"{sid}{n}"
    taken.add(candidate)
    return candidate
