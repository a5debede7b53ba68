"""moto's server behind a delaying, counting reverse proxy, in a process of its own.

Run as ``python benchmarks/_proxy.py --delay-ms 20``: it starts moto's threaded server
and a threaded HTTP proxy, both on 127.0.0.1 with ports chosen by the OS, prints one JSON
line ``{"proxy": PORT, "moto": PORT}`` and serves until its stdin closes (so it ends with
the benchmark that started it). Each request through the proxy waits ``--delay-ms``
(an in-region round trip) and is counted per AWS action, read from ``X-Amz-Target``.

A separate process keeps the server's and the proxy's Python work off the benchmark's
GIL: a reader thread there should compete only with the library under test.

Control endpoints on the proxy (never forwarded): ``GET /__bench/counts`` returns the
counts as JSON; ``POST /__bench/reset`` zeroes them; ``POST /__bench/churn`` keeps
changing some parameters for a while (see :meth:`CountingProxy.start_churn`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)


class _Upstream(threading.local):
    """One keep-alive connection to moto per proxy thread."""

    conn: http.client.HTTPConnection | None = None


class CountingProxy(ThreadingHTTPServer):
    """Forwards every request to ``upstream`` after ``delay`` seconds, counting actions."""

    daemon_threads = True

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.delay = delay
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.local = _Upstream()
        # Built now, not when churn starts: importing boto3 is a CPU burst that would show
        # up as stalls in the benchmark's reader (the two processes share the cores).
        self.writer = _moto_client(upstream)
        self.writer.get_parameters(Names=["/bench/warm-up"])  # loads botocore's SSM model

    def start_churn(self, order: dict[str, Any]) -> None:
        """Overwrite ``order["types"]`` (name -> type) every ``every`` s for ``for`` s.

        The writes go straight to moto from this process, so they cost the benchmark's
        process nothing and are not counted as the library's calls.
        """
        thread = threading.Thread(target=_churn, args=(self.writer, order), daemon=True)
        thread.start()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK wait
    server: CountingProxy

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a benchmark prints only its table."""

    def do_GET(self) -> None:
        if self.path == "/__bench/counts":
            with self.server.lock:
                body = json.dumps(dict(self.server.counts)).encode()
            self._reply(200, body)
            return
        self._forward()

    def do_POST(self) -> None:
        if self.path == "/__bench/reset":
            with self.server.lock:
                self.server.counts.clear()
            self._reply(200, b"{}")
            return
        if self.path == "/__bench/churn":
            length = int(self.headers.get("Content-Length") or 0)
            self.server.start_churn(json.loads(self.rfile.read(length)))
            self._reply(200, b"{}")
            return
        self._forward()

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        target = self.headers.get("X-Amz-Target", "")
        action = target.rpartition(".")[2] or f"{self.command} {self.path}"
        with self.server.lock:
            self.server.counts[action] += 1
        time.sleep(self.server.delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        status, reason, out_headers, data = self._upstream(body, headers)
        self.send_response(status, reason)
        for key, value in out_headers:
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _upstream(
        self, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        local = self.server.local
        for attempt in range(2):  # a kept-alive connection moto closed: reconnect once
            if local.conn is None:
                local.conn = http.client.HTTPConnection(*self.server.upstream, timeout=30)
                local.conn.connect()
                assert local.conn.sock is not None
                local.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                local.conn.request(self.command, self.path, body=body, headers=headers)
                response = local.conn.getresponse()
                return response.status, response.reason, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                local.conn.close()
                local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _moto_client(upstream: tuple[str, int]) -> Any:
    import boto3

    return boto3.client(
        "ssm",
        endpoint_url=f"http://{upstream[0]}:{upstream[1]}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
    )


def _churn(client: Any, order: dict[str, Any]) -> None:
    end = time.monotonic() + float(order["for"])
    step = 0
    while time.monotonic() < end:
        step += 1
        for name, kind in order["types"].items():
            client.put_parameter(Name=name, Value=f"churn-{step}", Type=kind, Overwrite=True)
        time.sleep(float(order["every"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=20.0)
    args = parser.parse_args(argv)

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    proxy = CountingProxy(moto.get_host_and_port(), args.delay_ms / 1000.0)
    serving = threading.Thread(target=proxy.serve_forever, name="bench-proxy", daemon=True)
    serving.start()
    print(json.dumps({"proxy": proxy.server_address[1], "moto": moto.get_host_and_port()[1]}))
    sys.stdout.flush()
    try:
        sys.stdin.read()  # until the benchmark closes our stdin (or exits)
    finally:
        proxy.shutdown()
        proxy.server_close()
        moto.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
