"""The options and the reporting that ``copy`` and ``import`` share.

Both commands build a plan (:func:`ssm_config.cli._apply.plan`), then either print it
(``--plan``, nothing written) or carry it out, printing each name as it is done. The exit
code is 1 when a destination parameter that differs was left untouched, as ``put`` exits 1
when it does not overwrite.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._errors import SSMConfigError
from . import _apply, _render_env
from ._apply import Action

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


def add_write_options(parser: argparse.ArgumentParser) -> None:
    """``--plan``, ``--overwrite``, ``--key-id`` and ``--rate``."""
    parser.add_argument(
        "--plan", action="store_true", help="print what would be done and write nothing"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace destination parameters that differ"
    )
    parser.add_argument(
        "--key-id",
        help="KMS key (alias or ARN) for every SecureString written (default: alias/aws/ssm)",
    )
    parser.add_argument(
        "--rate",
        type=_rate,
        default=_apply.DEFAULT_RATE,
        metavar="N",
        help=f"writes per second at most (default: {_apply.DEFAULT_RATE:g}, within "
        "PutParameter's default quota)",
    )


def report(client: SSMClient, actions: Sequence[Action], args: argparse.Namespace) -> int:
    """Print the plan, or carry it out printing each action; the exit code.

    Raises:
        WriteStoppedError: a write failed; the names not written are printed first.
        SSMConfigError: parameters that differ were left untouched (after the writes).
    """
    if args.plan:
        for action in actions:
            _render_env.action(action, planned=True)
    else:
        options = _apply.Options(key_id=args.key_id, rate=args.rate)
        try:
            for action in _apply.apply(client, actions, options):
                _render_env.action(action, planned=False)
        except _apply.WriteStoppedError as exc:
            _render_env.unwritten(exc.unwritten)
            raise
    left = [action.name for action in actions if action.kind == "differs"]
    if left:
        one = len(left) == 1
        left_as = "would be" if args.plan else ("was" if one else "were")
        raise SSMConfigError(
            f"{_count(left)} differ{'s' if one else ''} at the destination and {left_as} "
            f"left untouched: {', '.join(left)}; pass --overwrite to replace "
            f"{'it' if one else 'them'}"
        )
    return 0


def _count(names: Sequence[str]) -> str:
    return "1 parameter" if len(names) == 1 else f"{len(names)} parameters"


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of writes a second")
    return rate
