"""Placeholder: the `params` subcommand(s), filled in by their issue."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands to ``subparsers``."""
    del subparsers
