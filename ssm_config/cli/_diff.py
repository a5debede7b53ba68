"""``ssm-config diff A B``: two environments (paths) or two versions of one parameter.

Paths are compared by relative name, so ``/app/staging`` and ``/app/prod`` line up key by
key. With a selector on either side (``NAME:3 NAME:5``, ``NAME:prod NAME``) the two
arguments are single parameters. SecureString values are read decrypted (ciphertexts of
one value differ) and printed masked unless ``--values``. Exit 0 equal, 1 different, as
diff(1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._declare import check_name, check_path, split_selector
from .._errors import ParameterNotFoundError
from .._fetch import Fetched
from . import _render_env, _ssm

Status = Literal["only_a", "only_b", "changed", "same"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One key compared: its relative name (or the argument, for versions) and both sides."""

    key: str
    status: Status
    a: Fetched | None
    b: Fetched | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every key of either side, in key order, and the two arguments as given."""

    a: str
    b: str
    entries: tuple[Entry, ...]
    versions: bool = False

    @property
    def equal(self) -> bool:
        return all(entry.status == "same" for entry in self.entries)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``diff`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "diff",
        help="compare two paths, or two versions of a parameter",
        description="Compare two paths by relative name (only in A, only in B, changed, "
        "same), or two parameters such as NAME:3 NAME:5. Exit 0 when equal, 1 when not.",
    )
    parser.add_argument("a", metavar="A", help="a path, or NAME:VERSION / NAME:LABEL")
    parser.add_argument("b", metavar="B", help="a path, or NAME:VERSION / NAME:LABEL")
    parser.add_argument(
        "--values", action="store_true", help="show SecureString values (masked by default)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare ``args.a`` with ``args.b``, print the differences; 0 if equal, else 1."""
    a: str = args.a
    b: str = args.b
    versions = any(split_selector(arg)[1] is not None for arg in (a, b))
    if versions:
        for name in (a, b):
            check_name(name)
    else:
        for path in (a, b):
            check_path(path)
        a, b = (path.rstrip("/") or "/" for path in (a, b))
    client = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    result = _compare_parameters(client, a, b) if versions else _compare_paths(client, a, b)
    _render_env.comparison(result, values=args.values, as_json=args.json)
    return 0 if result.equal else 1


def compare(
    a: Mapping[str, Fetched], b: Mapping[str, Fetched], labels: tuple[str, str]
) -> Comparison:
    """Line up two sets of parameters by key."""
    entries = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        status: Status
        if right is None:
            status = "only_a"
        elif left is None:
            status = "only_b"
        elif (left.value, left.type) == (right.value, right.type):
            status = "same"
        else:
            status = "changed"
        entries.append(Entry(key, status, left, right))
    return Comparison(labels[0], labels[1], tuple(entries))


def _compare_paths(client: Any, a: str, b: str) -> Comparison:
    sides = []
    for path in (a, b):
        items = _ssm.list_path(client, path, recursive=True, values=True)
        if not items:  # SSM has no empty paths: most likely a typo
            print(f"ssm-config: note: no parameters under {path}", file=sys.stderr)
        root = "" if path == "/" else path.rstrip("/")
        sides.append({item.name[len(root) + 1 :]: item for item in items})
    return compare(sides[0], sides[1], (a, b))


def _compare_parameters(client: Any, a: str, b: str) -> Comparison:
    outcome = _ssm.get(client, [a, b])
    failures = [
        outcome.failures.get(name) or ParameterNotFoundError("parameter not found", name=name)
        for name in dict.fromkeys((a, b))
        if name not in outcome.values
    ]
    if failures:
        raise _ssm.combined(failures)
    left, right = outcome.values[a], outcome.values[b]
    status: Status = "same" if (left.value, left.type) == (right.value, right.type) else "changed"
    return Comparison(a, b, (Entry(f"{a} -> {b}", status, left, right),), versions=True)
