"""The ``ssm-config`` command line: ``main(argv) -> exit code``.

Each subcommand lives in its own module with ``register(subparsers)``; a command function
takes the parsed arguments and returns an exit code, raising ``SSMConfigError`` for
failures, which :func:`main` prints as one line on stderr (exit 1), as it does when
standard output's encoding cannot represent what a command prints. Bad usage exits 2.
A subcommand may also set ``check_usage`` (``args -> None``) for rules argparse cannot
express; it reports them with its parser's ``error``, so they too exit 2 with the usage line.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence

from .. import __version__
from .._errors import SSMConfigError
from . import _bump, _check, _copy, _demo, _diff, _params, _policy, _transfer

PROG = "ssm-config"
_GLOBAL_OPTIONS = (
    ("--region", "AWS region (default: AWS_REGION / profile)"),
    ("--profile", "named AWS profile (default: AWS_PROFILE)"),
    ("--endpoint-url", "SSM endpoint (default: AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL)"),
)


class _IntermixedParser(argparse.ArgumentParser):
    """A subcommand parser that lets options stand between positionals.

    Plain argparse binds an optional positional in the first run of positionals, so
    ``put NAME --type SecureString VALUE`` would leave VALUE unrecognised.
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._intermixing or not self._can_intermix():  # it calls back in, twice
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False

    def _can_intermix(self) -> bool:
        """Argparse refuses intermixed parsing with a positional in an exclusive group."""
        positionals = [a for a in self._actions if not a.option_strings]
        return not any(
            action in positionals
            for group in self._mutually_exclusive_groups
            for action in group._group_actions
        )


def build_parser() -> argparse.ArgumentParser:
    """The ``ssm-config`` parser: global options, then one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Manage and use AWS SSM Parameter Store configuration.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for option, help_text in _GLOBAL_OPTIONS:
        parser.add_argument(option, help=help_text)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_IntermixedParser
    )
    for module in (_params, _bump, _policy, _check, _diff, _copy, _transfer, _demo):
        module.register(subparsers)
    for subparser in subparsers.choices.values():
        _accept_global_options(subparser)
    return parser


def _accept_global_options(subparser: argparse.ArgumentParser) -> None:
    """Let the global options also follow the subcommand, as the AWS CLI allows.

    ``SUPPRESS`` leaves a value given before the subcommand in place when none is given
    after it. An option the subcommand defines itself (``policy --region``, the region in
    the ARNs) keeps its own meaning there.
    """
    for option, help_text in _GLOBAL_OPTIONS:
        if option not in subparser._option_string_actions:
            subparser.add_argument(option, default=argparse.SUPPRESS, help=help_text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ssm-config`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:  # bare `ssm-config`: a request for help, not a mistake
            parser.print_help()
            parser.exit(0)
        check_usage = getattr(args, "check_usage", None)
        if check_usage is not None:
            check_usage(args)
    except SystemExit as exc:  # argparse: --help exits 0, bad usage exits 2
        return int(exc.code or 0)
    if sys.stdout is None:  # started with standard output closed (>&-): every command prints
        print(
            f"{PROG}: error: there is no standard output to print to (it is closed); "
            "redirect it to /dev/null instead",
            file=sys.stderr,
        )
        return 1
    try:
        own = getattr(args, "prints_warnings", False)  # the demo shows them in its story
        with contextlib.nullcontext() if own else _warnings_on_stderr():
            return int(args.func(args))
    except SSMConfigError as exc:
        message = str(exc).replace("\n", "; ")
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except UnicodeEncodeError as exc:
        if not _from_stdout(exc):
            raise
        # Never str(exc): it quotes the character, and exc.object holds the whole value.
        print(
            f"{PROG}: error: the output encoding ({exc.encoding}) cannot represent a value to "
            "print; set PYTHONIOENCODING=utf-8 (or use a UTF-8 locale)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


class _WarningFormatter(logging.Formatter):
    """``ssm-config: warning: ...``, the shape of the CLI's own error lines.

    The logger's name is the program's, so it is not repeated: a message that still
    begins with ``ssm_config:`` loses that prefix.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().removeprefix("ssm_config: ")
        return f"{PROG}: {record.levelname.lower()}: {message}"


@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Print the library's warnings on standard error while a command runs, one line each.

    Such warnings are a refresh that failed, or a missing parameter.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_WarningFormatter())
    logger = logging.getLogger("ssm_config")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _from_stdout(exc: UnicodeEncodeError) -> bool:
    """Whether ``exc`` is standard output failing to encode (``PYTHONIOENCODING=ascii``)."""
    encoding = getattr(sys.stdout, "encoding", None)
    if not encoding:
        return False
    try:
        return codecs.lookup(exc.encoding).name == codecs.lookup(encoding).name
    except LookupError:
        return False


def console_main() -> None:
    """The console script: ``main()``, quiet when the reader of stdout goes away (``| head``)."""
    try:
        code = main()
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        code = 1
    sys.exit(code)
