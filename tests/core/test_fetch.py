"""The AWS boundary: batching, overlap, attribution of failures, error translation."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoRegionError

from ssm_config import (
    AccessDeniedError,
    DecryptionError,
    EndpointError,
    FetchError,
    ParameterNotFoundError,
    ThrottledError,
)
from ssm_config._fetch import fetch, translate

from .._support import Recorder, deny


def _put(ssm: Any, n: int) -> list[str]:
    names = [f"/app/p{i:02d}" for i in range(n)]
    for name in names:
        ssm.put_parameter(Name=name, Value=f"v-{name}", Type="String")
    return names


def test_values_versions_and_missing(ssm: Any, recorder: Recorder) -> None:
    """Found names come back with version and type; missing ones are typed failures."""
    names = _put(ssm, 3)
    ssm.put_parameter(Name="/app/p00", Value="v2", Type="String", Overwrite=True)
    outcome = fetch(ssm, [*names, "/app/missing"])
    assert outcome.values["/app/p00"].version == 2
    assert outcome.values["/app/p01"].value == "v-/app/p01"
    assert isinstance(outcome.failures["/app/missing"], ParameterNotFoundError)
    assert outcome.calls == 1
    assert recorder.names() == [[*names, "/app/missing"]]


def test_selectors_map_back_to_what_was_asked(ssm: Any) -> None:
    """`name:1` and `name:label` each get their own version's value."""
    ssm.put_parameter(Name="/app/x", Value="one", Type="String")
    ssm.put_parameter(Name="/app/x", Value="two", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/app/x", ParameterVersion=2, Labels=["live"])
    outcome = fetch(ssm, ["/app/x:1", "/app/x:live", "/app/x"])
    assert {k: v.value for k, v in outcome.values.items()} == {
        "/app/x:1": "one",
        "/app/x:live": "two",
        "/app/x": "two",
    }


def test_paths_all_pages_relative_keys(ssm: Any, recorder: Recorder) -> None:
    """A path returns every parameter under it (pages of 10), keyed relative to the path."""
    for i in range(23):
        ssm.put_parameter(
            Name=f"/app/feat/{'deep/' if i % 2 else ''}f{i}", Value=str(i), Type="String"
        )
    outcome = fetch(ssm, [], ["/app/feat"])
    items = outcome.paths["/app/feat"]
    assert len(items) == 23
    assert items["deep/f1"].value == "1"
    assert recorder.count("GetParametersByPath") == 3 == outcome.calls


def test_access_denied_is_attributed_to_the_one_name(ssm: Any) -> None:
    """When one name fails a whole call, the others still load and the culprit is named."""
    names = _put(ssm, 4)
    deny(ssm, {"/app/p02"})
    outcome = fetch(ssm, names)
    assert set(outcome.values) == {"/app/p00", "/app/p01", "/app/p03"}
    error = outcome.failures["/app/p02"]
    assert isinstance(error, AccessDeniedError)
    assert str(error).startswith("/app/p02: access denied to ssm:GetParameters")


def test_kms_failure_is_a_decryption_error(ssm: Any) -> None:
    """A KMS refusal surfaced through SSM becomes DecryptionError, not access denied."""
    _put(ssm, 1)
    deny(ssm, {"/app/p00"}, message="The ciphertext refers to a KMS key that is disabled")
    failure = fetch(ssm, ["/app/p00"]).failures["/app/p00"]
    assert isinstance(failure, DecryptionError)


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 400, ThrottledError),
        ("ParameterNotFound", 400, ParameterNotFoundError),
        ("ParameterVersionNotFound", 400, ParameterNotFoundError),
        ("InvalidKeyId", 400, DecryptionError),
        ("AccessDeniedException", 400, AccessDeniedError),
        ("InternalServerError", 500, EndpointError),
        ("ValidationException", 400, FetchError),
    ],
)
def test_translate_client_errors(code: str, status: int, kind: type[FetchError]) -> None:
    """Each AWS error code maps to the most specific class and keeps code and name."""
    exc = ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetParameters",
    )
    error = translate(exc, "/x")
    assert type(error) is kind
    assert (error.code, error.name) == (code, "/x")


def test_translate_transport_errors() -> None:
    """No region, unreachable endpoint: clear, typed, one line."""
    assert "AWS_REGION" in str(translate(NoRegionError(), None))
    unreachable = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "/x")
    assert isinstance(unreachable, EndpointError)
    assert "\n" not in str(unreachable)


