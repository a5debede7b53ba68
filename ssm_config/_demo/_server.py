"""``LocalSSM``: moto's SSM + KMS served from this process on 127.0.0.1, on a free port.

For the demo, the examples, tests and benchmarks: a real HTTP endpoint (so boto3 goes
through its whole request path, retries and timeouts included) that needs no AWS account
and is reachable from this machine only. Nothing here touches ``os.environ``: clients get
the endpoint, dummy credentials and the region explicitly, and :meth:`LocalSSM.env` gives
the variables for a subprocess to merge into its own environment.

moto keeps its state in process-wide backends, per account and region: every client of
this process that talks to moto (this server, another ``LocalSSM``, ``mock_aws``) shares
the state of one account. Pass a distinct ``account_id`` to keep a server's data apart; a
stopped server forgets its account's SSM and KMS data. moto is imported lazily, in
:meth:`LocalSSM.start`, so importing this module needs only boto3.
"""

from __future__ import annotations

import logging
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
from botocore.config import Config

from .._errors import SSMConfigError

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_ssm import SSMClient

HOST = "127.0.0.1"
"""The only address the server binds: never reachable from another machine."""
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
"""moto's default account: what any client without an account header sees."""
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"  # noqa: S105 - a dummy credential moto accepts
INSTALL_HINT = "pip install 'ssm-config[demo]'"
ACCOUNT_HEADER = "x-moto-account-id"
SERVICES = ("ssm", "kms")

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=2.0,
    read_timeout=10.0,
)


class DemoDependencyError(SSMConfigError):
    """moto's server (the ``demo`` extra) is not installed."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(
            f"the local SSM needs moto's server, which is not installed ({cause}); "
            f"run: {INSTALL_HINT}"
        )


class _QuietRequests(logging.Filter):
    """Drops werkzeug's per-request lines; its warnings and errors still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


class LocalSSM:
    """moto's SSM + KMS on ``127.0.0.1`` at a free port, served by a thread of this process.

    Use it as a context manager (or :meth:`start` / :meth:`stop`)::

        with LocalSSM() as local:
            ssm = local.ssm_client()
            ssm.put_parameter(Name="/app/page-size", Value="50", Type="String")
            config = AppConfig(_ssm_client=ssm)

    Args:
        region: the region of the clients it hands out (and of :meth:`env`).
        port: the port to listen on; 0 (the default) takes any free one.
        account_id: the moto account the clients act in. The default is moto's own, which
            any other client of the endpoint also sees (a subprocess given :meth:`env`);
            another value keeps this server's data apart from other users of moto in the
            process (only clients from :meth:`client` carry it).

    Raises:
        DemoDependencyError: from :meth:`start`, when moto's server is not installed.
    """

    def __init__(
        self, *, region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT_ID, port: int = 0
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.requested_port = port
        self._server: Any = None
        self._session: boto3.session.Session | None = None  # shared: its loaders are cached
        self._address: tuple[str, int] | None = None
        self._lock = threading.Lock()
        self._quiet = _QuietRequests()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> LocalSSM:
        """Start serving (idempotent); return ``self``."""
        with self._lock:
            if self._server is not None:
                return self
            try:
                from moto.server import ThreadedMotoServer  # noqa: PLC0415 - optional extra
            except ImportError as exc:
                raise DemoDependencyError(exc) from exc
            if self.requested_port:
                _check_free(self.requested_port)  # moto's server would wait forever on it
            logging.getLogger("werkzeug").addFilter(self._quiet)
            server = ThreadedMotoServer(ip_address=HOST, port=self.requested_port, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            self._server, self._address = server, (host, port)
            return self

    def stop(self) -> None:
        """Stop serving, close the socket and forget this account's SSM and KMS data.

        Idempotent; the port is free again when it returns.
        """
        with self._lock:
            server, self._server = self._server, None
            if server is None:
                return
            try:
                server.stop()
            finally:
                self._forget_state()
                logging.getLogger("werkzeug").removeFilter(self._quiet)

    def __enter__(self) -> LocalSSM:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- where it is ---------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` the server listens on (kept after :meth:`stop`, for checks)."""
        if self._address is None:
            raise RuntimeError("LocalSSM has not been started")
        return self._address

    @property
    def host(self) -> str:
        return self.address[0]

    @property
    def port(self) -> int:
        return self.address[1]

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:PORT``: the endpoint of both SSM and KMS."""
        host, port = self.address
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point a subprocess's AWS SDK or CLI at this server.

        Merge them into a copy of the environment (``{**os.environ, **local.env()}``); they
        carry the default account only (see the class docstring).
        """
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }

    # -- clients -------------------------------------------------------------------------

    @overload
    def client(self, service: Literal["ssm"]) -> SSMClient: ...
    @overload
    def client(self, service: Literal["kms"]) -> KMSClient: ...
    @overload
    def client(self, service: str) -> Any: ...
    def client(self, service: str) -> Any:
        """A new boto3 client for ``service`` pointed at this server, with dummy credentials.

        Only the endpoint, credentials, region and account are this server's; each call
        builds a new client (boto3 clients are thread-safe; share one per thread pool).
        """
        with self._lock:  # a boto3 session is not safe to build clients from concurrently
            if self._session is None:
                self._session = boto3.session.Session(
                    aws_access_key_id=ACCESS_KEY_ID,
                    aws_secret_access_key=SECRET_ACCESS_KEY,
                    region_name=self.region,
                )
            client = self._session.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint_url,
                config=CLIENT_CONFIG,
            )
        if self.account_id != DEFAULT_ACCOUNT_ID:
            account = self.account_id

            def add_account(request: Any, **_: Any) -> None:
                request.headers[ACCOUNT_HEADER] = account

            client.meta.events.register("before-send", add_account)
        return client

    def ssm_client(self) -> SSMClient:
        """A new SSM client for this server."""
        return self.client("ssm")

    def kms_client(self) -> KMSClient:
        """A new KMS client for this server."""
        return self.client("kms")

    # -- state ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every parameter and key of this server's account (in every region)."""
        self._forget_state()

    def _forget_state(self) -> None:
        try:
            from moto.kms.models import kms_backends  # noqa: PLC0415 - optional extra
            from moto.ssm.models import ssm_backends  # noqa: PLC0415
        except ImportError:  # never started: nothing to forget
            return
        for backends in (ssm_backends, kms_backends):
            account = dict.get(backends, self.account_id)
            if account is not None:
                account.reset()

    def __repr__(self) -> str:
        where = self.endpoint_url if self._address else "not started"
        state = "running" if self.running else "stopped"
        return f"<LocalSSM {where} {state} region={self.region} account={self.account_id}>"


def _check_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise SSMConfigError(
                f"port {port} on {HOST} is not free ({exc.strerror}); choose another, "
                "or 0 for any free port"
            ) from exc


__all__ = ["DemoDependencyError", "LocalSSM"]
