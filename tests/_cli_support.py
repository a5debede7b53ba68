"""Fixtures for the ``ssm-config`` command tests: fake AWS, moto, in-process runs.

Test modules load this with ``pytest_plugins`` (the shared conftest belongs to the core).
Errors AWS would send (throttling, access denied) are injected as real HTTP responses at
botocore's ``before-send`` step of the client the command builds with ``make_client``, so
botocore parses them and its standard retry mode retries them as it would in production.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.retries import standard

from ssm_config import _client
from ssm_config.cli import main

REGION = "us-east-1"


@dataclass(frozen=True)
class Run:
    """What one in-process ``ssm-config`` run produced."""

    code: int
    out: str
    err: str


@dataclass
class Requests:
    """The SSM operations the command's own client sent, in order (retries included)."""

    operations: list[str] = field(default_factory=list)

    def count(self, operation: str) -> int:
        """How many requests of ``operation`` were sent."""
        return self.operations.count(operation)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``ssm-config ARGV...`` in-process and return its exit code and output."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> Requests:
    """Record every SSM request the commands' clients send."""
    seen = Requests()
    hook_clients(monkeypatch, lambda client: _record(client, seen))
    return seen


@pytest.fixture
def fail_with(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Requests]:
    """Make the commands' clients receive an AWS error for one operation.

    Call it as ``fail_with("GetParameters", "ThrottlingException", when="/secret")``: every
    request of that operation whose body contains ``when`` (default: every request) gets a
    400 response carrying that error code. botocore's backoff is set to zero so its retries
    run without sleeping.
    """
    zero_backoff(monkeypatch)

    def install(operation: str, code: str, *, when: str = "", message: str = "") -> Requests:
        seen = Requests()

        def handler(request: Any, **kwargs: Any) -> AWSResponse | None:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            if when not in (body or ""):
                return None
            seen.operations.append(operation)
            return error_response(request, code, message or f"{code} (injected)")

        def hook(client: Any) -> None:
            client.meta.events.register(f"before-send.ssm.{operation}", handler)

        hook_clients(monkeypatch, hook)
        return seen

    return install


def error_response(request: Any, code: str, message: str) -> AWSResponse:
    """The HTTP 400 response SSM sends for error ``code`` (JSON protocol)."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return AWSResponse(request.url, 400, HTTPHeaders(), _Raw(body))


def zero_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let botocore's standard retries run at once: no sleeping in tests."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def hook_clients(monkeypatch: pytest.MonkeyPatch, hook: Callable[[Any], None]) -> None:
    """Run ``hook`` on each client ``make_client`` builds (the commands' only source)."""
    build = _client.make_client

    def make_client(*args: Any, **kwargs: Any) -> Any:
        client = build(*args, **kwargs)
        hook(client)
        return client

    monkeypatch.setattr(_client, "make_client", make_client)


def _record(client: Any, seen: Requests) -> None:
    def before_send(model: Any = None, **kwargs: Any) -> None:
        seen.operations.append(kwargs["event_name"].rsplit(".", 1)[-1])

    client.meta.events.register("before-send.ssm", before_send)


class _Raw(io.BytesIO):
    """The raw body botocore reads an ``AWSResponse`` from (``stream()``)."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        """Yield the whole body once."""
        yield self.getvalue()
