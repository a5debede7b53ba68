"""SSM's naming rules and Param's own checks, applied before any request."""

from __future__ import annotations

import pytest

from ssm_config import (
    DeclarationError,
    InvalidNameError,
    Param,
    SSMConfigError,
    SSMSettingsConfigDict,
)
from ssm_config._declare import check_name, check_path, join_name, split_selector


@pytest.mark.parametrize(
    "name",
    [
        "/orders/prod/db-url",
        "plain_name.v2",
        "/a/b:3",
        "/a/b:prod",
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "/aws/reference/secretsmanager/prod/db+creds@v1",
        "/" + "/".join(["x"] * 15),
    ],
)
def test_valid_names_pass(name: str) -> None:
    """Names SSM accepts for reads raise nothing, including public and Secrets Manager paths."""
    check_name(name)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "empty"),
        ("/a b", "only letters"),
        ("/a/b/", "empty level"),
        ("//a", "empty level"),
        ("a/b", "must begin with '/'"),
        ("/" + "/".join(["x"] * 16), "deeper than 15"),
        ("/" + "x" * 1011, "longer than 1011"),
        ("/a/b:0", "selector"),
        ("/a/b:1abc", "can't begin with a digit"),
        ("/a/b:awsprod", "'aws' or 'ssm'"),
        ("/a/b:", "selector"),
        ("/a/é", "only letters"),
    ],
)
def test_invalid_names_are_named_in_one_line(name: str, fragment: str) -> None:
    """Each broken rule gives a one-line InvalidNameError that says which rule."""
    with pytest.raises(InvalidNameError, match=fragment) as info:
        check_name(name)
    assert "\n" not in str(info.value)


def test_write_rules_forbid_reserved_prefixes() -> None:
    """Creating under aws/ssm (any case) is refused, reading such names is not."""
    for name in ("/aws/mine", "/SSM/x", "awsthing"):
        check_name(name)
        with pytest.raises(InvalidNameError, match="'aws' or 'ssm'"):
            check_name(name, for_write=True)


def test_selector_can_be_refused() -> None:
    """Where a selector makes no sense (a write), it is refused."""
    with pytest.raises(InvalidNameError, match="selector is not allowed"):
        check_name("/a/b:3", allow_selector=False)


def test_paths() -> None:
    """Paths must be absolute; the root and trailing slashes are accepted."""
    check_path("/")
    check_path("/orders/prod/")
    with pytest.raises(InvalidNameError, match="must begin with '/'"):
        check_path("orders")


def test_join_and_split() -> None:
    """Relative names join the prefix (with none, the root); absolute names stand."""
    assert join_name("/orders/prod/", "page-size") == "/orders/prod/page-size"
    assert join_name("/orders/prod", "/shared/url") == "/shared/url"
    assert join_name("", "page-size") == "/page-size"
    assert split_selector("/a/b:prod") == ("/a/b", "prod")
    assert split_selector("/a/b") == ("/a/b", None)


def test_param_rejects_contradictions() -> None:
    """Param refuses a name with a path, a non-positive ttl and an empty key."""
    with pytest.raises(InvalidNameError, match="not both"):
        Param("a", path="/b")
    with pytest.raises(InvalidNameError, match="positive"):
        Param("a", ttl=0)
    with pytest.raises(InvalidNameError, match="kms_key"):
        Param("a", kms_key=" ")


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"name": 123}, DeclarationError, "name must be a string, not int"),
        ({"kms_key": 5}, DeclarationError, "kms_key must be a string"),
        ({"ttl": "5"}, DeclarationError, "must be a number of seconds, not str"),
        ({"ttl": True}, DeclarationError, "not bool"),
        ({"ttl": float("inf")}, InvalidNameError, "finite, positive"),
        ({"ttl": float("nan")}, InvalidNameError, "finite, positive"),
        ({"ttl": -1}, InvalidNameError, "finite, positive"),
    ],
)
def test_param_arguments_of_the_wrong_kind(
    kwargs: dict[str, object], error: type[Exception], fragment: str
) -> None:
    """Wrong types and non-finite TTLs are refused in our tree, with one clear line."""
    with pytest.raises(error, match=fragment) as info:
        Param(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, SSMConfigError)


def test_names_that_are_not_strings() -> None:
    """A name or path of the wrong type is an InvalidNameError, not an AttributeError."""
    with pytest.raises(InvalidNameError, match="must be a string, not int"):
        check_name(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidNameError, match="must be a string, not bytes"):
        check_path(b"/a")  # type: ignore[arg-type]


def test_config_dict_declares_the_sentinel_keys() -> None:
    """ssm_sentinel and ssm_sentinel_ttl are typed keys of SSMSettingsConfigDict."""
    assert {"ssm_sentinel", "ssm_sentinel_ttl"} <= SSMSettingsConfigDict.__optional_keys__
    hints = {
        k: getattr(v, "__forward_arg__", v)
        for k, v in SSMSettingsConfigDict.__annotations__.items()
    }
    assert (hints["ssm_sentinel"], hints["ssm_sentinel_ttl"]) == ("str | None", "float | None")


def test_a_misplaced_ttl_is_refused_even_after_an_equal_param() -> None:
    """typing caches Annotated by equality: Param('x', 60) must not equal Param('x')."""
    from typing import Annotated

    from ssm_config import SSMSettings

    class Right(SSMSettings):
        page_size: Annotated[int, Param("page-size")] = 1

    with pytest.raises(DeclarationError, match="only the name positionally"):

        class Wrong(SSMSettings):
            page_size: Annotated[int, Param("page-size", 60)] = 1  # type: ignore[misc]
