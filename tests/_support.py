"""Test helpers that are not fixtures: a request recorder and an IAM-like refusal."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ssm_config._refresh import REFRESHER


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


class Fault(list[list[str]]):
    """The calls an injected fault refused (names of each), until :meth:`stop`."""

    active = True

    def stop(self) -> None:
        """SSM answers well again."""
        self.active = False


def deny(
    client: Any, names: set[str], code: str = "AccessDeniedException", message: str = ""
) -> Fault:
    """Make ``client`` fail GetParameters/GetParameter calls that include any of ``names``.

    The error is raised by botocore's own event hook before the request is sent, as IAM
    would refuse it; everything after that (translation, batch splitting) is our code.
    """
    error = ClientError(
        {
            "Error": {"Code": code, "Message": message or f"not authorized: {code}"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "GetParameters",
    )
    return _inject(client, error, names)


def fail_with(client: Any, error: Exception) -> Fault:
    """Make every GetParameters/GetParameter call of ``client`` raise ``error`` (an outage)."""
    return _inject(client, error, None)


def _inject(client: Any, error: Exception, names: set[str] | None) -> Fault:
    fault = Fault()

    def handler(model: Any, params: dict[str, Any], **_: Any) -> None:
        asked = {n for n in [*params.get("Names", []), params.get("Name")] if n}
        if fault.active and (names is None or asked & names):
            fault.append(sorted(asked))
            raise error

    client.meta.events.register("before-parameter-build.ssm.GetParameters", handler)
    client.meta.events.register("before-parameter-build.ssm.GetParameter", handler)
    return fault


def scheduled(config: Any) -> bool:
    """Whether ``config`` is refreshed in the background by a running refresher thread."""
    live = config._ssm_live
    thread = REFRESHER.thread
    return (
        live is not None and REFRESHER.has(live.store) and thread is not None and thread.is_alive()
    )
