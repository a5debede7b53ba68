"""``ssm-config demo``: the hot-swap story against an embedded local SSM + KMS.

The demo package (and moto, the ``demo`` extra) is imported only when the command runs,
so the rest of the CLI never needs it.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's subcommands to ``subparsers``."""
    parser = subparsers.add_parser(
        "demo",
        help="the hot-swap story on an embedded local SSM + KMS (no AWS account)",
        description=(
            "Run moto's SSM + KMS on 127.0.0.1, load a typed config from it and change "
            "values while a handler keeps running. Needs: pip install 'ssm-config[demo]'."
        ),
    )
    parser.add_argument(
        "--duration",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="how long the story takes before it ends by itself (default: 30)",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="run the whole story as fast as possible, forcing refreshes instead of waiting",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="instead of the story, keep the local SSM + KMS running until Ctrl-C and print "
        "the environment to export to use it",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=0,
        help="with --serve: the port on 127.0.0.1 (default: any free one)",
    )
    parser.set_defaults(
        func=run, prints_warnings=True, check_usage=lambda args: _check(parser, args)
    )


def run(args: argparse.Namespace) -> int:
    """Run the demo (or serve); Ctrl-C ends it early, still with exit 0."""
    if args.serve:
        from .._demo._serve import serve  # noqa: PLC0415 - keep the CLI's import light

        return serve(port=args.port)
    from .._demo._story import run_demo  # noqa: PLC0415

    return run_demo(duration=args.duration, once=args.once)


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.serve and args.once:
        parser.error("--serve runs until Ctrl-C; it takes no --once")
    if args.port and not args.serve:
        parser.error("--port applies to --serve only")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return int(text)


MAX_DURATION = 86_400.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    if value > MAX_DURATION:  # also refuses inf, which no thread can wait for
        raise argparse.ArgumentTypeError(f"at most {MAX_DURATION:g} seconds (a day): {text!r}")
    return value
