"""A long-running worker: a thread pool processing jobs while its config stays live.

The config loads once at start-up; the refresher thread re-fetches each key when its TTL
elapses, so an operator can pause the worker or change its batch size with
``ssm-config put /reports/prod/paused true --overwrite`` and the running worker follows
within the TTL, without a restart. Every job reads the config when it starts; a job that
needs several values to agree takes a snapshot with ``config.model_copy()``.

Run it against your AWS account (or any SSM endpoint, via ``AWS_ENDPOINT_URL``)::

    python examples/worker.py --seconds 60

SIGTERM or Ctrl-C stop it after the jobs in flight finish.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from pydantic import SecretStr

from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

log = logging.getLogger("worker")


class WorkerConfig(SSMSettings):
    """What the report worker reads from Parameter Store."""

    model_config = SSMSettingsConfigDict(ssm_prefix="/reports/prod", ssm_ttl=30)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url")]
    batch_size: Annotated[int, Param("batch-size")] = 100
    paused: Annotated[bool, Param("paused", ttl=10)] = False


def process(job: int, config: WorkerConfig) -> dict[str, Any]:
    """One job: render a report in batches (the rendering is left out)."""
    snapshot = config.model_copy()  # the values of this job never change under it
    return {"job": job, "batch_size": snapshot.batch_size}


def run(
    config: WorkerConfig,
    stop: threading.Event,
    *,
    workers: int = 4,
    period: float = 0.5,
    on_result: Callable[[dict[str, Any]], object] = lambda result: None,
) -> int:
    """Process jobs until ``stop`` is set; return how many were done.

    Args:
        config: the live config; read at the start of every job and every round.
        stop: set it (from a signal handler, another thread) to finish.
        workers: threads in the pool, and jobs per round.
        period: seconds between rounds, and between checks while paused.
        on_result: called with each finished job's result.
    """
    done = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-worker") as pool:
        while not stop.is_set():
            if config.paused:
                stop.wait(period)
                continue
            futures = [pool.submit(process, done + n, config) for n in range(workers)]
            for future in futures:
                on_result(future.result())
            done += len(futures)
            stop.wait(period)
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    config = WorkerConfig()
    config.ssm_on_change(lambda changes: log.info("config changed: %s", sorted(changes)))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.seconds is not None:
        timer = threading.Timer(args.seconds, stop.set)
        timer.daemon = True
        timer.start()
    try:
        done = run(config, stop, workers=args.workers, period=1.0, on_result=report)
    finally:
        config.ssm_close()
    log.info("stopped after %d jobs", done)
    return 0


def report(result: dict[str, Any]) -> None:
    log.info("job %(job)d done with batch size %(batch_size)d", result)


if __name__ == "__main__":
    raise SystemExit(main())
