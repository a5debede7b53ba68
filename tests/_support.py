"""Test helpers that are not fixtures: a request recorder and an IAM-like refusal."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError


@dataclass
class Recorder:
    """Every SSM operation a client made, with its parameters, in order."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        """botocore's ``before-parameter-build`` hook: the API call's own arguments."""
        with self.lock:
            self.calls.append((model.name, dict(params)))

    def count(self, operation: str) -> int:
        return sum(1 for name, _ in self.calls if name == operation)

    def names(self, operation: str = "GetParameters") -> list[list[str]]:
        return [list(p.get("Names", [])) for name, p in self.calls if name == operation]


def deny(
    client: Any, names: set[str], code: str = "AccessDeniedException", message: str = ""
) -> None:
    """Make ``client`` fail GetParameters/GetParameter calls that include any of ``names``.

    The error is raised by botocore's own event hook before the request is sent, as IAM
    would refuse it; everything after that (translation, batch splitting) is our code.
    Returns the list of refused calls' names, filled as calls are refused.
    """
    refused: list[list[str]] = []

    def handler(model: Any, params: dict[str, Any], **_: Any) -> None:
        asked = set(params.get("Names", [])) | {params.get("Name")}
        if asked & names:
            refused.append(sorted(n for n in asked if n))
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": message or f"not authorized: {code}"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                model.name,
            )

    client.meta.events.register("before-parameter-build.ssm.GetParameters", handler)
    client.meta.events.register("before-parameter-build.ssm.GetParameter", handler)
    return refused
