"""The scripted walkthrough of ``ssm-config demo``.

An operator seeds a local SSM + KMS, a typed config loads it in one batched call, and a
running handler keeps serving while the operator changes values: each change is picked up
within its TTL, the database client reconnects when its URL changes, and a bad value is
rejected while the last good one keeps serving. With ``once``, refreshes are forced with
``ssm_refresh()`` so the whole story runs in a moment; otherwise the background refresher
picks the changes up, paced across ``duration`` seconds.
"""

from __future__ import annotations

import importlib
import json
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import HttpUrl, SecretStr

from .._declare import Param, SSMSettingsConfigDict
from .._errors import SSMConfigError
from .._settings import SSMSettings
from .._store import Changes
from ._server import LocalSSM
from ._show import Output, Write, capture_warnings, mask_secret, shown

KMS_ALIAS = "alias/demo-shared"
DB_URL = "/shared/mongodb/url"
API_URL = "/shared/relationship-api/url"
PREFIX = "/demo/orders"
PAGE_SIZE = f"{PREFIX}/page-size"
FLAGS = f"{PREFIX}/flags"

SEED = {
    DB_URL: "mongodb://orders:hunter2-d3mo@db-1.internal:27017/orders",
    API_URL: "https://relationship.internal/v1",
    FLAGS: '{"beta": false, "new-checkout": true}',
    PAGE_SIZE: "50",
}
ROTATED_DB_URL = "mongodb://orders:c0rrect-h0rse@db-2.internal:27017/orders"

HANDLER_PERIOD = 0.25
"""Seconds between the running handler's invocations (default mode)."""
FIX_DELAY = 1.5
"""Seconds between the rejected value and the operator's fix (default mode)."""
ONCE_WAIT = 10.0
"""Seconds ``--once`` waits at most for the effect of one step."""


class OrdersConfig(SSMSettings):
    """The demo's typed config: what an orders service reads from SSM."""

    model_config = SSMSettingsConfigDict(
        ssm_prefix=PREFIX,
        ssm_ttl=3,
        env_prefix="SSM_CONFIG_DEMO_",  # a stray PAGE_SIZE in the shell must not win
    )

    db_url: Annotated[SecretStr, Param(DB_URL, kms_key=KMS_ALIAS)]
    relationship_api: Annotated[HttpUrl, Param(API_URL)]
    page_size: Annotated[int, Param("page-size", ttl=2)] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}


class Database:
    """A stand-in database client: it only knows where it is connected."""

    def __init__(self, url: SecretStr) -> None:
        self.url = url
        self.host = urlsplit(url.get_secret_value()).hostname or "?"

    def query(self, limit: int) -> list[int]:
        return list(range(min(limit, 3)))


