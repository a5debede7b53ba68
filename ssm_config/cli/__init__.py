"""The ``ssm-config`` command line: ``main(argv) -> exit code``.

Each subcommand lives in its own module with ``register(subparsers)``; a command function
takes the parsed arguments and returns an exit code, raising ``SSMConfigError`` for
failures, which :func:`main` prints as one line on stderr (exit 1). Bad usage exits 2.
A subcommand may also set ``check_usage`` (``args -> None``) for rules argparse cannot
express; it reports them with its parser's ``error``, so they too exit 2 with the usage line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .._errors import SSMConfigError
from . import _demo, _params, _policy

PROG = "ssm-config"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Manage and use AWS SSM Parameter Store configuration.",
    )
    parser.add_argument("--region", help="AWS region (default: AWS_REGION / profile)")
    parser.add_argument("--profile", help="named AWS profile (default: AWS_PROFILE)")
    parser.add_argument(
        "--endpoint-url", help="SSM endpoint (default: AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (_params, _policy, _demo):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ssm-config`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check_usage = getattr(args, "check_usage", None)
        if check_usage is not None:
            check_usage(args)
    except SystemExit as exc:  # argparse: --help exits 0, bad usage exits 2
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except SSMConfigError as exc:
        message = str(exc).replace("\n", "; ")
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def console_main() -> None:
    """The console script: ``main()``, quiet when the reader of stdout goes away (``| head``)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        code = 1
    sys.exit(code)
