"""The one place the parameter commands print: plain text for people, JSON for programs.

JSON uses the AWS CLI's keys (``Name``, ``Value``, ``Type``, ``Version``,
``LastModifiedDate``, ...) so scripts written against ``aws ssm`` output keep working, and
dates are ISO 8601 in UTC. A ``Value`` appears only when the caller passes ``values=True``:
the commands decide that from what the user asked for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, TextIO

from .._fetch import Fetched
from ._ssm import Version


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in UTC (botocore hands out local-time datetimes)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def parameters(
    items: Sequence[Fetched],
    *,
    values: bool,
    as_json: bool,
    names_only: bool = False,
    out: TextIO | None = None,
) -> None:
    """Print parameters: JSON objects, or one line each.

    Args:
        items: what to print, in order.
        values: include the values (the user asked for them).
        as_json: a JSON list of objects instead of lines.
        names_only: plain lines are ``name`` (or ``name<TAB>value``) rather than the value
            alone; ``get`` prints bare values, ``list`` prints names.
        out: the stream (default: ``sys.stdout`` at call time).
    """
    stream = out if out is not None else sys.stdout
    if as_json:
        _dump([_parameter_object(item, values) for item in items], stream)
        return
    for item in items:
        if not names_only:
            print(item.value, file=stream)
        elif values:
            print(f"{item.name}\t{item.value}", file=stream)
        else:
            print(item.name, file=stream)


def versions(
    entries: Sequence[Version], *, values: bool, as_json: bool, out: TextIO | None = None
) -> None:
    """Print a history: JSON objects, or an aligned table with a header line."""
    stream = out if out is not None else sys.stdout
    if as_json:
        _dump([_version_object(entry, values) for entry in entries], stream)
        return
    header = ["VERSION", "LAST MODIFIED", "USER", "LABELS"]
    rows = [
        [str(e.version), iso(e.last_modified) or "-", e.user or "-", ",".join(e.labels) or "-"]
        for e in entries
    ]
    if values:
        header.append("VALUE")
        for row, entry in zip(rows, entries, strict=True):
            row.append(entry.value or "")
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:  # every column padded but the last
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]), file=stream)


def version_number(version: int, out: TextIO | None = None) -> None:
    """Print the version ``put`` created, alone on its line for ``$(...)``."""
    print(version, file=out if out is not None else sys.stdout)


def deleted(names: Sequence[str], out: TextIO | None = None) -> None:
    """Print one ``deleted NAME`` line per parameter deleted."""
    stream = out if out is not None else sys.stdout
    for name in names:
        print(f"deleted {name}", file=stream)


def _parameter_object(item: Fetched, values: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {"Name": item.name}
    if values:
        obj["Value"] = item.value
    obj.update(Type=item.type, Version=item.version, LastModifiedDate=iso(item.last_modified))
    return obj


def _version_object(entry: Version, values: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {"Name": entry.name}
    if values:
        obj["Value"] = entry.value
    obj.update(
        Type=entry.type,
        Version=entry.version,
        LastModifiedDate=iso(entry.last_modified),
        LastModifiedUser=entry.user,
        Labels=list(entry.labels),
    )
    return obj


def _dump(data: object, stream: TextIO) -> None:
    # One write: a stream that cannot encode a value fails before any half of the JSON is out.
    stream.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