class _Watch:
    """What the refresher reported, for the story to wait on (no sleeps)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.changed: list[str] = []
        self.warnings: list[str] = []

    def on_change(self, changes: Changes) -> None:
        with self._cond:
            self.changed.extend(changes)
            self._cond.notify_all()

    def on_warning(self, message: str) -> None:
        with self._cond:
            self.warnings.append(message)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, max(0.0, timeout))


def run_demo(*, duration: float = 30.0, once: bool = False, write: Write | None = None) -> int:
    """Run the story against a fresh local SSM + KMS; return the exit code (0).

    Raises:
        DemoDependencyError: moto's server is not installed.
    """
    out = Output(write)
    local = LocalSSM().start()  # fails first, before any output, without the demo extra
    out.plain("ssm-config demo: typed config from SSM Parameter Store, hot-swapped while a")
    out.plain("handler keeps running. Everything stays on this machine: no AWS account.")
    out.plain()
    try:
        _Story(local, out, duration=duration, once=once).run()
    except KeyboardInterrupt:
        out.line("interrupted (Ctrl-C): stopping")
    finally:
        local.stop()
    out.line(f"local SSM + KMS at {local.endpoint_url} stopped")
    return 0


class _Story:
    """One run of the story: the operator's steps, the handler and what the demo prints."""

    def __init__(self, local: LocalSSM, out: Output, *, duration: float, once: bool) -> None:
        self.local = local
        self.out = out
        self.once = once
        self.duration = duration
        self.end = time.monotonic() + duration
        self.ssm = local.ssm_client()
        self.watch = _Watch()
        self.stop = threading.Event()
        self.config: OrdersConfig | None = None
        self.db: Database | None = None
        self.handler_thread: threading.Thread | None = None
        self.key_arn = ""

    # -- the story -----------------------------------------------------------------------

    def run(self) -> None:
        out = self.out
        out.line(f"local SSM + KMS (moto) listening on {self.local.endpoint_url}")
        self.seed()
        with capture_warnings(self._warned):
            config = self.config = self.load()
            try:
                self.wire(config)
                self.play(config)
            finally:
                self.stop.set()
                if self.handler_thread is not None:
                    self.handler_thread.join(HANDLER_PERIOD * 8)
                config.ssm_close()

    def seed(self) -> None:
        kms = self.local.kms_client()
        key = kms.create_key(Description="ssm-config demo: shared secrets")["KeyMetadata"]
        kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key["KeyId"])
        self.key_arn = key["Arn"]
        self.out.line(f"operator creates KMS key {KMS_ALIAS} ({key['KeyId']})")
        rows = []
        for name, value in SEED.items():
            secure = name == DB_URL
            self._put(name, value, secure=secure, overwrite=False)
            kind = f"SecureString ({KMS_ALIAS})" if secure else "String"
            rows.append(f"{name:<30} {kind:<31} {mask_secret(value) if secure else value}")
        self.out.line(f"operator seeds {len(SEED)} parameters:", *rows)

    def load(self) -> OrdersConfig:
        # pydantic's mypy plugin writes __init__ from the fields and misses _ssm_client
        config = OrdersConfig(_ssm_client=self.ssm)  # type: ignore[call-arg]
        calls = config.ssm_stats()["api_calls"]
        fields = [f"{f:<16} = {shown(getattr(config, f))}" for f in OrdersConfig.model_fields]
        self.out.line(
            f"config = OrdersConfig() loaded {len(fields)} fields in {calls} API "
            f"call{'s' if calls != 1 else ''} (GetParameters, SecureString decrypted)",
            *fields,
        )
        self.db = Database(config.db_url)
        self.out.line(f"db: connected to {mask_secret(config.db_url.get_secret_value())}")
        return config

    def wire(self, config: OrdersConfig) -> None:
        config.ssm_on_change(self._print_changes)
        config.ssm_on_change(self._reconnect, fields=["db_url"])
        config.ssm_on_change(self.watch.on_change)
        if self.once:
            self.out.line(f"handler -> {self.handle()}")
            return
        self.out.line(
            "a handler now runs every 0.25 s; TTLs: page_size 2 s, the others 3 s",
            "(a line appears when the handler's answer changes)",
        )
        self.handler_thread = threading.Thread(
            target=self._serve, name="ssm-config-demo-handler", daemon=True
        )
        self.handler_thread.start()

    def play(self, config: OrdersConfig) -> None:
        # (step, paced): a paced step waits for its slot in --duration; the fix follows
        # the bad value quickly, before the refresher's backoff grows long.
        steps: list[tuple[Callable[[], bool], bool]] = [
            (lambda: self._change("page_size", PAGE_SIZE, "100"), True),
            (lambda: self._change("flags", FLAGS, '{"beta": true, "new-checkout": true}'), True),
            (lambda: self._change("db_url", DB_URL, ROTATED_DB_URL, secure=True), True),
            (self._bad_value, True),
            (lambda: self._change("page_size", PAGE_SIZE, "25", note="the fix"), False),
        ]
        slots = sum(paced for _, paced in steps) + 2
        start, slot = time.monotonic(), 0
        for step, paced in steps:
            if paced:
                slot += 1
                self._pause_until(start + self.duration * slot / slots)
            else:
                self._pause_until(time.monotonic() + FIX_DELAY)
            if not step():
                self.out.line(f"time is up (--duration {self.duration:g}s): stopping early")
                return
        self._pause_until(start + self.duration * (slot + 1) / slots)
        self._policy()
        self._stats(config)
        if not self.once and self.end > time.monotonic():
            self.out.line("the handler keeps serving until --duration ends (Ctrl-C to stop)")
            self._pause_until(self.end)

    # -- steps -----------------------------------------------------------------------------

    def _change(
        self, field: str, name: str, value: str, *, secure: bool = False, note: str = ""
    ) -> bool:
        mark = len(self.watch.changed)
        self._publish(name, value, secure=secure, note=note)
        if not self._wait(lambda: field in self.watch.changed[mark:]):
            return False
        if self.once:
            self.out.line(f"handler -> {self.handle()}")
        return True

    def _bad_value(self) -> bool:
        mark = len(self.watch.warnings)
        self._publish(PAGE_SIZE, "lots", note="a bad value: not an integer")
        if not self._wait(lambda: any(PAGE_SIZE in w for w in self.watch.warnings[mark:])):
            return False
        assert self.config is not None
        self.out.line(
            f"handler still serves page_size = {self.config.page_size} (the last good value) "
            f"-> {self.handle()}"
        )
        return True

    def _policy(self) -> None:
        try:
            iam = importlib.import_module("ssm_config.iam")
        except ModuleNotFoundError as exc:
            if exc.name != "ssm_config.iam":
                raise
            self.out.line("IAM policy: skipped (ssm_config.iam is not in this build)")
            return
        local = self.local
        try:  # an alias cannot be an IAM resource: tell policy_for the key it names
            policy = iam.policy_for(
                OrdersConfig,
                region=local.region,
                account=local.account_id,
                kms_keys={KMS_ALIAS: self.key_arn},
            )
        except SSMConfigError as exc:
            self.out.line(f"IAM policy: could not be generated: {exc}")
            return
        self.out.line(
            "the least-privilege IAM policy OrdersConfig needs (ssm_config.iam.policy_for):",
            *json.dumps(policy, indent=2).splitlines(),
        )

    def _stats(self, config: OrdersConfig) -> None:
        stats = config.ssm_stats()
        rows = [
            f"{field:<16} {row['name']:<30} version {row['version']}, "
            f"{row['age']:.1f}s old, {row['failures']} failed refreshes"
            for field, row in stats["fields"].items()
        ]
        self.out.line(f"config.ssm_stats(): {stats['api_calls']} SSM API calls in all", *rows)

    # -- helpers -------------------------------------------------------------------------

    def handle(self) -> str:
        """The "Lambda handler": reads the config on every call."""
        config, db = self.config, self.db
        assert config is not None
        assert db is not None
        answer: dict[str, Any] = {
            "db": db.host,
            "rows": len(db.query(limit=config.page_size)),
            "limit": config.page_size,
            "beta": config.flags.get("beta", False),
        }
        return json.dumps(answer)

    def _serve(self) -> None:
        last, calls = "", 0
        while not self.stop.wait(HANDLER_PERIOD):
            calls += 1
            answer = self.handle()
            if answer != last:
                self.out.line(f"handler (call #{calls}) -> {answer}")
                last = answer

    def _publish(self, name: str, value: str, *, secure: bool = False, note: str = "") -> None:
        self._put(name, value, secure=secure, overwrite=True)
        what = mask_secret(value) if secure else value
        self.out.line(f"operator: put_parameter {name} = {what} (Overwrite){note and ' - '}{note}")
        if self.once:
            assert self.config is not None
            self.config.ssm_refresh()

    def _put(self, name: str, value: str, *, secure: bool, overwrite: bool) -> None:
        if secure:
            self.ssm.put_parameter(
                Name=name, Value=value, Type="SecureString", KeyId=KMS_ALIAS, Overwrite=overwrite
            )
        else:
            self.ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=overwrite)

    def _wait(self, predicate: Callable[[], bool]) -> bool:
        timeout = ONCE_WAIT if self.once else self.end - time.monotonic()
        return self.watch.wait(predicate, timeout)

    def _pause_until(self, when: float) -> None:
        if not self.once:
            self.stop.wait(max(0.0, when - time.monotonic()))

    def _print_changes(self, changes: Changes) -> None:
        for field, (old, new) in changes.items():
            self.out.line(f"changed  {field}: {shown(old)} -> {shown(new)}")

    def _reconnect(self, changes: Changes) -> None:
        old, new = changes["db_url"]
        self.db = Database(new)
        self.out.line(
            f"db: on_change reconnects: {mask_secret(old.get_secret_value())} closed, "
            f"connected to {mask_secret(new.get_secret_value())}"
        )

    def _warned(self, message: str) -> None:
        self.out.line("warning on the ssm_config logger:", *textwrap.wrap(message, 88))
        self.watch.on_warning(message)


__all__ = ["Database", "OrdersConfig", "run_demo"]
