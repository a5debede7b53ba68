"""``get``, ``put``, ``list``, ``history`` and ``delete``: managing parameters by hand.

Each command checks names and values before its first request (a typo costs no API call
and never reaches AWS), asks :mod:`._ssm` for data and hands it to :mod:`._render`.
Values are printed only where the user asked for them: ``get`` always (that is what it is
for), ``list`` and ``history`` only with ``--values``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .._declare import check_name, check_path
from .._errors import ParameterNotFoundError
from . import _bump, _render, _ssm, _values

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

_PUT_EPILOG = """\
VALUE '-' reads standard input (one trailing newline is stripped; at a terminal the value
is not echoed), so secrets stay out of shell history and ps. --value-file sends a file's
bytes verbatim. A value beginning with '-' goes after '--': put NAME -- -1.
Without --type a new parameter is a String, and an --overwrite keeps the stored type;
with --key-id but no --type the parameter is a SecureString, overwrite or not."""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``get``, ``put``, ``list``, ``history`` and ``delete`` to ``subparsers``."""
    get = subparsers.add_parser("get", help="print parameter values (decrypted)")
    get.add_argument("names", nargs="+", metavar="NAME", help="a name, or name:version/label")
    _json_flag(get)
    get.set_defaults(func=run_get)

    put = subparsers.add_parser(
        "put",
        help="write a parameter",
        epilog=_PUT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    put.add_argument("name", metavar="NAME")
    put.add_argument("value", nargs="?", metavar="VALUE", help="the value, or - for stdin")
    put.add_argument("--value-file", metavar="FILE", help="send this file's bytes verbatim")
    put.add_argument("--type", choices=_values.TYPES, help="String for a new parameter")
    put.add_argument(
        "--key-id",
        help="customer-managed KMS key of a SecureString (alias or ARN); "
        "implies --type SecureString",
    )
    put.add_argument("--overwrite", action="store_true", help="replace an existing parameter")
    put.add_argument("--description")
    put.add_argument("--tier", choices=_values.TIERS, help="default: the account's (Standard)")
    _bump.add_bump_option(put)
    put.set_defaults(func=run_put, check_usage=lambda args: _check_put(put, args))

    list_ = subparsers.add_parser("list", help="names (and values) under a path")
    list_.add_argument("path", metavar="PATH", help="a path such as /app/prod, or /")
    list_.add_argument(
        "--recursive",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include deeper levels (default: yes)",
    )
    _values_flag(list_)
    _json_flag(list_)
    list_.set_defaults(func=run_list)

    history = subparsers.add_parser("history", help="versions, dates, users and labels")
    history.add_argument("name", metavar="NAME")
    _values_flag(history)
    _json_flag(history)
    history.set_defaults(func=run_history)

    delete = subparsers.add_parser("delete", help="delete parameters")
    delete.add_argument("names", nargs="+", metavar="NAME")
    delete.set_defaults(func=run_delete)


def run_get(args: argparse.Namespace) -> int:
    """Print the values of ``args.names`` in the order asked; exit 1 if any is missing.

    The values found are printed even when others fail, then one line names the failures.
    """
    names: list[str] = args.names
    for name in names:
        check_name(name)
    outcome = _ssm.get(_client(args), names)
    found = [outcome.values[name] for name in names if name in outcome.values]
    _render.parameters(found, values=True, as_json=args.json)
    failures = [
        outcome.failures.get(name) or ParameterNotFoundError("parameter not found", name=name)
        for name in dict.fromkeys(names)
        if name not in outcome.values
    ]
    if failures:
        raise _ssm.combined(failures)
    return 0


def run_put(args: argparse.Namespace) -> int:
    """Write one parameter and print its new version."""
    name: str = args.name
    check_name(name, for_write=True, allow_selector=False)
    _bump.check(args.bump)
    source = _values.source_of(args.value, args.value_file)
    value = _values.read_value(source, name)
    type_ = _type_to_send(args)
    _values.check_value(value, name, type_=type_, tier=args.tier)
    for option, text in (("--key-id", args.key_id), ("--description", args.description)):
        if text is not None:
            _values.utf8(text, f"{name}: {option}")
    if source.inline is not None and type_ == "SecureString":
        print(
            "ssm-config: note: a secret given as an argument is visible in shell history and "
            "ps; pass - (stdin) or --value-file instead",
            file=sys.stderr,
        )
    options: dict[str, Any] = {"Overwrite": args.overwrite}
    optional = {"Type": type_, "KeyId": args.key_id, "Description": args.description}
    options.update({key: val for key, val in optional.items() if val is not None})
    if args.tier is not None:
        options["Tier"] = args.tier
    client = _client(args)
    if type_ is None and _ssm.stored_type(client, name) == "StringList":
        _values.check_string_list(value, name)  # the overwrite keeps the stored type
    _render.version_number(_ssm.put(client, name, value, options=options))
    _bump.after_write(client, args.bump)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the names under ``args.path`` (with values only if ``--values``)."""
    check_path(args.path)
    items = _ssm.list_path(_client(args), args.path, recursive=args.recursive, values=args.values)
    _render.parameters(items, values=args.values, as_json=args.json, names_only=True)
    return 0


def run_history(args: argparse.Namespace) -> int:
    """Print every version of ``args.name`` (with values only if ``--values``)."""
    check_name(args.name, allow_selector=False)
    entries = _ssm.history(_client(args), args.name, values=args.values)
    _render.versions(entries, values=args.values, as_json=args.json)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete ``args.names``; exit 1 naming those that did not exist, after deleting the rest."""
    names: list[str] = args.names
    for name in names:
        check_name(name, allow_selector=False)
    missing: list[str] = []
    for deletion in _ssm.delete(_client(args), names):
        _render.deleted(deletion.deleted)
        missing.extend(deletion.missing)
    if missing:
        raise ParameterNotFoundError("not found, nothing deleted", name=", ".join(missing))
    return 0


def _client(args: argparse.Namespace) -> SSMClient:
    return _ssm.client_for(args.region, args.profile, args.endpoint_url)


def _type_to_send(args: argparse.Namespace) -> str | None:
    """The ``Type`` of the PutParameter request; ``None`` leaves the stored type as it is.

    A key only encrypts a SecureString, so ``--key-id`` without ``--type`` means one, even
    for an overwrite: the secret must not be stored (or stay) unencrypted. Otherwise an
    overwrite keeps the stored type (a SecureString stays encrypted) and a new parameter is
    a String.
    """
    if args.type is not None:
        return str(args.type)
    if args.key_id is not None:
        return "SecureString"
    return None if args.overwrite else "String"


def _check_put(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors argparse cannot express; ``parser.error`` exits 2 with the usage line."""
    if (args.value is None) == (args.value_file is None):
        parser.error("give the value as VALUE, '-' (standard input) or --value-file, once")
    if args.key_id is not None and args.type in ("String", "StringList"):
        parser.error("--key-id applies to --type SecureString only")


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list (AWS CLI keys)")


def _values_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--values", action="store_true", help="also print the values, decrypted")
