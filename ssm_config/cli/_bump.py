"""``bump`` and ``put --bump``: tell the processes watching a sentinel to re-fetch.

A class with ``ssm_sentinel`` polls only that parameter; once the values it guards are
written, a new sentinel value makes every live instance re-fetch its keys in one round and
swap them together. The value written is the time (UTC, ISO 8601): unique, and readable in
``ssm-config history``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._declare import check_name
from . import _render, _ssm

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``bump`` to ``subparsers``."""
    bump = subparsers.add_parser(
        "bump",
        help="write a new value to a sentinel parameter (ssm_sentinel)",
        description="Write the current time to SENTINEL, so every settings class that "
        "declares it as ssm_sentinel re-fetches all its keys within one sentinel period.",
    )
    bump.add_argument("sentinel", metavar="SENTINEL")
    bump.set_defaults(func=run_bump)


def add_bump_option(parser: argparse.ArgumentParser) -> None:
    """``--bump SENTINEL`` for a command that writes parameters."""
    parser.add_argument(
        "--bump",
        metavar="SENTINEL",
        help="after a successful write, bump this sentinel (see 'ssm-config bump')",
    )


def check(sentinel: str | None) -> None:
    """Refuse a bad sentinel name before any request."""
    if sentinel is not None:
        check_name(sentinel, for_write=True, allow_selector=False)


def bump(client: SSMClient, sentinel: str) -> int:
    """Write a new value to ``sentinel``; return its new version."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    return _ssm.put(client, sentinel, stamp, options={"Type": "String", "Overwrite": True})


def run_bump(args: argparse.Namespace) -> int:
    """Bump ``args.sentinel`` and print its new version."""
    check(args.sentinel)
    client = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    _render.version_number(bump(client, args.sentinel))
    return 0


def after_write(client: SSMClient, sentinel: str | None) -> None:
    """Bump ``sentinel`` (if given) after a write, saying so on stderr."""
    if sentinel is not None:
        version = bump(client, sentinel)
        print(f"ssm-config: bumped {sentinel} to version {version}", file=sys.stderr)
