"""The files in ``examples/`` run for real against the embedded local SSM + KMS.

Each example builds its config the way it would in Lambda or on a server: from the
standard AWS environment, here pointed at ``LocalSSM`` for the duration of a test.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from ssm_config import ConfigError, SSMSettingsConfigDict
from ssm_config._client import reset_default_clients
from ssm_config._demo import LocalSSM
from ssm_config.testing import offline

from .._demo_support import EXAMPLES, load_example, wait_for

pytestmark = pytest.mark.server  # the embedded local SSM is moto's HTTP server

SHARED_DB_URL = "/shared/mongodb/url"


@pytest.fixture
def local(local_ssm: LocalSSM, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSSM]:
    """The standard AWS environment pointed at an empty local SSM; default clients rebuilt."""
    server = local_ssm
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    server.reset()
    reset_default_clients()
    yield server
    reset_default_clients()


@pytest.fixture
def modules() -> Iterator[list[ModuleType]]:
    """Example modules a test loads; their live configs are closed and forgotten afterwards."""
    loaded: list[ModuleType] = []
    yield loaded
    for module in loaded:
        config = getattr(module, "config", None)
        if config is not None:
            config.ssm_close()
        sys.modules.pop(module.__name__, None)


def put(local: LocalSSM, name: str, value: str, *, secure: bool = False, key: str = "") -> None:
    """Write a parameter the way an operator would (overwriting)."""
    ssm = local.ssm_client()
    if secure:
        extra: dict[str, Any] = {"KeyId": key} if key else {}
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True, **extra)
    else:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


# -- examples/lambda_handler.py -----------------------------------------------------------


def seed_orders(local: LocalSSM) -> None:
    put(local, SHARED_DB_URL, "mongodb://app:pw-1@db-1.internal/orders", secure=True)
    put(local, "/shared/relationship-api/url", "https://relationship.internal/v1")
    put(local, "/orders/prod/page-size", "20")
    put(local, "/orders/prod/flags", '{"beta": true}')


def test_lambda_handler_returns_values_from_ssm(local: LocalSSM, modules: list[ModuleType]) -> None:
    """The handler answers with the values seeded in SSM, loaded at import in one call."""
    seed_orders(local)
    module = load_example("lambda_handler.py", "example_lambda_handler")
    modules.append(module)
    assert module.config.ssm_stats()["api_calls"] == 1
    answer = module.handler({}, None)
    assert answer["page_size"] == 20
    assert answer["beta"] is True
    assert answer["relationship_api"] == "https://relationship.internal/v1"
    assert answer["orders"][0]["db"] == "db-1.internal"


def test_lambda_handler_rebuilds_the_db_client_when_the_url_changes(
    local: LocalSSM, modules: list[ModuleType]
) -> None:
    """After the shared URL changes and a refresh, the handler uses a new client; the old
    one is closed."""
    seed_orders(local)
    module = load_example("lambda_handler.py", "example_lambda_handler")
    modules.append(module)
    old_db = module.database()
    put(local, SHARED_DB_URL, "mongodb://app:pw-2@db-2.internal/orders", secure=True)
    assert module.config.ssm_refresh() == ["db_url"]
    assert module.database() is not old_db
    assert old_db.closed
    assert module.handler({}, None)["orders"][0]["db"] == "db-2.internal"


def test_lambda_handler_cold_start_names_missing_parameters(
    local: LocalSSM, modules: list[ModuleType]
) -> None:
    """Without its required parameters the module fails at import with one ConfigError."""
    with pytest.raises(ConfigError, match="/shared/mongodb/url") as raised:
        load_example("lambda_handler.py", "example_lambda_handler")
    assert "/shared/relationship-api/url" in str(raised.value)


@pytest.mark.parametrize(
    "relative", ["lambda_handler.py", "orders/app.py", "billing/app.py", "worker.py"]
)
def test_examples_import_offline_without_aws(
    relative: str, monkeypatch: pytest.MonkeyPatch, modules: list[ModuleType]
) -> None:
    """Each example imports under ``offline()`` with no AWS endpoint at all, as
    ``ssm-config policy`` imports it: module-level code needs no values."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    reset_default_clients()
    try:
        with offline():
            module = load_example(relative, "example_offline")
        modules.append(module)
        config = getattr(module, "config", None)  # the worker builds its config in main()
        assert config is None or config.ssm_stats()["api_calls"] == 0
    finally:
        reset_default_clients()


# -- examples/template.yaml and its two functions -----------------------------------------


