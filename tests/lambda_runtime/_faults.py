"""An HTTP proxy between a function and SSM that can break its kept-alive connections.

A Lambda function frozen for a while finds, on thaw, that the connections its SDK kept
alive are gone: the server closed them (a FIN waiting in the socket), reset them (an RST),
or a middlebox forgot them (requests go nowhere and nothing ever answers). The proxy
models the three on the connections open at the moment :meth:`FaultProxy.break_connections`
is called; connections made afterwards work normally. It also adds a fixed latency to
each request (an in-region round trip) and counts requests per SSM action.

moto's server answers every request with ``Connection: close``; SSM keeps connections
alive. So the proxy keeps the function's connections alive itself (HTTP/1.1, one thread
per connection, requests in order) and sends each request upstream on a connection of
its own. Faults act on the function's socket, so the SDK sees what it would see in AWS.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO, Literal

Fault = Literal["close", "reset", "silent"]
FAULTS: tuple[Fault, ...] = ("close", "reset", "silent")

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
_ABORT = struct.pack("ii", 1, 0)
"""SO_LINGER on, 0 s: close() aborts the connection with an RST."""


@dataclass(eq=False)
class _Link:
    """One kept-alive connection from the function, served by one thread."""

    client: socket.socket
    fault: Fault | None = None


class FaultProxy:
    """Serves 127.0.0.1:``port`` for ``upstream``, with latency, counting and faults.

    Args:
        upstream: ``(host, port)`` of the real server (moto's).
        latency: seconds added before each request is forwarded.
    """

    def __init__(self, upstream: tuple[str, int], latency: float = 0.0) -> None:
        self.upstream = upstream
        self.latency = latency
        self.counts: Counter[str] = Counter()
        self.connections_made = 0
        self._links: set[_Link] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._acceptor.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self, action: str | None = None) -> int:
        """Requests received so far: of ``action`` (``"GetParameters"``), or all."""
        with self._lock:
            return self.counts[action] if action else sum(self.counts.values())

    def open_connections(self) -> int:
        """Connections from the function that are open and unbroken now."""
        with self._lock:
            return sum(1 for link in self._links if link.fault is None)

    def break_connections(self, fault: Fault) -> int:
        """Break every connection open now, the way ``fault`` says; return how many.

        ``close``: the server closes it (FIN). ``reset``: the server aborts it (RST).
        ``silent``: it stays open on the function's side but nothing sent on it is ever
        answered (a middlebox dropped the flow), so only a read timeout ends a request.
        """
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}, not {fault!r}")
        with self._lock:
            links = [link for link in self._links if link.fault is None]
            for link in links:
                link.fault = fault
        for link in links:
            if fault == "close":
                _shutdown(link.client, socket.SHUT_RDWR)  # FIN now; its thread closes it
            elif fault == "reset":
                # SHUT_RD wakes the thread blocked in recv() without sending anything; its
                # close() then aborts the connection, because of the zero linger.
                link.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _ABORT)
                _shutdown(link.client, socket.SHUT_RD)
        return len(links)

    def close(self) -> None:
        """Stop accepting and drop every connection."""
        self._closed = True
        _shutdown(self._listener, socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            _shutdown(link.client, socket.SHUT_RDWR)
        self._acceptor.join(timeout=5)

    # -- serving ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client)
            with self._lock:
                self._links.add(link)
                self.connections_made += 1
            threading.Thread(target=self._serve, args=(link,), daemon=True).start()

    def _serve(self, link: _Link) -> None:
        """Answer the function's requests on one connection, in order, until it ends."""
        reader = link.client.makefile("rb")
        try:
            while True:
                request = _read_request(reader)
                if request is None or link.fault in ("close", "reset"):
                    return
                if link.fault == "silent":
                    continue  # swallowed: the function waits for an answer that never comes
                self._count(request[2])
                if self.latency:
                    time.sleep(self.latency)  # the round trip this proxy stands for
                response = self._forward(*request)
                if link.fault is None:
                    link.client.sendall(response)
        except OSError:
            return
        finally:
            with self._lock:
                self._links.discard(link)
            reader.close()
            link.client.close()

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            forward = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(method, path, body=body, headers=forward)
            response = conn.getresponse()
            data = response.read()
            lines = [f"HTTP/1.1 {response.status} {response.reason}"]
            lines += [
                f"{key}: {value}"
                for key, value in response.getheaders()
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length"
            ]
            lines.append(f"Content-Length: {len(data)}")
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
        finally:
            conn.close()

    def _count(self, headers: dict[str, str]) -> None:
        target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
        action = target.rpartition(".")[2] or "other"
        with self._lock:
            self.counts[action] += 1


def _read_request(reader: BinaryIO) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request with a Content-Length body (botocore's kind); None at EOF."""
    line = reader.readline()
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
        key, _, value = header.decode("latin-1").partition(":")
        headers[key.strip()] = value.strip()
    length = next((int(v) for k, v in headers.items() if k.lower() == "content-length"), 0)
    return method, path, headers, reader.read(length) if length else b""


def _shutdown(sock: socket.socket, how: int) -> None:
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(how)
