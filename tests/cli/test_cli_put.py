"""``ssm-config put``: value sources, types, overwrite, and the checks before any request."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests._cli_support import Requests, Run

pytest_plugins = ("tests._cli_support",)


def stored(ssm: Any, name: str) -> dict[str, Any]:
    """The parameter as SSM holds it, decrypted, with its description and tier."""
    parameter: dict[str, Any] = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    [described] = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
        "Parameters"
    ]
    return {**described, **parameter}


def test_put_writes_a_string_and_prints_the_version(ssm: Any, cli: Callable[..., Run]) -> None:
    """An inline value becomes a String by default and the new version is printed."""
    result = cli("put", "/app/greeting", "hello world")

    assert (result.code, result.out, result.err) == (0, "1\n", "")
    assert stored(ssm, "/app/greeting")["Value"] == "hello world"
    assert stored(ssm, "/app/greeting")["Type"] == "String"


def test_value_dash_reads_stdin_and_strips_one_newline(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """VALUE '-' reads standard input as bytes and strips exactly one trailing newline."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("pässword\n\n".encode())))

    result = cli("put", "/app/pw", "-", "--type", "SecureString")

    assert (result.code, result.out, result.err) == (0, "1\n", "")
    assert stored(ssm, "/app/pw")["Value"] == "pässword\n"
    assert stored(ssm, "/app/pw")["Type"] == "SecureString"


def test_stdin_without_a_byte_buffer_is_read_as_text(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text-only stdin (no .buffer) is read as is, CRLF counting as one newline."""
    monkeypatch.setattr("sys.stdin", io.StringIO("token\r\n"))

    assert cli("put", "/app/token", "-").code == 0
    assert stored(ssm, "/app/token")["Value"] == "token"


def test_value_file_is_sent_verbatim(ssm: Any, cli: Callable[..., Run], tmp_path: Path) -> None:
    """--value-file sends the file's bytes as they are, trailing newline included."""
    pem = tmp_path / "key.pem"
    pem.write_bytes(b"-----BEGIN KEY-----\nabc\n-----END KEY-----\n")

    result = cli("put", "/app/key", "--value-file", str(pem), "--type", "SecureString")

    assert result.code == 0
    assert stored(ssm, "/app/key")["Value"] == "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"


def test_a_value_file_that_is_not_utf8_is_refused(
    ssm: Any, cli: Callable[..., Run], tmp_path: Path, requests: Requests
) -> None:
    """A binary --value-file is an error saying it is not UTF-8, and nothing is sent."""
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\xff\xfe\x00binary")

    result = cli("put", "/app/blob", "--value-file", str(blob))

    assert result.code == 1
    assert "is not UTF-8 text" in result.err
    assert requests.operations == []


def test_a_missing_value_file_is_one_clear_line(
    ssm: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """An unreadable --value-file names the file and the reason."""
    result = cli("put", "/app/x", "--value-file", str(tmp_path / "nope.txt"))

    assert result.code == 1
    assert "nope.txt" in result.err
    assert "No such file or directory" in result.err


def test_an_existing_parameter_is_left_untouched_without_overwrite(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """Without --overwrite an existing parameter keeps its value and the command exits 1."""
    ssm.put_parameter(Name="/app/a", Value="original", Type="String")

    result = cli("put", "/app/a", "replacement")

    assert result.code == 1
    assert result.err == (
        "ssm-config: error: /app/a: already exists and was left untouched; "
        "pass --overwrite to replace it\n"
    )
    assert stored(ssm, "/app/a")["Value"] == "original"


def test_overwrite_without_type_keeps_a_secure_string_secure(
    ssm: Any, cli: Callable[..., Run]
) -> None:
    """--overwrite with no --type keeps the stored type, so a secret stays encrypted."""
    ssm.put_parameter(Name="/app/pw", Value="old", Type="SecureString")

    result = cli("put", "/app/pw", "new", "--overwrite")

    assert (result.code, result.out) == (0, "2\n")
    assert stored(ssm, "/app/pw")["Type"] == "SecureString"
    assert stored(ssm, "/app/pw")["Value"] == "new"


def test_key_id_description_and_tier_are_sent(ssm: Any, cli: Callable[..., Run]) -> None:
    """--key-id, --description and --tier reach PutParameter."""
    key = "alias/orders"

    result = cli(
        "put", "/app/pw", "v", "--type", "SecureString", "--key-id", key,
        "--description", "orders db password", "--tier", "Advanced",
    )  # fmt: skip

    assert result.code == 0
    parameter = stored(ssm, "/app/pw")
    assert parameter["KeyId"] == key
    assert parameter["Description"] == "orders db password"
    assert parameter["Tier"] == "Advanced"


def test_an_inline_secret_gets_a_note_about_history(ssm: Any, cli: Callable[..., Run]) -> None:
    """A SecureString given as an argument is written, with a note to use stdin next time."""
    result = cli("put", "/app/pw", "s3cret", "--type", "SecureString")

    assert result.code == 0
    assert "shell history" in result.err
    assert "s3cret" not in result.err


def test_a_string_list_is_written(ssm: Any, cli: Callable[..., Run]) -> None:
    """A well-formed StringList is written as given."""
    assert cli("put", "/app/hosts", "a.example,b.example", "--type", "StringList").code == 0
    assert stored(ssm, "/app/hosts")["Value"] == "a.example,b.example"


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("a,,b", "item 2 is empty"),
        ("a,b,", "item 3 is empty"),
        (",a", "item 1 is empty"),
        ("a, b", "item 2 begins or ends with whitespace"),
        ("a,b\n", "item 2 begins or ends with whitespace"),
    ],
)
def test_ambiguous_string_list_items_are_refused_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests, value: str, complaint: str
) -> None:
    """Empty or space-padded StringList items are refused, naming the item, with no request."""
    result = cli("put", "/app/hosts", value, "--type", "StringList")

    assert result.code == 1
    assert complaint in result.err
    assert requests.operations == []