def template_functions() -> dict[str, dict[str, Any]]:
    template = yaml.safe_load((EXAMPLES / "template.yaml").read_text())
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_template_declares_two_functions_with_handler_modules() -> None:
    """Each function's CodeUri holds the module its Handler names, exporting ``handler``."""
    functions = template_functions()
    assert sorted(functions) == ["BillingFunction", "OrdersFunction"]
    for properties in functions.values():
        module_name, _, attribute = properties["Handler"].rpartition(".")
        source = EXAMPLES / properties["CodeUri"] / f"{module_name}.py"
        assert source.is_file()
        assert f"def {attribute}(" in source.read_text()


def test_template_functions_share_the_database_url(
    local: LocalSSM, modules: list[ModuleType]
) -> None:
    """Both functions load from SSM, and a change to the shared URL reaches both."""
    key = local.kms_client().create_key()["KeyMetadata"]["KeyId"]
    put(local, SHARED_DB_URL, "mongodb://app:pw-1@db-1.internal/app", secure=True)
    put(local, "/orders/prod/page-size", "10")
    put(local, "/orders/prod/features/checkout", "v2")
    put(local, "/billing/prod/payments-api-key", "sk_live_x", secure=True, key=key)
    for logical_id, properties in template_functions().items():
        relative = Path(properties["CodeUri"]) / "app.py"
        modules.append(load_example(str(relative), f"example_{logical_id.lower()}"))
    orders, billing = sorted(modules, key=lambda m: m.__name__, reverse=True)
    assert orders.handler({}, None) == {
        "function": "orders",
        "db_url_set": True,
        "page_size": 10,
        "features": {"checkout": "v2"},
    }
    assert billing.handler({"amount": 5}, None) == {
        "function": "billing",
        "db_url_set": True,
        "api_key_set": True,
        "amount": "5 EUR",
    }
    put(local, SHARED_DB_URL, "mongodb://app:pw-2@db-2.internal/app", secure=True)
    for module in (orders, billing):
        assert module.config.ssm_refresh() == ["db_url"]
        assert "db-2.internal" in module.config.db_url.get_secret_value()


# -- examples/worker.py -------------------------------------------------------------------


@pytest.fixture
def worker(local: LocalSSM, modules: list[ModuleType]) -> ModuleType:
    """The worker module, with its parameters seeded."""
    put(local, SHARED_DB_URL, "mongodb://app:pw@db.internal/reports", secure=True)
    put(local, "/reports/prod/batch-size", "100")
    module = load_example("worker.py", "example_worker")
    modules.append(module)
    return module


def test_worker_keeps_refreshing_while_it_runs(local: LocalSSM, worker: ModuleType) -> None:
    """A running worker's jobs pick up a new batch size from the background refresher."""

    class QuickConfig(worker.WorkerConfig):  # type: ignore[name-defined,misc]
        model_config = SSMSettingsConfigDict(ssm_prefix="/reports/prod", ssm_ttl=1)

    config = QuickConfig()
    results: list[dict[str, Any]] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run,
        args=(config, stop),
        kwargs={"workers": 2, "period": 0.05, "on_result": results.append},
    )
    thread.start()
    try:
        assert wait_for(lambda: results and results[-1]["batch_size"] == 100)
        put(local, "/reports/prod/batch-size", "250")
        assert wait_for(lambda: results[-1]["batch_size"] == 250, timeout=10)
    finally:
        stop.set()
        thread.join(10)
        config.ssm_close()
    assert not thread.is_alive()


def test_worker_pauses_when_told(worker: ModuleType, local: LocalSSM) -> None:
    """With ``paused`` true (after a refresh) the worker stops taking jobs until unpaused."""
    config = worker.WorkerConfig()
    done = threading.Event()
    stop = threading.Event()
    put(local, "/reports/prod/paused", "true")
    config.ssm_refresh()
    results: list[dict[str, Any]] = []
    thread = threading.Thread(
        target=lambda: (worker.run(config, stop, period=0.05, on_result=results.append), done.set())
    )
    thread.start()
    try:
        assert not done.wait(0.3)
        assert results == []
        put(local, "/reports/prod/paused", "false")
        config.ssm_refresh()
        assert wait_for(lambda: len(results) > 0)
    finally:
        stop.set()
        thread.join(10)
        config.ssm_close()
    assert done.is_set()


def test_worker_main_stops_by_itself(
    worker: ModuleType, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``python examples/worker.py --seconds S`` processes jobs and exits 0 after S seconds."""
    monkeypatch.setattr(worker.signal, "signal", lambda *args: None)  # keep pytest's handlers
    caplog.set_level(logging.INFO, logger="worker")
    assert worker.main(["--seconds", "0.5", "--workers", "2"]) == 0
    assert any(r.getMessage().startswith("stopped after") for r in caplog.records)
    assert any("done with batch size 100" in r.getMessage() for r in caplog.records)
