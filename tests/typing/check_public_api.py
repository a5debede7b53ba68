"""Typing checks of the public API: checked by ``mypy --strict`` (pydantic plugin on), never run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import SecretStr
from typing_extensions import assert_type

from ssm_config import (
    ConfigError,
    Param,
    SSMSettings,
    SSMSettingsConfigDict,
    get_parameter,
    get_parameters_by_path,
)
from ssm_config.iam import policy_for
from ssm_config.testing import FakeClock, refresh_due


class Orders(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}


def check_reads(config: Orders) -> None:
    assert_type(config.page_size, int)
    assert_type(config.db_url, SecretStr)
    assert_type(config.model_copy(), Orders)
    assert_type(config.ssm_refresh(), list[str])
    assert_type(config.ssm_stats()["api_calls"], int)
    assert_type(config.ssm_stats()["fields"]["page_size"]["age"], float)
    config.ssm_close()


def check_callbacks(config: Orders) -> None:
    def plain(changes: dict[str, tuple[Any, Any]]) -> None: ...

    returned: Callable[[dict[str, tuple[Any, Any]]], None] = config.ssm_on_change(plain)

    @config.ssm_on_change
    def decorated(changes: dict[str, tuple[Any, Any]]) -> None: ...

    @config.ssm_on_change(fields=["db_url"])
    def only_db(changes: dict[str, tuple[Any, Any]]) -> None: ...

    # The decorators give the function back with its signature (not Any): misuse is caught.
    decorated(1)  # type: ignore[arg-type]
    only_db("x")  # type: ignore[arg-type]
    del returned


def check_construction(client: Any) -> None:
    clock = FakeClock()
    # The pydantic mypy plugin builds __init__ from the fields plus BaseSettings' own
    # underscore arguments, so it does not know ours: users of the plugin need this ignore.
    config = Orders(_ssm_client=client, _ssm_clock=clock)  # type: ignore[call-arg]
    refresh_due(config)
    try:
        Orders(db_url="mongodb://localhost", page_size=1, flags={})
    except ConfigError as error:
        assert_type(error.problems[0].ssm_name, str)


def check_adhoc_and_iam() -> None:
    assert_type(get_parameter("/a/b", ttl=60), str)
    assert_type(get_parameters_by_path("/a", recursive=False), dict[str, str])
    assert_type(policy_for(Orders, region="eu-west-1"), dict[str, Any])
