"""The console session in README's "Command line" section, run against moto's server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.rst"


pytest_plugins = ("tests._cli_support",)


def session() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the section's console block with the lines shown after it."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\nCommand line\n") : text.index("\nIAM policies per function\n")]
    block = section[section.index(".. code-block:: console") :].split("\n\n")[1]
    steps: list[tuple[str, list[str]]] = []
    for raw in block.splitlines():
        line = raw.strip()
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


@pytest.mark.server
def test_the_readme_session_prints_what_it_shows(moto_endpoint: str, tmp_path: Path) -> None:
    """Every command prints what the README shows (history: all but dates and users)."""
    env = {key: val for key, val in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL_SSM=moto_endpoint,
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        DB_URL="mongodb://orders:pw@db.internal/orders",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    steps = session()
    assert len(steps) >= 8

    for command, shown in steps:
        result = subprocess.run(
            ["/bin/sh", "-c", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        printed = (result.stdout + result.stderr).splitlines()
        if command.startswith("ssm-config history"):
            # Dates and the modifying user differ from run to run and from moto to AWS.
            assert printed[0].split() == shown[0].split()
            assert [(r.split()[0], r.split()[-1]) for r in printed[1:]] == [
                (r.split()[0], r.split()[-1]) for r in shown[1:]
            ]
        else:
            assert printed == shown, command
