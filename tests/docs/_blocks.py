"""The code blocks of the docs, found by their ``:class:``, read with docutils.

Every block in ``docs/`` and README.rst is a ``.. code-block:: LANGUAGE`` with one
``:class:`` naming how the tests check it; prose around a block plays no part::

    .. code-block:: python
       :class: run

``run``
    Python, executed top to bottom in one namespace per page, on moto; a ``:name:`` picks a
    fault to inject while that block runs (see ``test_docs.FAULTS``).
``output``
    Text that the preceding ``run`` block printed, line for line.
``shell``
    A console session: each ``$ command`` runs with ``/bin/sh`` against moto's server, and
    the lines after it are what it prints.
``contains``
    A template that holds, indented as a unit, what the preceding block printed.
``ci``
    Commands that ``.ci/run`` runs verbatim.
``bench``
    The benchmark's command line, run in its ``--quick`` mode by the benchmark smoke test.
``sample``
    A recorded benchmark table, whose rows the benchmark smoke test compares with a run.

In ``output`` and ``shell`` blocks, ``...`` matches any text within a line, and a line that
is only ``...`` matches any number of lines. A page names the parameters seeded before it
runs with a comment, ``.. docs-fixture: orders`` (the default) or ``.. docs-fixture: empty``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
KINDS = frozenset({"run", "output", "shell", "contains", "ci", "bench", "sample"})
_FIXTURE = re.compile(r"^docs-fixture:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Block:
    """One code block of a page: where it is, how it is checked, and its text."""

    page: str
    line: int
    language: str
    kind: str
    name: str
    text: str

    @property
    def where(self) -> str:
        """``page:line``, for failure messages."""
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Page:
    """A page's blocks in order, the fixture it asks for, and what docutils complained of."""

    path: str
    fixture: str
    blocks: tuple[Block, ...]
    problems: tuple[str, ...]
    unclassified: tuple[str, ...]


def pages() -> list[Path]:
    """README.rst and every page under docs/ (the changelog is included, not a page)."""
    return [ROOT / "README.rst", *sorted(DOCS.rglob("*.rst"))]


def read(path: Path) -> Page:
    """Parse ``path`` with docutils (Sphinx's own directives and roles as stand-ins)."""
    _register_sphinx_stand_ins()
    doctree = publish_doctree(
        path.read_text(encoding="utf-8"),
        source_path=str(path),
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "syntax_highlight": "none",
            "file_insertion_enabled": True,
        },
    )
    problems = tuple(
        f"{path.name}:{message.get('line')}: {message.astext()}"
        for message in doctree.findall(nodes.system_message)
        if message["level"] >= 3
    )
    fixture = "orders"
    for comment in doctree.findall(nodes.comment):
        match = _FIXTURE.match(comment.astext())
        if match:
            fixture = match.group(1)
    blocks: list[Block] = []
    unclassified: list[str] = []
    relative = path.relative_to(ROOT).as_posix()
    source = path.read_text(encoding="utf-8").splitlines()
    cursor = 0
    for literal in doctree.findall(nodes.literal_block):
        classes = [c for c in literal["classes"] if c in KINDS]
        language = next((c for c in literal["classes"] if c not in KINDS and c != "code"), "")
        cursor = _line_of(source, literal.astext(), cursor)
        line = cursor + 1
        if len(classes) != 1:
            unclassified.append(f"{relative}:{line}")
            continue
        names = literal["names"]
        blocks.append(
            Block(relative, line, language, classes[0], names[0] if names else "", literal.astext())
        )
    return Page(relative, fixture, tuple(blocks), problems, tuple(unclassified))


def _line_of(source: list[str], text: str, start: int) -> int:
    """The index of the source line where ``text`` (a block's content) begins, from ``start``."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    for index in range(start, len(source)):
        if source[index].strip() == first:
            return index
    return start


def code_block_count(path: Path) -> int:
    """How many ``code-block`` directives the raw text has (to catch blocks docutils lost)."""
    return len(re.findall(r"^\s*\.\. code-block::", path.read_text(encoding="utf-8"), re.M))


def matches(shown: Iterable[str], printed: Iterable[str]) -> bool:
    """Whether ``printed`` lines are what ``shown`` lines say, with ``...`` wildcards."""
    pattern = []
    for line in shown:
        if line.strip() == "...":
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            pattern.append(".*?".join(map(re.escape, line.rstrip().split("..."))) + r"[ \t]*\n")
    text = "".join(line.rstrip() + "\n" for line in printed)
    return re.fullmatch("".join(pattern), text) is not None


def contains_as_unit(template: str, printed: str) -> bool:
    """Whether ``printed``'s lines appear in ``template`` consecutively, at one indentation.

    Blank lines are ignored on both sides.
    """
    wanted = [line for line in printed.splitlines() if line.strip()]
    lines = [line for line in template.splitlines() if line.strip()]
    for start, line in enumerate(lines):
        indent = line[: len(line) - len(line.lstrip())]
        window = lines[start : start + len(wanted)]
        if [w.removeprefix(indent) for w in window] == wanted and all(
            w.startswith(indent) for w in window
        ):
            return True
    return False


class _Ignored(Directive):
    """A Sphinx directive the tests need not understand (its content holds no code)."""

    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        return []


class _AnyOptions(dict[str, Any]):
    """An option spec that accepts every option, as autodoc's directives do."""

    def __missing__(self, key: str) -> Any:
        return directives.unchanged


_SPHINX_DIRECTIVES = (
    "toctree",
    "automodule",
    "autoclass",
    "autofunction",
    "autoexception",
    "autodata",
    "currentmodule",
    "module",
    "versionadded",
    "versionchanged",
    "seealso",
)
_SPHINX_ROLES = (
    "doc",
    "ref",
    "class",
    "func",
    "meth",
    "mod",
    "attr",
    "exc",
    "data",
    "obj",
    "envvar",
    "file",
    "command",
    "program",
    "option",
)


def _register_sphinx_stand_ins() -> None:
    _Ignored.option_spec = _AnyOptions()
    for name in _SPHINX_DIRECTIVES:
        directives.register_directive(name, _Ignored)
    for name in _SPHINX_ROLES:
        roles.register_generic_role(name, nodes.literal)
