"""Policy documents as text: JSON, a CloudFormation ``Policies`` snippet, Terraform HCL.

Each format has its own way to leave the region, account and partition to deploy time;
:func:`placeholders` gives them, and :func:`ssm_config.iam.build_document` puts them into
the ARNs as if they were concrete values. Names, secret names and key ids cannot contain
``$``, so a ``${`` in a rendered string is always one of these placeholders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from ..iam import Target, dns_suffix

Format = Literal["json", "cloudformation", "terraform"]
FORMATS: tuple[Format, ...] = ("json", "cloudformation", "terraform")
Documents = Mapping[str, Mapping[str, Any]]
"""Function logical id -> policy document."""

_CFN = {
    "region": "${AWS::Region}",
    "account": "${AWS::AccountId}",
    "partition": "${AWS::Partition}",
    "dns_suffix": "${AWS::URLSuffix}",
}
_TF_SOURCES = {
    "region": ("aws_region", "${data.aws_region.current.name}"),
    "account": ("aws_caller_identity", "${data.aws_caller_identity.current.account_id}"),
    "partition": ("aws_partition", "${data.aws_partition.current.partition}"),
    "dns_suffix": ("aws_partition", "${data.aws_partition.current.dns_suffix}"),
}


def placeholders(
    fmt: Format, region: str | None, account: str | None, partition: str | None
) -> Target:
    """The target for ``fmt``: given values as they are, the others left to deploy time.

    JSON has no deploy time: a missing region or account is ``*`` and the partition ``aws``.
    """
    given = {"region": region, "account": account, "partition": partition}
    if fmt == "json":
        part = partition or "aws"
        return Target(region or "*", account or "*", part, dns_suffix(part))
    late = _CFN if fmt == "cloudformation" else {k: v[1] for k, v in _TF_SOURCES.items()}
    values = {k: (v if v is not None else late[k]) for k, v in given.items()}
    suffix = late["dns_suffix"] if partition is None else dns_suffix(partition)
    return Target(values["region"], values["account"], values["partition"], suffix)


def render(fmt: Format, documents: Documents, *, keyed: bool) -> str:
    """``documents`` in ``fmt``; ``keyed``: one per function, else the only one bare."""
    if fmt == "json":
        return render_json(documents, keyed=keyed)
    if fmt == "cloudformation":
        return render_cloudformation(documents, keyed=keyed)
    return render_terraform(documents)


def render_json(documents: Documents, *, keyed: bool) -> str:
    data: Any = dict(documents) if keyed else _only(documents)
    return json.dumps(data, indent=2)


def render_cloudformation(documents: Documents, *, keyed: bool) -> str:
    """A list item for a SAM function's ``Policies`` (keyed: one list per function)."""
    import yaml  # noqa: PLC0415 - the CLI's optional dependency; runtime never needs it

    class _Sub(str):
        __slots__ = ()

    class _Dumper(yaml.SafeDumper):
        pass

    def sub(dumper: yaml.SafeDumper, value: _Sub) -> yaml.Node:
        return dumper.represent_scalar("!Sub", str(value))

    _Dumper.add_representer(_Sub, sub)

    def tag(value: Any) -> Any:
        if isinstance(value, str):
            return _Sub(value) if "${" in value else value
        if isinstance(value, Mapping):
            return {k: tag(v) for k, v in value.items()}
        if isinstance(value, list):
            return [tag(v) for v in value]
        return value

    data: Any = {k: [tag(d)] for k, d in documents.items()} if keyed else [tag(_only(documents))]
    text: str = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000
    )
    return text.rstrip("\n")


def render_terraform(documents: Documents) -> str:
    """One ``data "aws_iam_policy_document"`` per function, with the data sources it uses."""
    blocks = [_tf_document(_tf_name(name), doc) for name, doc in documents.items()]
    body = "\n\n".join(blocks)
    sources = sorted({src for src, _ in _TF_SOURCES.values() if f"data.{src}.current." in body})
    header = [f'data "{src}" "current" {{}}' for src in sources]
    return "\n".join(header) + ("\n\n" if header else "") + body


def _tf_document(name: str, document: Mapping[str, Any]) -> str:
    lines = [f'data "aws_iam_policy_document" "{name}" {{']
    for i, statement in enumerate(document["Statement"]):
        if i:
            lines.append("")
        lines.append("  statement {")
        lines += _tf_attributes(
            "    ",
            [
                ("sid", statement["Sid"]),
                ("effect", statement["Effect"]),
                ("actions", statement["Action"]),
                ("resources", statement["Resource"]),
            ],
        )
        for test, keys in statement.get("Condition", {}).items():
            for variable, values in keys.items():
                lines += ["", "    condition {"]
                lines += _tf_attributes(
                    "      ", [("test", test), ("variable", variable), ("values", values)]
                )
                lines.append("    }")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def _tf_attributes(indent: str, pairs: list[tuple[str, Any]]) -> list[str]:
    """Attribute lines as ``terraform fmt`` lays them out.

    fmt aligns the ``=`` of consecutive one-line attributes; a line that opens a multi-line
    list is not aligned and ends the run (hclwrite's ``formatCells``).
    """
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{indent}{k:<{width}} = {v}" for k, v in run)
        run.clear()

    for key, value in pairs:
        if isinstance(value, list) and len(value) != 1:
            flush()
            lines.append(f"{indent}{key} = [")
            lines += [f"{indent}  {json.dumps(v)}," for v in value]
            lines.append(f"{indent}]")
        elif isinstance(value, list):
            run.append((key, f"[{json.dumps(value[0])}]"))
        else:
            run.append((key, json.dumps(value)))
    flush()
    return lines


def _tf_name(name: str) -> str:
    """``OrdersFunction`` -> ``orders_function``: a Terraform identifier."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    snake = re.sub(r"[^a-z0-9_]+", "_", snake).strip("_")
    return snake if snake and not snake[0].isdigit() else f"policy_{snake}"


def _only(documents: Documents) -> Mapping[str, Any]:
    (document,) = documents.values()
    return document