def test_throttling_fails_the_batch_without_splitting(ssm: Any) -> None:
    """Throttling is not split into per-name retries (that would make it worse)."""
    names = _put(ssm, 3)
    refused = deny(ssm, set(names), code="ThrottlingException")
    outcome = fetch(ssm, names)
    assert all(isinstance(outcome.failures[n], ThrottledError) for n in names)
    assert refused == [sorted(names)]


def test_every_name_asked_is_answered_or_failed(ssm: Any) -> None:
    """A response that leaves a name out becomes a typed failure, never a missing key."""
    _put(ssm, 2)

    def drop_one(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Parameters"] = [p for p in parsed["Parameters"] if p["Name"] != "/app/p01"]

    ssm.meta.events.register("after-call.ssm.GetParameters", drop_one)
    outcome = fetch(ssm, ["/app/p00", "/app/p01"])
    assert set(outcome.values) == {"/app/p00"}
    assert (
        str(outcome.failures["/app/p01"]) == "/app/p01: SSM's answer did not include this parameter"
    )


def test_a_renamed_answer_maps_back_when_unambiguous(ssm: Any) -> None:
    """One unmatched answer for one unmatched name (a Secrets Manager reference) maps back."""
    ssm.put_parameter(Name="/app/real", Value="v", Type="String")
    ref = "/aws/reference/secretsmanager/app-secret"

    def rename(params: dict[str, Any], **_: Any) -> None:
        params["Names"] = ["/app/real" if n == ref else n for n in params["Names"]]

    ssm.meta.events.register("before-parameter-build.ssm.GetParameters", rename)
    outcome = fetch(ssm, [ref])
    assert outcome.values[ref].value == "v"


def test_selectors_share_one_call_when_ssm_names_them(ssm: Any, recorder: Recorder) -> None:
    """As real SSM does, answers carry `Selector`: three forms of one name take one call."""
    ssm.put_parameter(Name="/app/x", Value="one", Type="String")
    ssm.put_parameter(Name="/app/x", Value="two", Type="String", Overwrite=True)
    ssm.put_parameter(Name="/app/x", Value="three", Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/app/x", ParameterVersion=2, Labels=["live"])
    selector_of_version = {1: ":1", 2: ":live"}  # what SSM would echo for these requests

    def like_ssm(parsed: dict[str, Any], **_: Any) -> None:
        for item in parsed.get("Parameters", []):
            if item["Version"] in selector_of_version:
                item["Selector"] = selector_of_version[item["Version"]]

    ssm.meta.events.register("after-call.ssm.GetParameters", like_ssm)
    outcome = fetch(ssm, ["/app/x:1", "/app/x:live", "/app/x"])
    assert {k: v.value for k, v in outcome.values.items()} == {
        "/app/x:1": "one",
        "/app/x:live": "two",
        "/app/x": "three",
    }
    assert recorder.count("GetParameters") == 1 == outcome.calls


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda p: p["Parameters"][0].pop("Value"), "Value is NoneType, not a string"),
        (lambda p: p["Parameters"][0].pop("Name"), "Name is NoneType, not a string"),
        (lambda p: p["Parameters"][0].update(Version="abc"), "Version is str, not an integer"),
        (lambda p: p["Parameters"][0].update(Value=5), "Value is int, not a string"),
        (lambda p: p.update(Parameters=None), "Parameters is NoneType, not a list"),
    ],
)
def test_a_malformed_answer_is_a_failure_naming_each_parameter(
    ssm: Any, mutate: Any, fragment: str
) -> None:
    """An answer not shaped as SSM documents fails its names with a FetchError, no crash."""
    names = _put(ssm, 2)
    ssm.meta.events.register("after-call.ssm.GetParameters", lambda parsed, **_: mutate(parsed))
    outcome = fetch(ssm, names)
    assert outcome.values == {}
    for name in names:
        assert str(outcome.failures[name]) == f"{name}: SSM's answer was malformed: {fragment}"


def test_a_malformed_path_page_fails_the_path(ssm: Any) -> None:
    """A path page with a malformed parameter fails that path, naming it."""
    _put(ssm, 2)

    def drop_value(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Parameters"][0].pop("Value")

    ssm.meta.events.register("after-call.ssm.GetParametersByPath", drop_value)
    outcome = fetch(ssm, [], ["/app"])
    assert (
        str(outcome.failures["/app"])
        == "/app: SSM's answer was malformed: Value is NoneType, not a string"
    )
