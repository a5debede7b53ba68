"""Where ``put`` gets its value from, and the checks that run before any request.

A value that SSM would refuse (too big for its tier, an empty StringList item) is caught
here with a message that says what to do, instead of a ValidationException that may echo
the value back. No message in this module ever contains the value.
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .._errors import SSMConfigError

STANDARD_LIMIT = 4096
"""Bytes (UTF-8) a Standard-tier value may hold."""
ADVANCED_LIMIT = 8192
"""Bytes (UTF-8) an Advanced-tier value may hold; no tier allows more."""

TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced", "Intelligent-Tiering")
STDIN = "-"


class InvalidValueError(SSMConfigError, ValueError):
    """A value ``put`` must not send: unreadable, empty, too big or a malformed StringList."""


@dataclass(frozen=True, slots=True)
class ValueSource:
    """Where the value comes from: exactly one of the three is set.

    Attributes:
        inline: the VALUE argument (``None`` when it is ``-`` or absent).
        file: ``--value-file``: the file's bytes, verbatim.
        stdin: read standard input (VALUE was ``-``).
    """

    inline: str | None = None
    file: Path | None = None
    stdin: bool = False


def source_of(value: str | None, value_file: str | None) -> ValueSource:
    """The :class:`ValueSource` the ``put`` arguments ask for (argparse made them exclusive)."""
    if value_file is not None:
        return ValueSource(file=Path(value_file))
    if value == STDIN:
        return ValueSource(stdin=True)
    return ValueSource(inline=value)


def read_value(source: ValueSource, name: str, stdin: TextIO | None = None) -> str:
    """Read the value from its source.

    Args:
        source: where the value comes from.
        name: the parameter, for the prompt and the messages.
        stdin: the stream to read for ``-`` (default: ``sys.stdin``, looked up at call time
            so tests can replace it).

    Raises:
        InvalidValueError: the file cannot be read or is not UTF-8, or there is no
            standard input to read.
    """
    if source.file is not None:
        try:
            data = source.file.read_bytes()
        except OSError as exc:
            raise InvalidValueError(
                f"{name}: cannot read --value-file {str(source.file)!r}: {exc.strerror or exc}"
            ) from exc
        return _decode(data, f"--value-file {str(source.file)!r}", name)
    if source.stdin:
        stream = stdin if stdin is not None else sys.stdin
        if stream is None:  # started with standard input closed (<&-)
            raise InvalidValueError(
                f"{name}: VALUE '-' reads standard input, but there is none (it is closed); "
                "pipe the value in or use --value-file"
            )
        return _strip_newline(_read_stdin(stream, name))
    return source.inline or ""


def check_value(value: str, name: str, *, type_: str | None, tier: str | None) -> None:
    """Raise InvalidValueError for a value SSM would refuse or readers would misread.

    Args:
        value: the value to write.
        name: the parameter, for the messages.
        type_: the type asked for; ``None`` (an overwrite keeping the stored type) skips the
            StringList rules, which the caller checks after reading the stored type.
        tier: the tier asked for; ``None`` means the account default, assumed Standard.
    """
    if not value:
        raise InvalidValueError(f"{name}: the value is empty; SSM requires at least 1 character")
    size = len(utf8(value, f"{name}: the value"))
    if size > ADVANCED_LIMIT:
        raise InvalidValueError(
            f"{name}: the value is {size} bytes; SSM holds at most {ADVANCED_LIMIT} (Advanced tier)"
        )
    if size > STANDARD_LIMIT and tier in (None, "Standard"):
        raise InvalidValueError(
            f"{name}: the value is {size} bytes, over the Standard tier's {STANDARD_LIMIT}; "
            "pass --tier Advanced (or Intelligent-Tiering)"
        )
    if type_ == "StringList":
        check_string_list(value, name)


def utf8(text: str, what: str) -> bytes:
    """``text`` encoded as UTF-8, or InvalidValueError saying ``what`` is not UTF-8 text.

    On POSIX, argv bytes that are not UTF-8 reach Python as lone surrogates
    (surrogateescape), which no request can carry. The message never quotes ``text``.
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        position = exc.start + 1
    # Raised outside the handler: the UnicodeEncodeError holds the text; nothing may carry it.
    raise InvalidValueError(f"{what} is not valid UTF-8 text (character {position})")


def check_string_list(value: str, name: str) -> None:
    """Reject StringList values whose items a reader cannot get back unambiguously.

    A StringList is stored as one comma-separated string and nothing can escape a comma, so
    an item cannot contain one. An empty item (``a,,b`` or a trailing comma) is almost
    always a typo, and an item with spaces or a newline at either end (``a, b``, or a file
    ending in a newline) reads back differently depending on whether the reader strips it.
    """
    for position, item in enumerate(value.split(","), start=1):
        if not item:
            raise InvalidValueError(
                f"{name}: StringList item {position} is empty ('a,,b' or a comma at either "
                "end); items are separated by single commas"
            )
        if item != item.strip():
            raise InvalidValueError(
                f"{name}: StringList item {position} begins or ends with whitespace; readers "
                "may or may not strip it, so write 'a,b' rather than 'a, b'"
            )


def _read_stdin(stream: TextIO, name: str) -> str:
    if stream.isatty():
        # Typed at a terminal: do not echo a secret onto the screen.
        return getpass.getpass(f"value for {name}: ")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return _decode(buffer.read(), "standard input", name)
    return stream.read()


def _decode(data: bytes, where: str, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidValueError(
            f"{name}: {where} is not UTF-8 text (byte {exc.start}); SSM values are text"
        ) from exc


def _strip_newline(value: str) -> str:
    """Strip one trailing newline, as ``echo`` and here-strings add one."""
    if value.endswith("\r\n"):
        return value[:-2]
    if value.endswith("\n"):
        return value[:-1]
    return value
