"""The file formats of ``export`` and ``import``: JSON, YAML and dotenv.

JSON and YAML map each name (relative to the exported path) to its ``Type`` and ``Value``,
plus ``Description``, ``Tier`` and ``DataType`` where they are not SSM's defaults, so an
export imported elsewhere reproduces names, values and types. dotenv is for environments,
not a round trip: names become variable names (``db/url`` -> ``DB_URL``) and types are lost.
Errors name the file, the key and the line, never a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from .._errors import SSMConfigError
from ._ssm import Stored
from ._values import TIERS, TYPES

Format = Literal["json", "yaml", "dotenv"]
FORMATS: tuple[Format, ...] = ("json", "yaml", "dotenv")

_FIELDS = ("Type", "Value", "Description", "Tier", "DataType")
_PLAIN = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")
_VARIABLE = re.compile(r"[^A-Za-z0-9_]")
_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z0-9_./-]+)\s*=\s*(.*)")
_DOUBLE_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}


class FileFormatError(SSMConfigError, ValueError):
    """An import file that cannot be read as its format says (the message has no value)."""


def dump(fmt: Format, items: Mapping[str, Stored]) -> str:
    """The text of an export: ``items`` keyed by relative name, in name order."""
    ordered = dict(sorted(items.items()))
    if fmt == "dotenv":
        return _dotenv(ordered)
    document = {key: _entry(item) for key, item in ordered.items()}
    if fmt == "yaml":
        import yaml  # noqa: PLC0415 - the CLI's optional dependency

        text: str = yaml.safe_dump(
            document, sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        return text
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse(
    fmt: Format, text: str, where: str, *, dotenv_type: str | None = None
) -> dict[str, Stored]:
    """Read an import file: relative name -> what to write (``Stored.name`` is relative).

    Args:
        fmt: the file's format.
        text: its content.
        where: the file, for messages.
        dotenv_type: the type of every entry of a dotenv file (which carries none).

    Raises:
        FileFormatError: the text is not a valid file of ``fmt``; the message says where.
    """
    if fmt == "dotenv":
        type_ = dotenv_type or "String"
        return {key: Stored(key, value, type_) for key, value in _read_dotenv(text, where)}
    document = _read_yaml(text, where) if fmt == "yaml" else _read_json(text, where)
    if not isinstance(document, Mapping):
        raise FileFormatError(f"{where}: expected a mapping of names to parameters")
    return {_key(key, where): _item(key, value, where) for key, value in document.items()}


def variable_name(relative: str) -> str:
    """The dotenv variable of a relative name: upper case, ``_`` for anything else."""
    name = _VARIABLE.sub("_", relative).upper()
    return f"_{name}" if name[:1].isdigit() else name


def _entry(item: Stored) -> dict[str, str]:
    entry = {"Type": item.type, "Value": item.value}
    optional = {"Description": item.description, "Tier": item.tier, "DataType": item.data_type}
    entry.update({key: value for key, value in optional.items() if value is not None})
    return entry


def _dotenv(items: Mapping[str, Stored]) -> str:
    seen: dict[str, str] = {}
    lines = []
    for key, item in items.items():
        variable = variable_name(key)
        if variable in seen:
            raise SSMConfigError(
                f"{seen[variable]} and {key} both become {variable} in a dotenv file; "
                "export them as json or yaml"
            )
        seen[variable] = key
        lines.append(f"{variable}={_dotenv_value(item.value)}")
    return "".join(f"{line}\n" for line in lines)


def _dotenv_value(value: str) -> str:
    """Quoted as python-dotenv and docker compose read it back."""
    if _PLAIN.fullmatch(value):
        return value
    if not any(c in value for c in "'\\\n\r\t"):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _read_dotenv(text: str, where: str) -> list[tuple[str, str]]:
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise FileFormatError(f"{where}: line {number}: expected NAME=VALUE")
        key, raw = match.groups()
        if key in entries:
            raise FileFormatError(f"{where}: line {number}: {key} is set twice")
        entries[key] = _unquote(raw, f"{where}: line {number}")
    return list(entries.items())


def _unquote(raw: str, where: str) -> str:
    raw = raw.rstrip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        out: list[str] = []
        index = 1
        while index < len(raw):
            char = raw[index]
            if char == "\\" and index + 1 < len(raw):
                following = raw[index + 1]
                if quote == '"' and following in _DOUBLE_ESCAPES:
                    out.append(_DOUBLE_ESCAPES[following])
                    index += 2
                    continue
                if quote == "'" and following in "\\'":
                    out.append(following)
                    index += 2
                    continue
            if char == quote:
                rest = raw[index + 1 :].strip()
                if rest and not rest.startswith("#"):
                    raise FileFormatError(f"{where}: text after the closing quote")
                return "".join(out)
            out.append(char)
            index += 1
        raise FileFormatError(f"{where}: the quoted value has no closing {quote}")
    value, _, _ = raw.partition(" #")
    return value.strip()


def _read_json(text: str, where: str) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise FileFormatError(f"{where}: {key!r} appears twice")
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


def _read_yaml(text: str, where: str) -> Any:
    import yaml  # noqa: PLC0415 - the CLI's optional dependency

    class _Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    line = key_node.start_mark.line + 1
                    raise FileFormatError(f"{where}: line {line}: {key!r} appears twice")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        # Never str(exc): its snippet of the file may show a value; nor a problem that
        # quotes a character of it ("found character '%' that cannot start any token").
        problem = exc.problem or ""
        said = "; ".join(p for p in (problem if not re.search("['\"]", problem) else "", at) if p)
        raise FileFormatError(f"{where}: not valid YAML ({said or 'malformed'})") from None
    except yaml.YAMLError as exc:
        raise FileFormatError(f"{where}: not valid YAML ({type(exc).__name__})") from None


def _key(key: Any, where: str) -> str:
    if not isinstance(key, str) or not key:
        raise FileFormatError(f"{where}: the name {key!r} is not text; quote it")
    if key.startswith("/"):
        raise FileFormatError(
            f"{where}: {key!r}: names in the file are relative to PATH; drop the leading '/'"
        )
    return key


def _item(key: Any, value: Any, where: str) -> Stored:
    at = f"{where}: {key!r}"
    if isinstance(value, str):
        return Stored(key, value, "String")
    if not isinstance(value, Mapping):
        raise FileFormatError(
            f"{at}: expected text or a mapping with Type and Value (quote numbers and booleans)"
        )
    unknown = sorted(str(k) for k in value if k not in _FIELDS)
    if unknown:
        raise FileFormatError(f"{at}: unknown field {unknown[0]!r}; known: {', '.join(_FIELDS)}")
    fields = {}
    for name in _FIELDS:
        field_value = value.get(name)
        if field_value is not None and not isinstance(field_value, str):
            raise FileFormatError(f"{at}: {name} must be text (quote it)")
        fields[name] = field_value
    if fields["Value"] is None:
        raise FileFormatError(f"{at}: no Value")
    type_ = fields["Type"] or "String"
    if type_ not in TYPES:
        raise FileFormatError(f"{at}: Type {type_!r} is not one of {', '.join(TYPES)}")
    tier = fields["Tier"]
    if tier is not None and tier not in TIERS:
        raise FileFormatError(f"{at}: Tier {tier!r} is not one of {', '.join(TIERS)}")
    return Stored(
        key,
        fields["Value"],
        type_,
        description=fields["Description"],
        tier=None if tier == "Standard" else tier,
        data_type=None if fields["DataType"] == "text" else fields["DataType"],
    )
