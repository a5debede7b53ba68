"""``import ssm_config`` loads what a load needs and nothing else (a Lambda's cold start).

Each check runs in a fresh interpreter: this process has long since imported everything.
pydantic-settings imports ``asyncio`` (and through it ``concurrent.futures``) at module
level in ``pydantic_settings.main``, so those are its cost, not ours; the checks below hold
ssm_config to the modules its dependencies load anyway.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

UNNEEDED = (
    "ssm_config.cli",
    "ssm_config.iam",
    "ssm_config._demo",
    "ssm_config._policy_render",
    "ssm_config._policy_targets",
    "yaml",
    "moto",
    "boto3",
    "s3transfer",
    "cachetools",  # only the ad-hoc reads' cache needs it, built on the first read
)
DEPENDENCIES = "import pydantic_settings, botocore.config, botocore.exceptions"
"""What the runtime path cannot do without: the settings base class and botocore's client."""


def loaded_by(code: str) -> set[str]:
    """The modules in ``sys.modules`` after ``code`` runs in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_loads_no_side_branch() -> None:
    """A plain ``import ssm_config`` loads no CLI, IAM, demo, YAML, moto, boto3 or cachetools."""
    loaded = loaded_by("import ssm_config")
    assert sorted(m for m in loaded if m.startswith(UNNEEDED)) == []


def test_import_loads_nothing_beyond_its_dependencies() -> None:
    """Besides its own core modules, ``import ssm_config`` loads only what its dependencies do."""
    ours = {m for m in loaded_by("import ssm_config") if m.partition(".")[0] != "ssm_config"}
    assert sorted(ours - loaded_by(DEPENDENCIES)) == []


def test_iam_is_an_attribute_after_a_plain_import() -> None:
    """``ssm_config.iam.policy_for`` works after ``import ssm_config``, as do both import forms."""
    code = (
        "import ssm_config\n"
        "assert callable(ssm_config.iam.policy_for)\n"
        "from ssm_config import iam\n"
        "assert iam is ssm_config.iam\n"
        "star = {}\n"
        "exec('from ssm_config import *', star)\n"
        "assert star['iam'] is iam and 'iam' in dir(ssm_config)\n"
    )
    assert "ssm_config.iam" in loaded_by(code)


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    """The lazy ``iam`` attribute does not turn other missing names into something else."""
    import ssm_config

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ssm_config.nope  # type: ignore[attr-defined]  # noqa: B018
