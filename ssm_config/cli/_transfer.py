"""``ssm-config export PATH`` and ``ssm-config import FILE PATH``: config in and out as files.

An export holds decrypted values, so ``--output`` creates its file readable by its owner
only. An import checks the whole file (format, names, value sizes) before its first
request: a bad file writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, cast

from .._declare import check_name, check_path
from .._errors import SSMConfigError
from . import _apply, _formats, _ssm, _values
from ._formats import FORMATS, Format
from ._ssm import Stored
from ._writes import add_write_options, report

_SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".env": "dotenv"}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``export`` and ``import`` to ``subparsers``."""
    export = subparsers.add_parser(
        "export",
        help="print every parameter under a path as json, yaml or dotenv (decrypted)",
        description="Print every parameter under PATH, values decrypted, names relative to "
        "PATH. json and yaml carry each parameter's type; import reads them back.",
    )
    export.add_argument("path", metavar="PATH")
    export.add_argument("--format", choices=FORMATS, default="json", help="default: json")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (created readable by you only)"
    )
    export.set_defaults(func=run_export)

    import_ = subparsers.add_parser(
        "import",
        help="write the parameters of an export file under a path",
        description="Write each parameter of FILE (as export prints it) under PATH. Without "
        "--overwrite, a parameter that exists with a different value is left untouched "
        "and reported (exit 1).",
    )
    import_.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    import_.add_argument("path", metavar="PATH")
    import_.add_argument(
        "--format", choices=FORMATS, help="default: from FILE's suffix (.json, .yaml, .yml, .env)"
    )
    import_.add_argument(
        "--type",
        choices=_values.TYPES,
        help="the type of every entry of a dotenv file (required for dotenv, which has none)",
    )
    import_.add_argument(
        "--tier", choices=_values.TIERS, help="for entries whose file gives no Tier"
    )
    add_write_options(import_)
    import_.set_defaults(func=run_import, check_usage=lambda args: _check_import(import_, args))


def run_export(args: argparse.Namespace) -> int:
    """Print (or write to ``--output``) every parameter under ``args.path``."""
    check_path(args.path)
    path = args.path.rstrip("/") or "/"
    fmt = cast(Format, args.format)
    if fmt == "yaml":
        _require_yaml()
    client = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    found = _ssm.read_tree(client, path)
    if not found:
        raise SSMConfigError(f"{path}: no parameters under it, nothing to export")
    root = "" if path == "/" else path
    text = _formats.dump(fmt, {name[len(root) + 1 :]: item for name, item in found.items()})
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write_private(Path(args.output), text)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Plan writing ``args.file`` under ``args.path``; print it, and unless ``--plan`` do it."""
    check_path(args.path)
    path = args.path.rstrip("/") or "/"
    fmt = cast(Format, args.format)
    if fmt == "yaml":
        _require_yaml()
    where = "standard input" if args.file == "-" else args.file
    entries = _formats.parse(fmt, _read(args.file, where), where, dotenv_type=args.type)
    if not entries:
        raise SSMConfigError(f"{where}: no parameters in it, nothing to import")
    wanted: dict[str, Stored] = {}
    for key, item in entries.items():
        name = f"{path.rstrip('/')}/{key}"
        check_name(name, for_write=True, allow_selector=False)
        tier = item.tier or args.tier
        _values.check_value(item.value, name, type_=None, tier=tier)
        wanted[name] = Stored(
            name,
            item.value,
            item.type,
            description=item.description,
            tier=tier,
            data_type=item.data_type,
        )
    client = _ssm.client_for(args.region, args.profile, args.endpoint_url)
    actions = _apply.plan(wanted, _ssm.read_tree(client, path), overwrite=args.overwrite)
    return report(client, actions, args)


def _check_import(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Settle the format; ``--type`` goes with dotenv and only with it (exit 2 otherwise)."""
    if args.format is None:
        suffix = Path(args.file).suffix.lower() if args.file != "-" else ""
        if Path(args.file).name == ".env":
            suffix = ".env"
        if suffix not in _SUFFIXES:
            parser.error(f"cannot tell the format of {args.file!r}: pass --format json|yaml|dotenv")
        args.format = _SUFFIXES[suffix]
    if args.format == "dotenv" and args.type is None:
        parser.error("a dotenv file carries no types: pass --type String or --type SecureString")
    if args.format != "dotenv" and args.type is not None:
        parser.error(f"--type is for dotenv files; a {args.format} file gives each Type")


def _read(file: str, where: str) -> str:
    if file == "-":
        if sys.stdin is None:
            raise SSMConfigError("FILE '-' reads standard input, but there is none (it is closed)")
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    else:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise SSMConfigError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SSMConfigError(f"{where}: not UTF-8 text (byte {exc.start})") from None


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, created (or truncated) readable by its owner only."""
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            if hasattr(os, "fchmod") and path.is_file():  # an existing file keeps its mode
                os.fchmod(fd, 0o600)
            stream.write(data)
    except OSError as exc:
        raise SSMConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _require_yaml() -> None:
    try:
        import yaml  # noqa: F401, PLC0415 - optional: only the yaml format needs it
    except ImportError:
        raise SSMConfigError(
            "the yaml format needs PyYAML: pip install 'ssm-config[cli]'"
        ) from None
