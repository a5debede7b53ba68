"""``ssm-config copy SRC DST``: promote a tree to another path, region or account.

Every parameter under SRC is written to the same relative name under DST with its type,
tier, description and data type; SecureStrings are re-encrypted at the destination under
``--key-id`` or the default key (a customer key of the source account or region usually
does not exist at the destination). ``--plan`` reads both sides and writes nothing.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from .._declare import check_name, check_path
from .._errors import SSMConfigError
from . import _apply, _ssm
from ._writes import add_write_options, report


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``copy`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "copy",
        help="copy every parameter under a path to another path, region or account",
        description="Copy every parameter under SRC to the same relative names under DST, "
        "keeping type, tier and description. Without --overwrite, a destination parameter "
        "with a different value is left untouched and reported (exit 1).",
    )
    parser.add_argument("src", metavar="SRC", help="the path to copy, such as /app/staging")
    parser.add_argument("dst", metavar="DST", help="the path to copy to, such as /app/prod")
    parser.add_argument("--to-region", help="write in this region (default: the source's)")
    parser.add_argument("--to-profile", help="write with this AWS profile, e.g. another account's")
    add_write_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan the copy, print it, and unless ``--plan`` write it; 1 if anything was left."""
    src, dst = (_checked_path(path) for path in (args.src, args.dst))
    elsewhere = args.to_region is not None or args.to_profile is not None
    if not elsewhere and _overlap(src, dst):
        raise SSMConfigError(
            f"copy {src} to {dst}: the paths overlap; copy to a path outside the source "
            "(or to another region or account with --to-region / --to-profile)"
        )
    source = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    target = (
        _ssm.client_for(
            args.to_region or args.region, args.to_profile or args.profile, args.endpoint_url
        )
        if elsewhere
        else source
    )
    found = _ssm.read_tree(source, src)
    if not found:
        raise SSMConfigError(f"{src}: no parameters under it, nothing to copy")
    wanted = {_moved(name, src, dst): item for name, item in found.items()}
    for name in wanted:
        check_name(name, for_write=True, allow_selector=False)
    wanted = {name: replace(item, name=name) for name, item in wanted.items()}
    existing = _ssm.read_tree(target, dst)
    actions = _apply.plan(wanted, existing, overwrite=args.overwrite)
    return report(target, actions, args)


def _checked_path(path: str) -> str:
    check_path(path)
    return path.rstrip("/") or "/"


def _overlap(a: str, b: str) -> bool:
    """Whether one path is the other or holds it (``/`` holds every path)."""

    def inside(inner: str, outer: str) -> bool:
        return outer in ("/", inner) or inner.startswith(outer + "/")

    return inside(a, b) or inside(b, a)


def _moved(name: str, src: str, dst: str) -> str:
    relative = name[len(src) :].lstrip("/") if src != "/" else name.lstrip("/")
    return f"{dst.rstrip('/')}/{relative}"
