"""A Lambda Runtime API of our own, driving AWS's real runtime client as Lambda does.

:class:`LambdaFunction` runs ``python -m awslambdaric module.handler`` (the runtime
interface client of the AWS Lambda Python images, with its native HTTP client) in a
subprocess pointed at a small threaded HTTP server on 127.0.0.1 that implements the
endpoints that client calls:

- ``GET /2018-06-01/runtime/invocation/next``, ``POST .../invocation/{id}/response`` and
  ``.../invocation/{id}/error``, ``POST /2018-06-01/runtime/init/error``;
- SnapStart's ``GET /2018-06-01/runtime/restore/next`` and
  ``POST /2018-06-01/runtime/restore/error``.

It freezes the function as Lambda does: when ``/next`` is pending and no event is queued,
the whole process group gets SIGSTOP (every thread stops, timers included, while the
clocks go on); SIGCONT comes just before the next event is delivered. With
``snapstart=True`` the client runs its before-snapshot hooks after init and calls
``/restore/next``; the process is frozen there (the snapshot). :meth:`LambdaFunction.restore`
thaws it and answers, so the client runs the after-restore hooks of ``snapshot_restore_py``
before its first ``/next``, within Lambda's 10 s restore limit. A real snapshot cannot be
taken here: the restored function is the same process, thawed later, with time gone by;
break its connections with :class:`~tests.lambda_runtime._faults.FaultProxy` to model the
sockets a snapshot carries.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ._api import FUNCTION_NAME, Event, RuntimeAPIServer

RESTORE_LIMIT = 10.0
"""Seconds Lambda gives the after-restore hooks together."""


class HarnessError(Exception):
    """The function did not behave as a Lambda function must (the message says how)."""


class FunctionError(HarnessError):
    """The handler raised: the error document the runtime client posted."""

    def __init__(self, document: Any) -> None:
        super().__init__(f"the handler failed: {document}")
        self.document = document


@dataclass(frozen=True)
class Invocation:
    """One completed invocation, timed by the Runtime API (as Lambda's Duration is)."""

    request_id: str
    result: Any
    delivered_at: float
    """``time.monotonic()`` when the event was handed to the function."""
    finished_at: float
    """``time.monotonic()`` when its response arrived."""

    @property
    def duration(self) -> float:
        """Seconds from the event's delivery to the response."""
        return self.finished_at - self.delivered_at


class LambdaFunction:
    """One execution environment: a Runtime API server and the runtime client it drives.

    Args:
        handler: ``module.function``, importable from ``task_root``.
        task_root: the function's code folder (``LAMBDA_TASK_ROOT``, and the working dir).
        env: variables added to the Lambda environment (``AWS_ENDPOINT_URL_SSM``, ...).
        snapstart: run the SnapStart init path (``AWS_LAMBDA_INITIALIZATION_TYPE``).
    """

    def __init__(
        self,
        handler: str,
        task_root: Path,
        env: dict[str, str] | None = None,
        *,
        snapstart: bool = False,
    ) -> None:
        self.handler = handler
        self.task_root = task_root
        self.snapstart = snapstart
        self.log_path = task_root / f"{handler.partition('.')[0]}.log"
        self.init_duration = 0.0
        self.restore_duration = 0.0
        self._restored_at = 0.0
        self._extra_env = dict(env or {})
        self._cond = threading.Condition()
        self._events: deque[Event] = deque()
        self._pending: dict[str, Event] = {}
        self._phase = "new"  # -> init -> (snapshot ->) idle <-> busy; or failed
        self._frozen = False
        self._stop_seen = False
        self._restore_answer = False
        self._failure: str | None = None
        self._exit_code: int | None = None
        self._closing = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._server = RuntimeAPIServer(self)
        self._serving = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="runtime-api", daemon=True
        )
        self._serving.start()

    # -- the tests' side ------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> LambdaFunction:
        """Run the init phase; return once the function is frozen waiting for work.

        With ``snapstart`` it returns frozen at the snapshot (call :meth:`restore`).
        """
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "awslambdaric", self.handler],
                cwd=self.task_root,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGSTOP reaches it all
            )
        threading.Thread(target=self._watch, name="runtime-watch", daemon=True).start()
        with self._cond:
            self._phase = "init"
            wanted = "snapshot" if self.snapstart else "idle"
            self._wait(lambda: self._phase == wanted and self._stop_seen, timeout, "init")
            self.init_duration = time.monotonic() - started
        return self

    def invoke(self, event: Any = None, timeout: float = 30.0) -> Invocation:
        """Deliver ``event`` (thawing the function) and wait for its response.

        Raises:
            FunctionError: the handler raised.
            HarnessError: the function died, or did not answer within ``timeout``.
        """
        pending = Event({} if event is None else event)
        with self._cond:
            if self._phase == "snapshot":
                raise HarnessError("the function is at its snapshot: restore() it first")
            self._pending[pending.request_id] = pending
            self._events.append(pending)
            self._thaw()
            self._cond.notify_all()
            self._wait(lambda: pending.outcome is not None, timeout, "the invocation")
        assert pending.outcome is not None
        kind, value = pending.outcome
        if kind == "error":
            raise FunctionError(value)
        return Invocation(pending.request_id, value, pending.delivered_at, pending.finished_at)

    def wait_frozen(self, timeout: float = 10.0) -> None:
        """Wait until the function, done with its work, asked for more and was frozen."""
        with self._cond:
            self._wait(
                lambda: self._phase in ("idle", "snapshot") and self._stop_seen,
                timeout,
                "the freeze",
            )

    def idle(self, seconds: float) -> None:
        """Let ``seconds`` go by with the function frozen, as between sparse invocations."""
        self.wait_frozen()
        time.sleep(seconds)  # the real wait is the point: clocks advance, the process does not

    def restore(self, timeout: float = RESTORE_LIMIT) -> float:
        """Resume from the snapshot: thaw, answer ``/restore/next``, await the first ``/next``.

        Returns the seconds the after-restore hooks took.

        Raises:
            HarnessError: a hook failed (``/restore/error``), or they took over ``timeout``.
        """
        with self._cond:
            if self._phase != "snapshot":
                raise HarnessError(f"restore() needs a function at its snapshot, not {self._phase}")
            self._restore_answer = True
            self._thaw()
            self._cond.notify_all()
            self._wait(lambda: self._phase == "idle", timeout, "the after-restore hooks")
            return self.restore_duration

    def state(self) -> str:
        """The kernel's one-letter state of the process (``T``: stopped)."""
        assert self._proc is not None
        stat = Path(f"/proc/{self._proc.pid}/stat").read_text()
        return stat.rpartition(")")[2].split()[0]

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def log(self) -> str:
        """What the function wrote to stdout and stderr (the runtime's log lines too)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """Kill the function and stop serving (idempotent)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            proc = self._proc
        if proc is not None and self._exit_code is None:
            _signal(proc.pid, signal.SIGKILL)
            with self._cond:
                self._cond.wait_for(lambda: self._exit_code is not None, timeout=10)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LambdaFunction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- freezing ---------------------------------------------------------------------------

    def _freeze(self) -> None:
        """SIGSTOP the process group and wait for the kernel to report it stopped."""
        assert self._proc is not None
        if self._frozen or self._exit_code is not None:
            return
        self._frozen, self._stop_seen = True, False
        _signal(self._proc.pid, signal.SIGSTOP)
        self._cond.wait_for(
            lambda: self._stop_seen or not self._frozen or self._exit_code is not None
        )

    def _wait_frozen_for_work(self) -> None:
        """Freeze if not frozen, else wait for a change; the caller re-checks for work.

        Freezing releases the condition while the kernel reports the stop, so work may
        have arrived meanwhile: the caller must look again before it waits.
        """
        if self._frozen:
            self._cond.wait()
        else:
            self._freeze()

    def _thaw(self) -> None:
        if self._frozen and self._proc is not None and self._exit_code is None:
            _signal(self._proc.pid, signal.SIGCONT)
        self._frozen = self._stop_seen = False

    def _watch(self) -> None:
        """The only waitpid() on the child: its stops, and its exit."""
        assert self._proc is not None
        while True:
            try:
                _, status = os.waitpid(self._proc.pid, os.WUNTRACED)
            except ChildProcessError:
                status = 0
            with self._cond:
                if os.WIFSTOPPED(status):
                    self._stop_seen = self._frozen
                else:
                    self._exit_code = self._proc.returncode = os.waitstatus_to_exitcode(status)
                self._cond.notify_all()
                if self._exit_code is not None:
                    return

    def _wait(self, done: Any, timeout: float, what: str) -> None:
        """Wait (holding the condition) until ``done()``; raise if the function fails first."""
        deadline = time.monotonic() + timeout
        while not done():
            if self._failure is not None:
                raise HarnessError(f"{self._failure}\n--- function log ---\n{self.log()}")
            if self._exit_code is not None:
                raise HarnessError(
                    f"the function exited ({self._exit_code}) during {what}\n"
                    f"--- function log ---\n{self.log()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessError(f"{what} took over {timeout} s\n--- log ---\n{self.log()}")
            self._cond.wait(remaining)

    def _environment(self) -> dict[str, str]:
        """The variables Lambda sets, AWS's defaults made local, then the test's own."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL") if key in os.environ}
        path = [str(self.task_root), *filter(None, [os.environ.get("PYTHONPATH")])]
        env.update(
            AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self._server.server_address[1]}",
            _HANDLER=self.handler,
            LAMBDA_TASK_ROOT=str(self.task_root),
            PYTHONPATH=os.pathsep.join(path),
            AWS_EXECUTION_ENV=f"AWS_Lambda_python{version}",
            AWS_LAMBDA_FUNCTION_NAME=FUNCTION_NAME,
            AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512",
            AWS_LAMBDA_LOG_GROUP_NAME=f"/aws/lambda/{FUNCTION_NAME}",
            AWS_LAMBDA_LOG_STREAM_NAME="harness",
            AWS_LAMBDA_INITIALIZATION_TYPE="snap-start" if self.snapstart else "on-demand",
            AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing",
            AWS_CONFIG_FILE=str(self.task_root / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.task_root / "no-aws-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
        )
        env.update(self._extra_env)
        return env

    # -- the runtime client's side (the Runtime API server calls these on its threads) -----

    def next_event(self) -> Event | None:
        """``/invocation/next``: the next event, once there is one (None: shutting down)."""
        with self._cond:
            if self._phase == "snapshot":
                self.restore_duration = time.monotonic() - self._restored_at
            self._phase = "idle"
            self._cond.notify_all()
            while not self._events and not self._closing:
                self._wait_frozen_for_work()
            if self._closing:
                return None
            pending = self._events.popleft()
            self._thaw()
            self._phase = "busy"
            pending.delivered_at = time.monotonic()
            return pending

    def finish(self, request_id: str, kind: str, body: bytes) -> bool:
        """``/invocation/{id}/response`` or ``/error``; False for an unknown request id."""
        finished = time.monotonic()
        with self._cond:
            pending = self._pending.pop(request_id, None)
            if pending is None:
                return False
            pending.finished_at = finished
            pending.outcome = (kind, json.loads(body) if body else None)
            self._cond.notify_all()
            return True

    def await_restore(self) -> bool:
        """``/restore/next``: frozen (the snapshot) until :meth:`restore` (False: shutdown)."""
        with self._cond:
            self._phase = "snapshot"
            self._cond.notify_all()
            while not self._restore_answer and not self._closing:
                self._wait_frozen_for_work()
            self._restored_at = time.monotonic()
            return not self._closing

    def fail(self, what: str, body: bytes) -> None:
        """``/init/error`` or ``/restore/error``: the next wait raises with ``body``."""
        with self._cond:
            self._failure = f"{what}: {body.decode(errors='replace')}"
            self._cond.notify_all()


def _signal(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just exited: the watcher reports it
        os.killpg(group, signum)


def write_function(folder: Path, source: str, module: str = "function") -> str:
    """Write ``source`` as ``folder/module.py``; return the handler name ``module.handler``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source)
    return f"{module}.handler"
