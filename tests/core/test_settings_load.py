"""Loading an SSMSettings class: one batched round, typed values, one aggregated error."""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, HttpUrl, SecretStr, create_model

from ssm_config import ConfigError, Param, SSMSettings, SSMSettingsConfigDict
from ssm_config._client import default_client
from ssm_config.testing import offline

from .._support import Recorder, deny

SECRET = "hunter2-do-not-print"


class Limits(BaseModel):
    burst: int
    rate: float


class Orders(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/orders/prod", ssm_ttl=300)

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    relationship_api: Annotated[HttpUrl, Param("/shared/relationship-api/url")]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}
    allowed_origins: list[str] = []
    limits: Annotated[Limits | None, Param("limits")] = None
    features: Annotated[dict[str, str], Param(path="features")] = {}
    api_key: Annotated[SecretStr, Param("api-key", kms_key="alias/orders")]
    region_name: str = "eu-west-1"


def _seed(ssm: Any, kms: Any) -> None:
    key = kms.create_key(Description="orders")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key)
    put = ssm.put_parameter
    put(Name="/shared/mongodb/url", Value="mongodb://u:p@db/orders", Type="SecureString")
    put(Name="/shared/relationship-api/url", Value="https://rel.example.com", Type="String")
    put(Name="/orders/prod/flags", Value='{"beta": true, "dark": false}', Type="String")
    put(Name="/orders/prod/allowed_origins", Value="a.example,b.example", Type="StringList")
    put(Name="/orders/prod/limits", Value='{"burst": 5, "rate": 2.5}', Type="String")
    put(Name="/orders/prod/features/search", Value="on", Type="String")
    put(Name="/orders/prod/features/cart/v2", Value="off", Type="String")
    put(Name="/orders/prod/api-key", Value=SECRET, Type="SecureString", KeyId="alias/orders")


def test_mixed_class_loads_typed_values(
    ssm: Any, kms: Any, recorder: Recorder, closing: list[Any]
) -> None:
    """String, StringList, SecureString (customer key), JSON, paths, defaults all land typed."""
    _seed(ssm, kms)
    config = Orders(_ssm_client=ssm)
    closing.append(config)
    assert config.db_url.get_secret_value() == "mongodb://u:p@db/orders"
    assert config.api_key.get_secret_value() == SECRET
    assert str(config.relationship_api) == "https://rel.example.com/"
    assert config.page_size == 50  # absent: the default
    assert config.flags == {"beta": True, "dark": False}
    assert config.allowed_origins == ["a.example", "b.example"]
    assert config.limits == Limits(burst=5, rate=2.5)
    assert config.features == {"search": "on", "cart/v2": "off"}
    assert config.region_name == "eu-west-1"
    assert recorder.count("GetParameters") == 1
    assert recorder.count("GetParametersByPath") == 1
    assert recorder.count("GetParameter") == 0
    assert all(
        p["WithDecryption"] for name, p in recorder.calls if name.startswith("GetParameters")
    )


