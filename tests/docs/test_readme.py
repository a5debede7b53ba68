"""Every Python snippet in README.rst runs, in order, against moto."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parents[2] / "README.rst"
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


def _block_after(text: str, marker: str) -> list[str]:
    """The indented lines of the literal block that follows ``marker``, dedented."""
    rest = text[text.index(marker) + len(marker) :]
    lines = []
    for line in rest.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    return [line for line in lines if line.strip()]


def test_readme_policy_commands_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each `ssm-config policy` line of the IAM section runs in examples/ and succeeds."""
    import shlex

    from ssm_config.cli import main

    commands = _block_after(README.read_text(), "repository's ``examples/`` folder)::")
    assert len(commands) == 3
    monkeypatch.chdir(README.parent / "examples")
    for command in commands:
        words = shlex.split(command, comments=True)
        assert words[0] == "ssm-config"
        assert main(words[1:]) == 0, command
        assert "Statement" in capsys.readouterr().out, command


def test_readme_cloudformation_snippet_is_what_the_generator_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The YAML in the IAM section is the generator's output for the README's class."""
    from ssm_config.cli import main
    from ssm_config.testing import offline

    text = README.read_text()
    expected = _block_after(text, ".. code-block:: yaml\n")
    module = types.ModuleType("readme_first_screen")
    first = python_snippets(text)[0]
    sys.modules[module.__name__] = module
    try:
        with offline():
            exec(compile(first, "README.rst snippet 1", "exec", dont_inherit=True), module.__dict__)  # noqa: S102
        code = main(["policy", f"{module.__name__}:OrdersConfig", "--format", "cloudformation"])
    finally:
        del sys.modules[module.__name__]
    assert code == 0
    assert capsys.readouterr().out.splitlines() == expected
