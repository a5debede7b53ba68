"""The three libraries behind one small interface, each used the way its docs recommend.

Every adapter loads the same parameters with the library's best batching API and reads
them the way a handler would:

* ``ssm_config``: one ``SSMSettings`` class with a field per parameter; a read is an
  attribute read; a background thread refreshes.
* Powertools: ``parameters.get_parameters_by_name(..., decrypt=True)`` (GetParameters,
  10 names a call; with ``decrypt=True`` for all, no per-name GetParameter fallback); a
  read calls it again and the cache answers until ``max_age`` elapses, when the reader
  re-fetches what expired. The warm-read row uses ``parameters.get_parameter``.
* ssm-cache: one ``SSMParameterGroup`` holding a ``SSMParameter`` per name (GetParameters,
  10 names a call); a read is ``param.value``, which refreshes the group when it expired.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated, Any, Protocol

from pydantic import SecretStr, create_model

NAMES_PREFIX = "/bench/app"


def names(count: int) -> list[str]:
    return [f"{NAMES_PREFIX}/p{i:02d}" for i in range(count)]


def field_of(name: str) -> str:
    return name.rpartition("/")[2]


class Library(Protocol):
    """What the benchmark does with each library."""

    label: str

    def load(self) -> None:
        """Cold load of every parameter (the library's caches start empty)."""

    def read(self, index: int) -> object:
        """One read of parameter ``index`` as a handler would do it, after ``load``."""

    def warm_read(self) -> tuple[str, dict[str, Any]]:
        """A ``timeit`` statement and its globals: one cached read of one parameter."""

    def close(self) -> None:
        """Stop background work and forget cached values."""


class SSMConfigLib:
    """``ssm_config.SSMSettings`` with one field per parameter."""

    label = "ssm_config"

    def __init__(self, client: Any, all_names: Sequence[str], secure: set[str], ttl: float) -> None:
        from ssm_config import Param, SSMSettings, SSMSettingsConfigDict

        def settings_class(**config: Any) -> Any:
            base = type(
                "BenchBase",
                (SSMSettings,),
                {"model_config": SSMSettingsConfigDict(ssm_prefix=NAMES_PREFIX, **config)},
            )
            fields: dict[str, Any] = {
                field_of(n): (Annotated[SecretStr if n in secure else str, Param(field_of(n))], ...)
                for n in all_names
            }
            return create_model("BenchConfig", __base__=base, **fields)

        self.settings_class = settings_class
        self.cls = settings_class(ssm_ttl=ttl)
        self.client = client
        self.fields = [field_of(n) for n in all_names]
        self.config: Any = None

    def load(self) -> None:
        self.close()
        self.config = self.cls(_ssm_client=self.client)

    def read(self, index: int) -> object:
        return getattr(self.config, self.fields[index])

    def warm_read(self) -> tuple[str, dict[str, Any]]:
        return f"c.{self.fields[0]}", {"c": self.config}

    def simulated_calls_per_cycle(self, ttl: float, cycles: int) -> float:
        """API calls per TTL period of ssm_config's refresher at ``ttl``, fast-forwarded.

        A real 60 s TTL cannot be watched for an hour here, and a scaled-down TTL hides
        what the per-key jitter (a few percent of the TTL) does to batching. So this runs
        the refresher's own step, ``REFRESHER.refresh_due``, in a loop on a clock that skips each
        sleep the refresher would take: fetches still go through the proxy and take real
        time; only the waits between them vanish. It reaches into ssm_config's private
        store (the step the refresher thread runs), which is why it lives in a benchmark.
        """
        from ssm_config._refresh import REFRESHER

        skipped = [0.0]

        def clock() -> float:
            return time.monotonic() + skipped[0]

        cls = self.settings_class(ssm_ttl=ttl, ssm_refresh="off")  # we are the refresher
        config = cls(_ssm_client=self.client, _ssm_clock=clock)
        store = config._ssm_live.store
        start = config.ssm_stats()["api_calls"]
        end = clock() + cycles * ttl
        for _ in range(cycles * len(self.fields) * 4):  # bounded: at most 4 rounds a key a cycle
            if clock() >= end:
                break
            REFRESHER.refresh_due([store], timeout=60.0)
            if store.earliest is None:
                break
            delay = max(0.0, store.earliest - clock())
            skipped[0] += min(delay, max(0.0, end - clock()))
        return float(config.ssm_stats()["api_calls"] - start) / cycles

    def close(self) -> None:
        if self.config is not None:
            self.config.ssm_close()
            self.config = None


class PowertoolsLib:
    """aws-lambda-powertools' Parameters utility, default provider bound to our client."""

    label = "powertools"

    def __init__(self, client: Any, all_names: Sequence[str], secure: set[str], ttl: float) -> None:
        from aws_lambda_powertools.utilities import parameters
        from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

        self.parameters = parameters
        self.provider = parameters.SSMProvider(boto3_client=client)
        DEFAULT_PROVIDERS["ssm"] = self.provider  # what parameters.get_parameter*() use
        self.names = list(all_names)
        self.ttl = ttl
        self.request: dict[str, dict[str, Any]] = {n: {} for n in self.names}

    def load(self) -> None:
        self.provider.clear_cache()
        self.values = self.parameters.get_parameters_by_name(
            self.request, decrypt=True, max_age=self.ttl
        )

    def read(self, index: int) -> object:
        values = self.parameters.get_parameters_by_name(
            self.request, decrypt=True, max_age=self.ttl
        )
        return values[self.names[index]]

    def warm_read(self) -> tuple[str, dict[str, Any]]:
        # get_parameter caches under (name, transform, False), get_parameters_by_name under
        # (name, transform): the first get_parameter fetches again; warm_read_ns primes it.
        stmt = "get(name, max_age=ttl, decrypt=True)"
        scope = {"get": self.parameters.get_parameter, "name": self.names[0], "ttl": self.ttl}
        return stmt, scope

    def close(self) -> None:
        self.provider.clear_cache()


class SSMCacheLib:
    """ssm-cache's ``SSMParameterGroup``: one group, one ``SSMParameter`` per name."""

    label = "ssm-cache"

    def __init__(self, client: Any, all_names: Sequence[str], secure: set[str], ttl: float) -> None:
        from ssm_cache import SSMParameter, SSMParameterGroup

        # set_ssm_client stores the client on the class it is called on; the group and the
        # parameter classes each look up their own.
        SSMParameterGroup.set_ssm_client(client)
        SSMParameter.set_ssm_client(client)
        self.group_cls = SSMParameterGroup
        self.names = list(all_names)
        self.ttl = ttl
        self.params: list[Any] = []

    def load(self) -> None:
        group = self.group_cls(max_age=self.ttl)  # type: ignore[arg-type] # float seconds work
        self.params = [group.parameter(n) for n in self.names]
        self.params[0].value  # noqa: B018 - the first read loads the whole group

    def read(self, index: int) -> object:
        return self.params[index].value

    def warm_read(self) -> tuple[str, dict[str, Any]]:
        return "p.value", {"p": self.params[0]}

    def close(self) -> None:
        self.params = []


LIBRARIES = (SSMConfigLib, PowertoolsLib, SSMCacheLib)


def plain_read() -> tuple[str, dict[str, Any]]:
    """The baseline: a plain attribute of a plain object."""

    class Plain:
        def __init__(self) -> None:
            self.p00 = "value"

    return "o.p00", {"o": Plain()}


def pydantic_read() -> tuple[str, dict[str, Any]]:
    """A second baseline: a field of a plain pydantic model (no ssm_config involved).

    ``BaseModel`` defines ``__getattr__``, which keeps CPython from specialising attribute
    reads; this row shows how much of the gap to a plain object is pydantic's.
    """
    from pydantic import BaseModel

    class Model(BaseModel):
        p00: str = "value"

    return "o.p00", {"o": Model()}


def unwrap(value: object) -> object:
    """A read's text: SecretStr unwrapped, ssm-cache's StringList left alone."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value