def test_25_parameters_load_in_3_overlapped_calls(
    ssm: Any, recorder: Recorder, closing: list[Any]
) -> None:
    """25 names are 3 GetParameters calls, running at the same time, and no GetParameter."""

    class BigBase(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/big")

    fields: dict[str, Any] = {f"p{i:02d}": (int, ...) for i in range(25)}
    Big = create_model("Big", __base__=BigBase, **fields)  # noqa: N806 - a class
    for i in range(25):
        ssm.put_parameter(Name=f"/big/p{i:02d}", Value=str(i), Type="String")
    barrier = threading.Barrier(3, timeout=10)  # sequential calls would break it

    def all_three_at_once(params: dict[str, Any], **_: Any) -> None:
        barrier.wait()

    ssm.meta.events.register("before-parameter-build.ssm.GetParameters", all_three_at_once)
    config = Big(_ssm_client=ssm)
    closing.append(config)
    assert [config.p00, config.p24] == [0, 24]  # type: ignore[attr-defined]
    assert recorder.count("GetParameters") == 3
    assert recorder.count("GetParameter") == 0
    assert sorted(len(n) for n in recorder.names()) == [5, 10, 10]
    assert config.ssm_stats()["api_calls"] == 3


def test_every_problem_reported_together(ssm: Any, kms: Any, closing: list[Any]) -> None:
    """3 missing parameters and 1 invalid value give one ConfigError naming all 4."""
    _seed(ssm, kms)
    ssm.delete_parameter(Name="/shared/mongodb/url")
    ssm.delete_parameter(Name="/shared/relationship-api/url")
    ssm.delete_parameter(Name="/orders/prod/api-key")
    ssm.put_parameter(Name="/orders/prod/page-size", Value=SECRET, Type="SecureString")
    with pytest.raises(ConfigError) as info:
        Orders(_ssm_client=ssm)
    error = info.value
    assert [(p.ssm_name, p.field) for p in error.problems] == [
        ("/shared/mongodb/url", "db_url"),
        ("/shared/relationship-api/url", "relationship_api"),
        ("/orders/prod/page-size", "page_size"),
        ("/orders/prod/api-key", "api_key"),
    ]
    text = str(error)
    assert text.startswith("Orders: 4 parameters failed to load")
    assert (
        "/orders/prod/page-size (field 'page_size'): int_parsing (details withheld: a SecureString)"
    ) in text
    assert text.count("parameter not found") == 3
    full = "".join(traceback.format_exception(error))
    assert SECRET not in full
    assert isinstance(error, ConfigError)


def test_secret_never_in_error_log_or_repr(
    ssm: Any, caplog: pytest.LogCaptureFixture, closing: list[Any]
) -> None:
    """A SecureString in a plain str field is masked in repr; a bad secret is never quoted."""

    class Svc(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/svc")
        token: str
        port: int

    ssm.put_parameter(Name="/svc/token", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/svc/port", Value="8080", Type="String")
    config = Svc(_ssm_client=ssm)
    closing.append(config)
    assert SECRET not in repr(config)
    assert SECRET not in str(config)
    assert "port=8080" in repr(config)
    ssm.put_parameter(Name="/svc/port", Value=SECRET, Type="SecureString", Overwrite=True)
    with caplog.at_level(logging.DEBUG, logger="ssm_config"):
        assert config.ssm_refresh() == []
    assert "/svc/port" in caplog.text
    assert "port: int_parsing (details withheld: a SecureString)" in caplog.text
    assert SECRET not in caplog.text
    with pytest.raises(ConfigError) as info:
        Svc(_ssm_client=ssm)
    assert SECRET not in "".join(traceback.format_exception(info.value))


def test_env_and_init_override_and_are_not_fetched(
    ssm: Any, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, closing: list[Any]
) -> None:
    """Fields given by env vars or init arguments win over SSM and are never requested."""

    class Svc(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/svc", env_prefix="SVC_")
        host: str
        port: int
        mode: str

    ssm.put_parameter(Name="/svc/host", Value="ssm-host", Type="String")
    ssm.put_parameter(Name="/svc/port", Value="1", Type="String")
    ssm.put_parameter(Name="/svc/mode", Value="ssm", Type="String")
    monkeypatch.setenv("SVC_PORT", "9090")
    config = Svc(_ssm_client=ssm, mode="init")
    closing.append(config)
    assert (config.host, config.port, config.mode) == ("ssm-host", 9090, "init")
    assert recorder.names() == [["/svc/host"]]


def test_fully_supplied_class_needs_no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """When every field is supplied, no client is built: no region or credentials needed."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ORDERS_TEST_API_KEY", "from-env")

    class Local(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/x", env_prefix="ORDERS_TEST_")
        db_url: SecretStr
        api_key: SecretStr

    config = Local(db_url="mongodb://local")
    assert config.api_key.get_secret_value() == "from-env"
    assert config.ssm_stats() == {"fields": {}, "api_calls": 0}
    assert config.ssm_refresh() == []


def test_no_region_is_one_clear_problem_per_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a region the error says how to set one, for each field it blocks."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    class Svc(SSMSettings):
        host: str
        port: int = 1

    with pytest.raises(ConfigError, match="no AWS region configured: set AWS_REGION") as info:
        Svc()
    assert [p.field for p in info.value.problems] == ["host", "port"]


def test_access_denied_is_an_error_even_with_a_default(ssm: Any, closing: list[Any]) -> None:
    """A parameter we may not read never silently falls back to the field's default."""

    class Svc(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/svc")
        host: str
        port: int = 80

    ssm.put_parameter(Name="/svc/host", Value="h", Type="String")
    ssm.put_parameter(Name="/svc/port", Value="81", Type="String")
    deny(ssm, {"/svc/port"})
    with pytest.raises(ConfigError) as info:
        Svc(_ssm_client=ssm)
    (problem,) = info.value.problems
    assert (problem.ssm_name, problem.field) == ("/svc/port", "port")
    assert "access denied to ssm:GetParameters" in problem.message
    assert info.value.__cause__ is problem.cause


def test_selectors_feed_their_fields(ssm: Any, closing: list[Any]) -> None:
    """Version and label selectors of one parameter load side by side into their fields."""

    class Pinned(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/svc")
        first: Annotated[str, Param("colour:1")]
        live: Annotated[str, Param("colour:live")]
        latest: Annotated[str, Param("colour")]

    ssm.put_parameter(Name="/svc/colour", Value="red", Type="String")
    ssm.put_parameter(Name="/svc/colour", Value="blue", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/svc/colour", Value="green", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/svc/colour", ParameterVersion=2, Labels=["live"])
    config = Pinned(_ssm_client=ssm)
    closing.append(config)
    assert (config.first, config.live, config.latest) == ("red", "blue", "green")


def test_offline_constructs_without_aws(recorder: Recorder) -> None:
    """Under offline(), construction makes no call and starts no refresher."""
    with offline():
        config = Orders()
    assert recorder.calls == []
    assert config.page_size == 50
    assert config.ssm_stats()["api_calls"] == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("ssm-config-refresh-Orders")]


def test_default_client_honours_the_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default client takes AWS_ENDPOINT_URL_SSM and uses botocore's standard retries."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:4599")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")  # wins over AWS_DEFAULT_REGION
    client = default_client()
    assert client.meta.endpoint_url == "http://127.0.0.1:4599"
    assert client.meta.region_name == "eu-central-1"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert client.meta.config.connect_timeout <= 3
    assert default_client() is client


def test_retry_settings_from_the_environment_win(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_MAX_ATTEMPTS and AWS_RETRY_MODE are honoured, as the AWS CLI honours them."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    retries = default_client().meta.config.retries
    assert retries == {"mode": "adaptive", "total_max_attempts": 7}


def test_a_bad_environment_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Malformed JSON in an env var is reported in a ConfigError naming the field, not raw."""
    monkeypatch.setenv("FLAGS", '{"token": "hunter2"')

    class Env(SSMSettings):
        flags: dict[str, str] = {}

    with pytest.raises(ConfigError) as info:
        Env()
    (problem,) = info.value.problems
    assert problem.field == "flags"
    assert "EnvSettingsSource" in problem.message
    assert "hunter2" not in "".join(traceback.format_exception(info.value))


def test_reading_an_unloaded_value_offline_says_why() -> None:
    """Under offline(), a required value that was never loaded explains itself."""
    with offline():
        config = Orders()
    with pytest.raises(AttributeError, match=r"Orders\.db_url has no value: .*offline\(\)"):
        _ = config.db_url
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = config.nonexistent  # type: ignore[attr-defined]


def test_unreachable_ssm_is_reported_as_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that cannot reach SSM says so for every field, defaults or not."""
    from ssm_config._client import make_client

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    class Svc(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/c")
        a: str
        b: int = 1

    closed_port = make_client("ssm", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(ConfigError) as info:
        Svc(_ssm_client=closed_port)
    reason = (
        "SSM unreachable at http://127.0.0.1:9/ (GetParameters): EndpointConnectionError; "
        "that URL is the endpoint of the client passed as _ssm_client: check that it is running"
    )
    assert [(p.field, p.message) for p in info.value.problems] == [("a", reason), ("b", reason)]
    closed_port.close()


def test_no_secret_anywhere_in_the_exception_chain(ssm: Any, closing: list[Any]) -> None:
    """Neither cause nor (suppressed) context of a ConfigError holds the rejected secret,
    and pydantic's message, which may quote characters of it, is withheld for SecureStrings."""
    import uuid

    class Ids(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/ids")
        tenant: uuid.UUID
        port: int

    ssm.put_parameter(Name="/ids/tenant", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/ids/port", Value="eighty", Type="String")
    with pytest.raises(ConfigError) as info:
        Ids(_ssm_client=ssm)
    error: BaseException | None = info.value
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert all(SECRET not in repr(e) and SECRET not in str(e) for e in chain)
    tenant, port = info.value.problems
    assert "found 'h'" not in tenant.message  # pydantic would quote the first character
    assert tenant.message == "uuid_parsing (details withheld: a SecureString)"
    assert port.message.startswith("Input should be a valid integer")


def test_a_validator_bug_at_load_is_a_config_error(ssm: Any) -> None:
    """A validator raising RuntimeError gives a ConfigError, with the bug as its cause."""
    from pydantic import field_validator

    class Picky(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/picky")
        mode: str

        @field_validator("mode")
        @classmethod
        def check(cls, value: str) -> str:
            raise RuntimeError("a bug in the validator")

    ssm.put_parameter(Name="/picky/mode", Value="ok", Type="String")
    with pytest.raises(ConfigError, match="a validator raised RuntimeError") as info:
        Picky(_ssm_client=ssm)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_alias_choices_load_from_ssm_and_yield_to_any_choice_in_env(
    ssm: Any, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, closing: list[Any]
) -> None:
    """A field with AliasChoices loads from SSM; an env var named by any choice wins."""
    from pydantic import AliasChoices, Field

    class Aliased(SSMSettings):
        model_config = SSMSettingsConfigDict(ssm_prefix="/al")
        port: int = Field(validation_alias=AliasChoices("PORT_A", "PORT_B"))

    ssm.put_parameter(Name="/al/port", Value="80", Type="String")
    config = Aliased(_ssm_client=ssm)
    closing.append(config)
    assert config.port == 80
    ssm.put_parameter(Name="/al/port", Value="81", Type="String", Overwrite=True)
    assert config.ssm_refresh() == ["port"]
    monkeypatch.setenv("PORT_B", "70")
    before = recorder.count("GetParameters")
    assert Aliased(_ssm_client=ssm).port == 70
    assert recorder.count("GetParameters") == before
