"""Lambda cold start: a whole fresh process that imports a library and loads 10 parameters.

One command, one table::

    python benchmarks/cold_start.py [--runs 9]

What a cold start pays before the first invocation is the interpreter, the library's
imports, the client and the first load, so each contender is timed as a whole process,
from spawn to exit, by the parent (``os.wait4``, which also gives the child's peak RSS).
The same 10 parameters (2 SecureString) are served by moto's server in a process of its
own on 127.0.0.1, with no added latency; each child reaches it through
``AWS_ENDPOINT_URL_SSM`` and builds its library's default client from the environment,
as a Lambda function would. Contenders run alternately, the order rotating each round,
after one unmeasured warm-up round (which fills the page cache); the table shows the
median of ``--runs`` rounds and the largest peak RSS.

* ``ssm_config``: ``import ssm_config``, a 10-field ``SSMSettings`` class, one instance.
* ``powertools``: ``parameters.get_parameters_by_name`` of the 10 names, ``decrypt=True``.
* ``pydantic-settings``: its own ``AWSSystemsManagerSettingsSource`` (GetParametersByPath
  under the common path) feeding a 10-field ``BaseSettings`` class.
* ``floor``: what any library built on pydantic-settings and botocore pays before its own
  code runs: both imports, one botocore client, one GetParameters call, no validation.
* ``python -c pass``: the interpreter alone, the floor under every row.

Every child checks the values it got and exits non-zero if one is wrong.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run as a script: make the sibling modules importable

from _scenarios import Server, make_client  # noqa: E402

PREFIX = "/bench/cold"
FIELDS = tuple(f"p{i:02d}" for i in range(10))
SECURE = frozenset({"p00", "p01"})
BASELINE = "powertools"


def value_of(field: str) -> str:
    return f"value-of-{field}"


_CHECK = "assert all(v == f'value-of-{k}' for k, v in got.items()) and len(got) == 10, sorted(got)"
_FIELDS = "".join(f"    {f}: {'SecretStr' if f in SECURE else 'str'}\n" for f in FIELDS)
_UNWRAP = (
    "got = {k: v.get_secret_value() if hasattr(v, 'get_secret_value') else v "
    "for k, v in c.model_dump().items()}\n"
)

CHILDREN: dict[str, str] = {
    "ssm_config": (
        "from pydantic import SecretStr\n"
        "import ssm_config\n"
        "class Config(ssm_config.SSMSettings):\n"
        f"    model_config = ssm_config.SSMSettingsConfigDict(ssm_prefix={PREFIX!r})\n"
        f"{_FIELDS}"
        "c = Config()\n"
        f"{_UNWRAP}{_CHECK}\n"
    ),
    "powertools": (
        "from aws_lambda_powertools.utilities import parameters\n"
        f"names = [{PREFIX!r} + '/' + f for f in {FIELDS!r}]\n"
        "values = parameters.get_parameters_by_name({n: {} for n in names}, decrypt=True)\n"
        "got = {n.rpartition('/')[2]: v for n, v in values.items()}\n"
        f"{_CHECK}\n"
    ),
    "pydantic-settings": (
        "from pydantic import SecretStr\n"
        "from pydantic_settings import AWSSystemsManagerSettingsSource, BaseSettings\n"
        "class Config(BaseSettings):\n"
        f"{_FIELDS}"
        "    @classmethod\n"
        "    def settings_customise_sources(cls, settings_cls, *args, **kwargs):\n"
        f"        return (AWSSystemsManagerSettingsSource(settings_cls, ssm_path={PREFIX!r}),)\n"
        "c = Config()\n"
        f"{_UNWRAP}{_CHECK}\n"
    ),
    "floor": (
        "import pydantic_settings\n"
        "import botocore.session\n"
        "client = botocore.session.Session().create_client('ssm')\n"
        f"names = [{PREFIX!r} + '/' + f for f in {FIELDS!r}]\n"
        "answer = client.get_parameters(Names=names, WithDecryption=True)\n"
        "got = {p['Name'].rpartition('/')[2]: p['Value'] for p in answer['Parameters']}\n"
        f"{_CHECK}\n"
    ),
    "python -c pass": "pass\n",
}
DISTRIBUTIONS = {
    "ssm_config": "ssm-config",
    "powertools": "aws-lambda-powertools",
    "pydantic-settings": "pydantic-settings",
}


@dataclass(frozen=True, slots=True)
class Sample:
    """One whole process: seconds from spawn to ready and to exit, CPU seconds to ready,
    peak RSS in bytes."""

    ready: float
    exit: float
    cpu: float
    peak_rss: int


_READY = (
    "import sys as _sys, time as _time\n"
    "_cpu = _time.process_time()\n"
    "try:\n"
    "    with open('/proc/self/status') as _f:\n"
    "        _hwm = next(int(l.split()[1]) for l in _f if l.startswith('VmHWM:'))\n"
    "except (OSError, StopIteration):\n"
    "    _hwm = 0\n"
    "_sys.stdout.write(f'ready {_hwm} {_cpu}\\n')\n"
    "_sys.stdout.flush()\n"
)
"""The last lines of every child: "ready", the peak RSS so far in KiB and the CPU seconds.