def test_over_4kb_suggests_the_advanced_tier(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """A value over 4096 bytes without --tier is refused with a pointer to --tier Advanced."""
    result = cli("put", "/app/big", "é" * 2049)  # 4098 bytes in UTF-8

    assert result.code == 1
    assert "4098 bytes" in result.err
    assert "--tier Advanced" in result.err
    assert "é" not in result.err
    assert requests.operations == []


def test_the_advanced_tier_takes_up_to_8kb(ssm: Any, cli: Callable[..., Run]) -> None:
    """With --tier Advanced an 8192-byte value is written."""
    assert cli("put", "/app/big", "x" * 8192, "--tier", "Advanced").code == 0
    assert len(stored(ssm, "/app/big")["Value"]) == 8192


def test_over_8kb_is_refused_for_every_tier(
    ssm: Any, cli: Callable[..., Run], requests: Requests
) -> None:
    """No tier holds more than 8192 bytes."""
    result = cli("put", "/app/big", "x" * 8193, "--tier", "Intelligent-Tiering")

    assert result.code == 1
    assert "at most 8192" in result.err
    assert requests.operations == []


def test_an_empty_value_is_refused(ssm: Any, cli: Callable[..., Run], requests: Requests) -> None:
    """SSM needs at least one character, so an empty value fails before any request."""
    result = cli("put", "/app/empty", "")

    assert result.code == 1
    assert "the value is empty" in result.err
    assert requests.operations == []


@pytest.mark.parametrize("name", ["/aws/mine", "/app/with space", "/app/a:3", "ssm-thing"])
def test_invalid_names_are_refused_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests, name: str
) -> None:
    """Names SSM would refuse for a write (and selectors) fail with one line, nothing sent."""
    result = cli("put", name, "v")

    assert result.code == 1
    assert result.err.startswith(f"ssm-config: error: parameter name {name!r}")
    assert requests.operations == []


@pytest.mark.parametrize(
    "argv",
    [
        ["put", "/app/a"],
        ["put", "/app/a", "v", "--value-file", "f"],
        ["put", "/app/a", "v", "--type", "Number"],
        ["put", "/app/a", "v", "--type", "String", "--key-id", "alias/k"],
        ["put", "/app/a", "v", "--tier", "Premium"],
    ],
    ids=["no-value", "value-and-file", "bad-type", "key-id-on-string", "bad-tier"],
)
def test_bad_usage_exits_2_with_the_usage_line(
    ssm: Any, cli: Callable[..., Run], requests: Requests, argv: list[str]
) -> None:
    """Missing or conflicting arguments exit 2 with argparse's usage line, nothing sent."""
    result = cli(*argv)

    assert result.code == 2
    assert result.err.startswith("usage: ssm-config put")
    assert requests.operations == []


def test_a_value_echoed_by_aws_is_cut_from_the_error(
    ssm: Any, cli: Callable[..., Run], fail_with: Callable[..., Requests]
) -> None:
    """Should a ValidationException quote the value, the error line shows <value> instead."""
    fail_with(
        "PutParameter",
        "ValidationException",
        message="Value 'hunter2' at 'value' failed to satisfy constraint",
    )

    result = cli("put", "/app/pw", "hunter2", "--type", "SecureString")

    assert result.code == 1
    assert "hunter2" not in result.err
    assert "Value '<value>' at 'value'" in result.err


