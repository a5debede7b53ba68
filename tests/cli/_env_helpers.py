"""Helpers for the environment commands' tests: a hand-cranked clock, reading the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        """The current time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move the clock on by it, at once."""
        self.slept.append(seconds)
        self.now += seconds


def stored(ssm: Any, path: str) -> dict[str, tuple[str, str]]:
    """Every parameter under ``path`` as ``{name: (type, value)}``, decrypted."""
    pages = ssm.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=True, WithDecryption=True
    )
    return {p["Name"]: (p["Type"], p["Value"]) for page in pages for p in page["Parameters"]}


def described(ssm: Any, name: str) -> dict[str, Any]:
    """DescribeParameters' entry for ``name`` (type, tier, description, key id)."""
    [entry] = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
        "Parameters"
    ]
    result: dict[str, Any] = entry
    return result
