"""``ssm-config demo --serve``: the embedded local SSM + KMS, kept running to try things on.

A newcomer can point the CLI and their own code at it with a few exported variables,
with no AWS account; everything stored is forgotten when it stops (Ctrl-C).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._server import DEFAULT_REGION, LocalSSM

KEY_ALIAS = "alias/local"
"""The customer-managed KMS key made ready at start, for SecureStrings under a named key."""


def serve(
    *,
    port: int = 0,
    region: str = DEFAULT_REGION,
    stop: threading.Event | None = None,
    out: Callable[[str], None] | None = None,
) -> int:
    """Serve until ``stop`` is set or Ctrl-C; return 0.

    Args:
        port: the port on 127.0.0.1; 0 takes any free one.
        region: the region to export (the server answers for any).
        stop: ends the serving when set (tests); by default only Ctrl-C does.
        out: where the instructions go, one line a call (default: standard output).
    """
    out = out or _print
    local = LocalSSM(region=region, port=port).start()
    try:
        kms = local.kms_client()
        key_id = kms.create_key(Description="ssm-config demo --serve")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
        # moto builds its SSM backend on first use, slowly enough that a first request with
        # short timeouts (the CLI's) would be retried, and a retried put says "exists".
        local.ssm_client().describe_parameters(MaxResults=1)
        for line in instructions(local):
            out(line)
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        local.stop()
    out("Stopped; everything stored in the local SSM is forgotten.")
    return 0


def _print(line: str) -> None:
    print(line, flush=True)  # at once: a pipe would otherwise hold it until the end


def instructions(local: LocalSSM) -> list[str]:
    """What to export and what to try, for a running ``local``."""
    return [
        f"A local SSM + KMS is running at {local.endpoint_url} (this machine only, no AWS "
        "account).",
        "In another shell, export these to use it from the CLI and your own code:",
        "",
        *(f"export {name}={value}" for name, value in local.env().items()),
        "",
        f"A KMS key is ready as {KEY_ALIAS}: ssm-config put /app/db-password - --type "
        f"SecureString --key-id {KEY_ALIAS}, or Param(..., kms_key={KEY_ALIAS!r}).",
        "Try: ssm-config put /app/greeting hello && ssm-config get /app/greeting",
        "Stop with Ctrl-C.",
    ]