def test_a_kms_refusal_speaks_of_encrypting(
    ssm: Any,
    cli: Callable[..., Run],
    fail_with: Callable[..., Requests],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unusable --key-id is reported as KMS refusing to encrypt with that key."""
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    fail_with("PutParameter", "InvalidKeyId", message="key not found")

    result = cli("put", "/app/pw", "-", "--type", "SecureString", "--key-id", "alias/gone")

    assert result.code == 1
    assert result.err == (
        "ssm-config: error: /app/pw: KMS refused to encrypt with alias/gone: InvalidKeyId\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["put", "/app/x", "--type", "SecureString", "s3cr3t"],
        ["put", "/app/x", "--description", "hi", "s3cr3t"],
        ["put", "--tier", "Standard", "/app/x", "s3cr3t"],
    ],
)
def test_options_may_stand_between_name_and_value(
    ssm: Any, cli: Callable[..., Run], argv: list[str]
) -> None:
    """Options go anywhere: before, between or after NAME and VALUE, as the usage line shows."""
    assert cli(*argv).code == 0
    assert stored(ssm, "/app/x")["Value"] == "s3cr3t"


def test_overwrite_between_name_and_value(ssm: Any, cli: Callable[..., Run]) -> None:
    """`put NAME --overwrite VALUE` replaces the value."""
    assert cli("put", "/app/x", "old").code == 0
    assert cli("put", "/app/x", "--overwrite", "new").code == 0
    assert stored(ssm, "/app/x")["Value"] == "new"


def test_stdin_dash_after_options(
    ssm: Any, cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`put NAME --type SecureString -` reads the value from standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin\n"))
    assert cli("put", "/app/x", "--type", "SecureString", "-").code == 0
    assert stored(ssm, "/app/x")["Value"] == "from-stdin"


def test_a_value_starting_with_a_dash_after_double_dash(ssm: Any, cli: Callable[..., Run]) -> None:
    """`put NAME -- -1` stores '-1'."""
    assert cli("put", "/app/n", "--", "-1").code == 0
    assert stored(ssm, "/app/n")["Value"] == "-1"


def test_value_and_value_file_together_is_bad_usage(
    ssm: Any, cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Two value sources, or none, exit 2 with the usage line; nothing is written."""
    path = tmp_path / "v"
    path.write_text("file")
    for argv in (["put", "/app/x", "inline", "--value-file", str(path)], ["put", "/app/x"]):
        result = cli(*argv)
        assert result.code == 2
        assert result.err.startswith("usage: ssm-config put")
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name="/app/x")


@pytest.mark.parametrize(
    "argv",
    [
        ["put", "/app/x", "ab\udcffcd"],
        ["put", "/app/x", "v", "--description", "caf\udce9"],
        ["put", "/app/x", "v", "--type", "SecureString", "--key-id", "alias/\udcff"],
    ],
    ids=["value", "description", "key-id"],
)
def test_text_that_is_not_utf8_is_refused_before_any_request(
    ssm: Any, cli: Callable[..., Run], requests: Requests, argv: list[str]
) -> None:
    """Non-UTF-8 argv bytes (lone surrogates) are one line naming the option, nothing written."""
    result = cli(*argv)

    assert (result.code, result.out) == (1, "")
    assert result.err.count("\n") == 1
    assert result.err.startswith("ssm-config: error: /app/x: ")
    assert "is not valid UTF-8 text" in result.err
    assert "ab" not in result.err
    assert requests.operations == []


def test_value_dash_with_standard_input_closed_is_one_clear_line(
    ssm: Any, cli: Callable[..., Run], requests: Requests, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no standard input at all (sys.stdin is None), '-' fails clearly, nothing written."""
    monkeypatch.setattr("sys.stdin", None)

    result = cli("put", "/app/x", "-")

    assert result.code == 1
    assert result.err == (
        "ssm-config: error: /app/x: VALUE '-' reads standard input, but there is none "
        "(it is closed); pipe the value in or use --value-file\n"
    )
    assert requests.operations == []


def test_key_id_without_type_makes_a_secure_string(ssm: Any, cli: Callable[..., Run]) -> None:
    """--key-id with no --type writes a SecureString encrypted with that key, not a String."""
    result = cli("put", "/app/sk2", "TopSecret", "--key-id", "alias/x")

    assert (result.code, result.out) == (0, "1\n")
    parameter = stored(ssm, "/app/sk2")
    assert (parameter["Type"], parameter["KeyId"]) == ("SecureString", "alias/x")
    assert parameter["Value"] == "TopSecret"


def test_key_id_wins_over_the_stored_type_on_overwrite(ssm: Any, cli: Callable[..., Run]) -> None:
    """--overwrite --key-id with no --type turns a stored String into a SecureString."""
    ssm.put_parameter(Name="/app/sk2", Value="old", Type="String")

    result = cli("put", "/app/sk2", "new", "--overwrite", "--key-id", "alias/x")

    assert (result.code, result.out) == (0, "2\n")
    parameter = stored(ssm, "/app/sk2")
    assert (parameter["Type"], parameter["KeyId"], parameter["Value"]) == (
        "SecureString",
        "alias/x",
        "new",
    )
