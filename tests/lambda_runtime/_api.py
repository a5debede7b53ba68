"""The HTTP side of the Lambda Runtime API, as AWS's runtime client calls it.

The paths, status codes and headers are those ``awslambdaric`` (its native client for
``/next`` and the responses, ``lambda_runtime_client.py`` for init errors and SnapStart's
restore calls) sends and expects. What each call does to the function, freezing it
included, is :class:`~tests.lambda_runtime._runtime.LambdaFunction`'s.
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

API = "/2018-06-01/runtime"
FUNCTION_NAME = "harness-function"
ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}"
TRACE = "Root=1-00000000-000000000000000000000000;Sampled=0"
_INVOCATION = re.compile(rf"{API}/invocation/([^/]+)/(response|error)")


class Event:
    """One invocation's event, from queued to answered."""

    def __init__(self, event: Any) -> None:
        self.request_id = str(uuid.uuid4())
        self.body = json.dumps(event).encode()
        self.delivered_at = 0.0
        self.finished_at = 0.0
        self.outcome: tuple[str, Any] | None = None


class Runtime(Protocol):
    """What the server asks of the execution environment behind it."""

    def next_event(self) -> Event | None: ...
    def finish(self, request_id: str, kind: str, body: bytes) -> bool: ...
    def await_restore(self) -> bool: ...
    def fail(self, what: str, body: bytes) -> None: ...


class RuntimeAPIServer(ThreadingHTTPServer):
    """The Runtime API on 127.0.0.1, a free port; a thread per connection."""

    daemon_threads = True

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.runtime = runtime

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A function killed mid-request (at stop) breaks its connection: not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the runtime client keeps its connection alive
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK wait
    server: RuntimeAPIServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the function's own log."""

    def do_GET(self) -> None:
        runtime = self.server.runtime
        if self.path == f"{API}/invocation/next":
            pending = runtime.next_event()
            if pending is None:
                self.close_connection = True
                return
            deadline_ms = int(time.time() * 1000) + 60_000
            self._reply(
                200,
                pending.body,
                {
                    "Lambda-Runtime-Aws-Request-Id": pending.request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": ARN,
                    "Lambda-Runtime-Trace-Id": TRACE,
                },
            )
        elif self.path == f"{API}/restore/next":
            if runtime.await_restore():
                self._reply(200, b"")
            else:
                self.close_connection = True
        else:
            self._reply(404, b'{"errorMessage": "unknown path"}')

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        runtime = self.server.runtime
        match = _INVOCATION.fullmatch(self.path)
        if match:
            known = runtime.finish(match.group(1), match.group(2), body)
            self._reply(202 if known else 400, b'{"status": "OK"}')
        elif self.path == f"{API}/init/error":
            runtime.fail("init failed", body)
            self._reply(202, b'{"status": "OK"}')
        elif self.path == f"{API}/restore/error":
            runtime.fail("an after-restore hook failed", body)
            self._reply(202, b'{"status": "OK"}')
        else:
            self._reply(404, b'{"errorMessage": "unknown path"}')

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