The peak is read in the child because ``wait4``'s ``ru_maxrss`` would report the parent's
RSS: on Linux a child's peak carries over from before ``execve``, and the child starts as
a (v)fork of this process.
"""


def child_env(endpoint: str) -> dict[str, str]:
    """The parent's environment without AWS or Python settings, plus moto's endpoint."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PYTHON", "POWERTOOLS_")) or k == "PYTHONPATH"
    }
    env.update(
        AWS_ENDPOINT_URL_SSM=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's dummy credentials
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run_once(code: str, env: dict[str, str]) -> Sample:
    """Spawn ``python -c code``; time it to its "ready" line and to its exit."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", code + _READY], env=env, stdout=subprocess.PIPE, stderr=errors
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        ready = time.perf_counter() - start
        proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        ended = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0 or not line.startswith(b"ready "):
            errors.seek(0)
            raise RuntimeError(f"a child failed ({proc.returncode}):\n{errors.read().decode()}")
    _, hwm, cpu = line.split()
    peak_kib = int(hwm) or usage.ru_maxrss  # ru_maxrss: KiB on Linux
    return Sample(ready=ready, exit=ended, cpu=float(cpu), peak_rss=peak_kib * 1024)


def seed(endpoint: str) -> None:
    client = make_client(endpoint)
    for field in FIELDS:
        kind = "SecureString" if field in SECURE else "String"
        client.put_parameter(
            Name=f"{PREFIX}/{field}", Value=value_of(field), Type=kind, Overwrite=True
        )


def measure(labels: list[str], runs: int, env: dict[str, str]) -> dict[str, list[Sample]]:
    """Every label once per round, the order rotating; the first round is not kept."""
    samples: dict[str, list[Sample]] = {label: [] for label in labels}
    for round_no in range(runs + 1):
        shift = round_no % len(labels)
        for label in labels[shift:] + labels[:shift]:
            sample = run_once(CHILDREN[label], env)
            if round_no:
                samples[label].append(sample)
    return samples


def render(samples: dict[str, list[Sample]], runs: int) -> str:
    """The table: medians of ready and exit times, their ratios to the baseline, peak RSS."""
    base = samples[BASELINE]
    base_ready = statistics.median(s.ready for s in base)
    base_exit = statistics.median(s.exit for s in base)
    base_cpu = statistics.median(s.cpu for s in base)
    base_rss = max(s.peak_rss for s in base)
    head = (
        "process",
        "ready ms",
        "min-max",
        f"x {BASELINE}",
        "exit ms",
        f"x {BASELINE}",
        "CPU ms",
        f"x {BASELINE}",
        "peak RSS MiB",
        "delta MiB",
    )
    rows = [head]
    for label, got in samples.items():
        ready = [s.ready for s in got]
        ended = statistics.median(s.exit for s in got)
        cpu = statistics.median(s.cpu for s in got)
        rss = max(s.peak_rss for s in got)
        rows.append(
            (
                label,
                f"{statistics.median(ready) * 1000:.0f}",
                f"{min(ready) * 1000:.0f}-{max(ready) * 1000:.0f}",
                f"{statistics.median(ready) / base_ready:.2f}",
                f"{ended * 1000:.0f}",
                f"{ended / base_exit:.2f}",
                f"{cpu * 1000:.0f}",
                f"{cpu / base_cpu:.2f}",
                f"{rss / 2**20:.1f}",
                f"{(rss - base_rss) / 2**20:+.1f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    packages = (*DISTRIBUTIONS.values(), "boto3", "pydantic")
    versions = ", ".join(f"{d} {version(d)}" for d in packages)
    return "\n".join(
        [
            f"Cold start: whole processes, median of {runs} alternating runs, peak RSS the max",
            f"Python {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} CPUs; {versions}",
            f"{len(FIELDS)} parameters ({len(SECURE)} SecureString) from moto on 127.0.0.1, "
            "no added latency",
            "ready: spawn to values loaded (a Lambda's init); exit: spawn to process end; "
            "CPU: the child's CPU time to ready (steadier than wall time on a busy machine)",
            "",
            *lines,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured rounds (default 9)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(CHILDREN),
        help=f"contenders to run ({BASELINE} is always included)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    labels = list(CHILDREN)
    if args.only:
        labels = [label for label in labels if label in args.only or label == BASELINE]
    missing = {label: why for label in labels if (why := unavailable(label))}
    if BASELINE in missing:
        parser.error(f"{BASELINE}: {missing[BASELINE]}")
    labels = [label for label in labels if label not in missing]
    server = Server(0.0)
    try:
        seed(server.moto_url)
        samples = measure(labels, args.runs, child_env(server.moto_url))
    finally:
        server.close()
    print(render(samples, args.runs))
    for label, why in missing.items():
        print(f"{label}: not run, {why}")
    return 0


def unavailable(label: str) -> str | None:
    """Why a contender cannot run in this environment, or None."""
    if label == "powertools" and importlib.util.find_spec("aws_lambda_powertools") is None:
        return "aws-lambda-powertools is not installed"
    if label == "pydantic-settings":
        import pydantic_settings

        if not hasattr(pydantic_settings, "AWSSystemsManagerSettingsSource"):
            return f"pydantic-settings {version('pydantic-settings')} has no SSM source"
    return None


if __name__ == "__main__":
    raise SystemExit(main())
