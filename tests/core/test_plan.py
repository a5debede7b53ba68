"""Settings class -> plan: names, shapes, TTLs, batches; bad declarations fail at definition."""

from __future__ import annotations

from typing import Annotated, Optional

import pytest
from pydantic import BaseModel, HttpUrl, SecretStr

from ssm_config import DeclarationError, Param, SSMSettings, SSMSettingsConfigDict
from ssm_config._plan import batches, build_plan, shape_of


class Nested(BaseModel):
    host: str


class Orders(SSMSettings):
    model_config = SSMSettingsConfigDict(
        ssm_prefix="/orders/prod", ssm_ttl=120, ssm_kms_key="alias/o"
    )

    db_url: Annotated[SecretStr, Param("/shared/mongodb/url", ttl=60)]
    api: Annotated[HttpUrl, Param("/shared/api/url")]
    page_size: Annotated[int, Param("page-size", ttl=30)] = 50
    flags: Annotated[dict[str, bool], Param("flags")] = {}
    allowed_origins: list[str] = []
    features: Annotated[dict[str, str], Param(path="features")] = {}
    api_key: Annotated[SecretStr, Param("api-key:prod", kms_key="arn:aws:kms:us-east-1:1:key/k")]


def test_names_ttls_and_keys_resolve() -> None:
    """Absolute, relative, field-name and path bindings resolve against the prefix."""
    plan = build_plan(Orders)
    got = {s.field: (s.name, s.is_path, s.ttl, s.required, s.kms_key) for s in plan.specs}
    assert got == {
        "db_url": ("/shared/mongodb/url", False, 60, True, "alias/o"),
        "api": ("/shared/api/url", False, 120, True, "alias/o"),
        "page_size": ("/orders/prod/page-size", False, 30, False, "alias/o"),
        "flags": ("/orders/prod/flags", False, 120, False, "alias/o"),
        "allowed_origins": ("/orders/prod/allowed_origins", False, 120, False, "alias/o"),
        "features": ("/orders/prod/features", True, 120, False, "alias/o"),
        "api_key": ("/orders/prod/api-key:prod", False, 120, True, "arn:aws:kms:us-east-1:1:key/k"),
    }
    spec = plan.specs[-1]
    assert (spec.bare_name, spec.selector) == ("/orders/prod/api-key", "prod")


@pytest.mark.parametrize(
    ("annotation", "shape"),
    [
        (str, "text"),
        (int, "text"),
        (SecretStr, "text"),
        (Optional[int], "text"),  # noqa: UP045 - the old spelling must work too
        (list[str], "string_list"),
        (tuple[str, ...], "string_list"),
        (list[str] | None, "string_list"),
        (list[int], "json"),
        (dict[str, bool], "json"),
        (Nested, "json"),
        (int | dict[str, int], "json"),
    ],
)
def test_shapes(annotation: object, shape: str) -> None:
    """Each field type maps to text, JSON or StringList conversion."""
    assert shape_of(annotation) == shape


def test_batches_of_ten_without_duplicates() -> None:
    """25 names make 3 calls; duplicates are fetched once."""
    names = [f"/p/{i}" for i in range(25)] + ["/p/3"]
    result = batches(names)
    assert [len(b) for b in result] == [10, 10, 5]
    assert sorted(n for b in result for n in b) == sorted(set(names))


def test_selectors_of_one_parameter_share_a_call() -> None:
    """Selectors batch like any name: as few calls as GetParameters allows."""
    assert batches(["/a:1", "/a:prod", "/b", "/a:1"]) == (("/a:1", "/a:prod", "/b"),)


def test_bad_name_fails_at_class_definition_naming_the_field() -> None:
    """A declaration SSM would refuse raises when the class is defined, naming the field."""
    with pytest.raises(DeclarationError, match=r"Bad\.url: .*'/a b'"):

        class Bad(SSMSettings):
            url: Annotated[str, Param("/a b")]


def test_path_field_must_be_a_dict() -> None:
    """A path binding on a non-dict field is refused at definition."""
    with pytest.raises(DeclarationError, match=r"Bad\.items: a path= field must be a dict"):

        class Bad(SSMSettings):
            items: Annotated[list[str], Param(path="/x")]


