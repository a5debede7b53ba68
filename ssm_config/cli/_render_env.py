"""The printing of ``check``, ``diff``, ``copy`` and ``import``: one line per parameter.

Lines start with a fixed-width status word so a reader's eye (and ``grep``/``awk``) finds
them. No value is printed here unless the caller passes it in as asked for: ``diff``
masks SecureStrings unless ``--values``; the other commands print names only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ._apply import Action

if TYPE_CHECKING:
    from ._check import Finding
    from ._diff import Comparison, Entry

_PLANNED = {"create": "create", "overwrite": "overwrite", "same": "same", "differs": "differs"}
_DONE = {"create": "created", "overwrite": "overwrote", "same": "same", "differs": "differs"}
_UNTOUCHED = "  (left untouched: pass --overwrite to replace it)"
_MASKED = "(masked: a SecureString; --values shows it)"


def action(item: Action, *, planned: bool, out: TextIO | None = None) -> None:
    """Print what the plan does (``planned``) or did with one destination name."""
    words = _PLANNED if planned else _DONE
    note = _UNTOUCHED if item.kind == "differs" else ""
    print(f"{words[item.kind]:<10} {item.name}{note}", file=_stream(out))


def unwritten(names: Sequence[str], out: TextIO | None = None) -> None:
    """Print a ``not written NAME`` line for each write that did not happen."""
    stream = _stream(out)
    for name in names:
        print(f"not written {name}", file=stream)


def findings(items: Sequence[Finding], out: TextIO | None = None) -> None:
    """Print ``check``'s verdicts as ``STATUS  NAME  Class.field[: detail]``, aligned."""
    stream = _stream(out)
    width = max((len(f.ssm_name) for f in items), default=0)
    for item in items:
        detail = f": {item.detail}" if item.detail else ""
        print(f"{item.status:<5} {item.ssm_name:<{width}}  {item.where}{detail}", file=stream)


def check_summary(items: Sequence[Finding], out: TextIO | None = None) -> None:
    """Print ``N checked: a ok, b warnings, c failed``."""
    failed = sum(f.status == "FAIL" for f in items)
    warned = sum(f.status == "warn" for f in items)
    ok = len(items) - failed - warned
    print(
        f"{len(items)} checked: {ok} ok, {warned} warning{'s' * (warned != 1)}, {failed} failed",
        file=_stream(out),
    )


def comparison(
    result: Comparison, *, values: bool, as_json: bool, out: TextIO | None = None
) -> None:
    """Print a ``diff``: a JSON object, or one line per difference and a summary."""
    stream = _stream(out)
    if as_json:
        stream.write(json.dumps(_comparison_object(result, values), indent=2, ensure_ascii=False))
        stream.write("\n")
        return
    counts = dict.fromkeys(("only_a", "only_b", "changed", "same"), 0)
    for entry in result.entries:
        counts[entry.status] += 1
        if entry.status == "only_a":
            print(f"only in {result.a}: {entry.key}", file=stream)
        elif entry.status == "only_b":
            print(f"only in {result.b}: {entry.key}", file=stream)
        elif entry.status == "changed":
            print(f"changed {entry.key}: {_change(entry, values)}", file=stream)
        elif result.versions:
            print(f"same {entry.key}", file=stream)
    if result.versions:
        return
    print(
        f"{counts['same']} same, {counts['changed']} changed, {counts['only_a']} only in "
        f"{result.a}, {counts['only_b']} only in {result.b}",
        file=stream,
    )


def _change(entry: Entry, values: bool) -> str:
    a, b = entry.a, entry.b
    assert a is not None  # "changed" has both sides
    assert b is not None
    parts = []
    if a.type != b.type:
        parts.append(f"type {a.type} -> {b.type}")
    if a.value != b.value:
        masked = not values and "SecureString" in (a.type, b.type)
        parts.append(_MASKED if masked else f"{_quoted(a.value)} -> {_quoted(b.value)}")
    elif values or "SecureString" not in (a.type, b.type):
        parts.append("same value")
    return "; ".join(parts)


def _comparison_object(result: Comparison, values: bool) -> dict[str, Any]:
    def side(item: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {"Name": item.name, "Type": item.type, "Version": item.version}
        if values or item.type != "SecureString":
            obj["Value"] = item.value
        return obj

    def entries(status: str) -> list[dict[str, Any]]:
        found = []
        for entry in result.entries:
            if entry.status != status:
                continue
            obj: dict[str, Any] = {"Key": entry.key}
            if entry.a is not None:
                obj["A"] = side(entry.a)
            if entry.b is not None:
                obj["B"] = side(entry.b)
            found.append(obj)
        return found

    return {
        "A": result.a,
        "B": result.b,
        "Equal": result.equal,
        "OnlyInA": entries("only_a"),
        "OnlyInB": entries("only_b"),
        "Changed": entries("changed"),
        "Same": [e.key for e in result.entries if e.status == "same"],
    }


def _quoted(value: str) -> str:
    """A value on one line, its ends visible: JSON string syntax."""
    return json.dumps(value, ensure_ascii=False)


def _stream(out: TextIO | None) -> TextIO:
    return out if out is not None else sys.stdout
