"""Placeholder: the `demo` subcommand(s), filled in by their issue."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands to ``subparsers``."""
    parser = subparsers.add_parser("demo", help="the hot-swap story on an embedded local SSM")
    parser.set_defaults(func=lambda args: 1)