def test_bad_class_config_is_refused() -> None:
    """An invalid prefix or ttl in the class config fails at definition."""
    with pytest.raises(DeclarationError, match="ssm_prefix"):

        class BadPrefix(SSMSettings):
            model_config = SSMSettingsConfigDict(ssm_prefix="no-slash/x")

    with pytest.raises(DeclarationError, match="ssm_ttl"):

        class BadTtl(SSMSettings):
            model_config = SSMSettingsConfigDict(ssm_ttl=0)


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"ssm_ttl": "abc"}, "ssm_ttl must be a number of seconds, not str"),
        ({"ssm_ttl": float("inf")}, "ssm_ttl must be a finite, positive"),
        ({"ssm_max_stale": "5"}, "ssm_max_stale must be a number"),
        ({"ssm_prefix": 5}, "ssm_prefix must be a path string, not int"),
        ({"ssm_kms_key": 5}, "ssm_kms_key must be a key ARN, id or alias"),
        ({"ssm_refresh": "yes"}, "ssm_refresh must be 'on' or 'off'"),
    ],
)
def test_class_config_of_the_wrong_kind(config: dict[str, object], fragment: str) -> None:
    """Each class config key is checked at definition and named in the error."""
    with pytest.raises(DeclarationError, match=rf"^Odd: {fragment}"):
        type("Odd", (SSMSettings,), {"model_config": SSMSettingsConfigDict(**config)})  # type: ignore[typeddict-item]


def test_param_as_a_default_is_refused_with_the_fix() -> None:
    """``x: int = Param(...)`` fails at definition, spelling out the Annotated form."""
    with pytest.raises(DeclarationError) as info:

        class Paged(SSMSettings):
            page_size: int = Param("page-size", ttl=30)  # type: ignore[assignment]

    assert str(info.value) == (
        "Paged.page_size: Param(...) given as the default value binds nothing; declare it "
        "inside Annotated: page_size: Annotated[int, Param('page-size', ttl=30)], "
        "then '= default' if any"
    )


def test_sentinel_joins_the_prefix_and_defaults_its_period() -> None:
    """A relative sentinel joins ssm_prefix like a Param name; its period defaults to 30 s."""

    class Watched(SSMSettings):
        model_config = SSMSettingsConfigDict(
            ssm_prefix="/orders/prod", ssm_sentinel="config-version"
        )
        page_size: int = 50

    plan = build_plan(Watched)
    assert (plan.sentinel, plan.sentinel_ttl) == ("/orders/prod/config-version", 30.0)
    assert [s.name for s in plan.specs] == ["/orders/prod/page_size"]  # not a field
    absolute = SSMSettingsConfigDict(
        ssm_prefix="/orders/prod", ssm_sentinel="/shared/version", ssm_sentinel_ttl=5
    )
    plan = build_plan(type("Abs", (SSMSettings,), {"model_config": absolute}))
    assert (plan.sentinel, plan.sentinel_ttl) == ("/shared/version", 5.0)
    assert (build_plan(Orders).sentinel, build_plan(Orders).sentinel_ttl) == (None, None)


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"ssm_sentinel_ttl": 30}, "ssm_sentinel_ttl is set but ssm_sentinel is not"),
        ({"ssm_sentinel": ""}, "ssm_sentinel must be a parameter name, not ''"),
        ({"ssm_sentinel": 7}, "ssm_sentinel must be a parameter name, not 7"),
        ({"ssm_sentinel": "/a/version:3"}, "ssm_sentinel: .*a selector is not allowed"),
        ({"ssm_sentinel": "/a/"}, "ssm_sentinel: .*trailing '/'"),
        ({"ssm_sentinel": "a b"}, "ssm_sentinel: .*only letters"),
        ({"ssm_sentinel": "v", "ssm_sentinel_ttl": 0}, "ssm_sentinel_ttl must be a finite, pos"),
        ({"ssm_sentinel": "v", "ssm_sentinel_ttl": float("inf")}, "ssm_sentinel_ttl must be"),
        ({"ssm_sentinel": "v", "ssm_sentinel_ttl": "30"}, "ssm_sentinel_ttl must be a number"),
    ],
)
def test_bad_sentinel_config_is_refused(config: dict[str, object], fragment: str) -> None:
    """Each bad sentinel declaration fails at class definition, naming the key."""
    with pytest.raises(DeclarationError, match=rf"^Odd: {fragment}"):
        type("Odd", (SSMSettings,), {"model_config": SSMSettingsConfigDict(**config)})  # type: ignore[typeddict-item]
