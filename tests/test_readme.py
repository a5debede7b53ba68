"""Every Python snippet in README.rst runs, in order, against moto."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.rst"
_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:    .*\n|\n)+)", re.MULTILINE)


def python_snippets(text: str) -> list[str]:
    """The bodies of ``.. code-block:: python`` directives, dedented."""
    blocks = []
    for match in _BLOCK.finditer(text):
        lines = [
            line[4:] if line.startswith("    ") else line for line in match.group(1).splitlines()
        ]
        blocks.append("\n".join(lines).strip() + "\n")
    return blocks


def test_readme_has_a_first_screen_example() -> None:
    """The README shows runnable code before its first section heading."""
    text = README.read_text()
    assert text.index(".. code-block:: python") < text.index("\nSet up\n")


def test_readme_snippets_run(ssm: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's Python snippets run top to bottom in one namespace, on moto."""
    ssm.put_parameter(
        Name="/shared/mongodb/url", Value="mongodb://u:p@db/orders", Type="SecureString"
    )
    ssm.put_parameter(
        Name="/shared/relationship-api/url", Value="https://rel.example.com", Type="String"
    )
    ssm.put_parameter(Name="/orders/prod/page-size", Value="25", Type="String")
    ssm.put_parameter(Name="/orders/prod/flags", Value='{"beta": true}', Type="String")
    ssm.put_parameter(Name="/orders/prod/features/search", Value="on", Type="String")
    module = types.ModuleType("readme_snippets")
    namespace = module.__dict__
    snippets = python_snippets(README.read_text())
    assert len(snippets) >= 4
    sys.modules[module.__name__] = module  # as a user's module would be, for pydantic
    try:
        for number, code in enumerate(snippets, 1):
            compiled = compile(code, f"README.rst snippet {number}", "exec", dont_inherit=True)
            exec(compiled, namespace)  # noqa: S102
        config = namespace["config"]
        assert config.page_size == 25
        assert namespace["handler"]({}, None) == {"limit": 25, "beta": True}
    finally:
        del sys.modules[module.__name__]
        for value in list(namespace.values()):
            close = getattr(value, "ssm_close", None)
            if callable(close) and not isinstance(value, type):
                close()
