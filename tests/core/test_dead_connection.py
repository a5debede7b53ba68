"""A connection that died (a Lambda thaw, a NAT timeout) cannot hang the refresher."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from ssm_config import SSMSettings, SSMSettingsConfigDict
from ssm_config._client import make_client

pytestmark = pytest.mark.server


class BlackHoleProxy:
    """A TCP proxy on 127.0.0.1 to ``upstream``; once ``hang()`` is called it accepts and
    reads requests but never answers, as a peer that vanished while the process was frozen."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.hanging = threading.Event()
        self.closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def hang(self) -> None:
        self.hanging.set()

    def close(self) -> None:
        self.closed.set()
        self._thread.join(5)
        self._listener.close()
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._sockets.append(conn)
            if self.hanging.is_set():
                continue  # answer nothing, close nothing
            upstream = socket.create_connection(self.upstream)
            self._sockets.append(upstream)
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self.hanging.is_set() and (data := src.recv(65536)):
                dst.sendall(data)
        except OSError:
            pass
        # After hang(), kept connections go silent too: the client's next request on its
        # pooled keep-alive socket is never answered, exactly like a dead peer.


class Svc(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/svc", ssm_ttl=60)
    colour: str


@pytest.fixture
def proxy(moto_endpoint: str, local_ssm: Any) -> Iterator[tuple[BlackHoleProxy, Any]]:
    """A black-hole proxy in front of the shared moto server, and a client straight to it."""
    writer = boto3.client("ssm", region_name="us-east-1", endpoint_url=moto_endpoint)
    box = BlackHoleProxy(local_ssm.address)
    try:
        yield box, writer
    finally:
        box.close()


def test_dead_peer_times_out_and_keeps_the_last_good_value(
    proxy: tuple[BlackHoleProxy, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With ssm_config's own client settings a silent peer fails the refresh in seconds."""
    box, writer = proxy
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # one read timeout is enough to show it
    writer.put_parameter(Name="/svc/colour", Value="red", Type="String")
    client = make_client("ssm", endpoint_url=f"http://127.0.0.1:{box.port}")
    config = Svc(_ssm_client=client)
    try:
        box.hang()
        writer.put_parameter(Name="/svc/colour", Value="blue", Type="String", Overwrite=True)
        done = threading.Event()
        result: list[list[str]] = []

        def refresh() -> None:
            result.append(config.ssm_refresh())
            done.set()

        with caplog.at_level(logging.WARNING, logger="ssm_config"):
            threading.Thread(target=refresh, daemon=True).start()
            # botocore's read timeout is 3 s; a hang would run into the minutes.
            assert done.wait(30), "the refresh hung on a dead connection"
        assert result == [[]]
        assert config.colour == "red"
        assert "SSM unreachable" in caplog.text
        assert config.ssm_stats()["fields"]["colour"]["failures"] == 1
    finally:
        config.ssm_close()
        client.close()
