"""The SSM requests of the parameter commands; each returns data, none prints.

Errors are translated by :func:`ssm_config._fetch.translate` with the action named, so a
refusal reads ``/app/x: access denied to ssm:DeleteParameters: ...``. Throttling is retried
by botocore (standard mode, set up in :mod:`ssm_config._client`), never here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from .. import _client
from .._errors import DecryptionError, FetchError, ParameterNotFoundError, SSMConfigError
from .._fetch import Fetched, Outcome, fetch, translate
from .._plan import batches

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

_AWS_ERRORS = (ClientError, BotoCoreError)


class ClientSetupError(SSMConfigError):
    """No SSM client could be built: no region, an unknown profile, a bad endpoint URL."""


@dataclass(frozen=True, slots=True)
class Version:
    """One entry of a parameter's history. ``repr`` never shows the value."""

    name: str
    version: int
    type: str
    last_modified: datetime | None
    user: str
    labels: tuple[str, ...]
    value: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Stored:
    """A parameter with what a copy keeps: value (decrypted), type and metadata.

    ``repr`` never shows the value. ``tier``, ``description`` and ``data_type`` are
    ``None`` where SSM's default applies (Standard, none, ``text``).
    """

    name: str
    value: str = field(repr=False)
    type: str
    description: str | None = None
    tier: str | None = None
    data_type: str | None = None


@dataclass(frozen=True, slots=True)
class Deletion:
    """What ``delete`` did: the names deleted and the names SSM did not have."""

    deleted: tuple[str, ...]
    missing: tuple[str, ...]


def client_for(region: str | None, profile: str | None, endpoint_url: str | None) -> SSMClient:
    """The SSM client for the global options, resolved as the AWS CLI resolves them.

    The AWS CLI takes the region from ``--region``, then ``AWS_REGION``, then
    ``AWS_DEFAULT_REGION``, then the profile; botocore knows all but ``AWS_REGION``.
    Everything else (``AWS_PROFILE``, credentials, ``AWS_ENDPOINT_URL_SSM``, config files)
    botocore already reads.
    """
    region = region or os.environ.get("AWS_REGION") or None
    try:
        client: SSMClient = _client.make_client(
            "ssm", region=region, profile=profile, endpoint_url=endpoint_url
        )
    except NoRegionError as exc:
        raise ClientSetupError(
            "no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, "
            "or give the profile a region"
        ) from exc
    except (BotoCoreError, ValueError) as exc:  # ProfileNotFound, "Invalid endpoint: ..."
        raise ClientSetupError(f"cannot set up the SSM client: {exc}") from exc
    return client


def get(client: SSMClient, names: Sequence[str], paths: Sequence[str] = ()) -> Outcome:
    """Fetch ``names`` (10 per GetParameters call) and ``paths``, decrypted: the loader's fetch."""
    return fetch(client, dict.fromkeys(names), paths)


def put(
    client: SSMClient,
    name: str,
    value: str,
    *,
    options: Mapping[str, Any],
) -> int:
    """Write ``value`` and return the new version.

    Args:
        client: the SSM client.
        name: the parameter.
        value: what to write; it never appears in an error.
        options: the other PutParameter arguments (``Type``, ``KeyId``, ``Overwrite``, ...).
    """
    try:
        response = client.put_parameter(Name=name, Value=value, **options)
    except _AWS_ERRORS as exc:
        raise _scrubbed(_put_error(exc, name, options), value) from exc
    return int(response["Version"])


def stored_type(client: SSMClient, name: str) -> str | None:
    """The type ``name`` is stored as, or ``None`` when it does not exist yet.

    Read without decryption: no KMS call, and a SecureString's value stays encrypted.
    """
    try:
        response = client.get_parameter(Name=name, WithDecryption=False)
    except _AWS_ERRORS as exc:
        error = translate(exc, name, "GetParameter")
        if isinstance(error, ParameterNotFoundError):
            return None
        reason = f"{error.reason} (read to check the value against the stored type; pass --type)"
        raise type(error)(reason, name=name, code=error.code) from exc
    return str(response["Parameter"].get("Type", "String"))


def list_path(client: SSMClient, path: str, *, recursive: bool, values: bool) -> list[Fetched]:
    """Every parameter under ``path`` (all pages), sorted by name; decrypted only if ``values``."""
    found: list[Fetched] = []
    try:
        pages = client.get_paginator("get_parameters_by_path").paginate(
            Path=path, Recursive=recursive, WithDecryption=values
        )
        found.extend(_fetched(item) for page in pages for item in page.get("Parameters", []))
    except _AWS_ERRORS as exc:
        raise translate(exc, path, "GetParametersByPath") from exc
    return sorted(found, key=lambda item: item.name)


def read_tree(client: SSMClient, path: str) -> dict[str, Stored]:
    """Every parameter under ``path`` (recursive), decrypted, with its metadata, by full name.

    Values come from GetParametersByPath, which carries no description or tier; those come
    from DescribeParameters (names only, never values) filtered on the same path.
    """
    items = list_path(client, path, recursive=True, values=True)
    meta: dict[str, Mapping[str, Any]] = {}
    filters: dict[str, Any] = {}
    if path != "/":  # every name SSM holds is under "/": no filter needed (nor accepted)
        filters["ParameterFilters"] = [
            {"Key": "Path", "Option": "Recursive", "Values": [path.rstrip("/")]}
        ]
    try:
        for page in client.get_paginator("describe_parameters").paginate(**filters):
            meta.update((item["Name"], item) for item in page.get("Parameters", []))
    except _AWS_ERRORS as exc:
        raise translate(exc, path, "DescribeParameters") from exc
    return {item.name: _stored(item, meta.get(item.name, {})) for item in items}


def history(client: SSMClient, name: str, *, values: bool) -> list[Version]:
    """Every version of ``name``, oldest first; values (decrypted) only if ``values``."""
    try:
        pages = client.get_paginator("get_parameter_history").paginate(
            Name=name, WithDecryption=values
        )
        entries = [_version(item, values) for page in pages for item in page["Parameters"]]
    except _AWS_ERRORS as exc:
        raise translate(exc, name, "GetParameterHistory") from exc
    return sorted(entries, key=lambda entry: entry.version)


def delete(client: SSMClient, names: Sequence[str]) -> Iterator[Deletion]:
    """Delete ``names``, 10 per DeleteParameters call, yielding what each call did.

    A generator, so a caller can report the batches already deleted when a later one fails.
    """
    for batch in batches(dict.fromkeys(names)):
        try:
            response = client.delete_parameters(Names=list(batch))
        except _AWS_ERRORS as exc:
            raise translate(exc, ", ".join(batch), "DeleteParameters") from exc
        gone = set(response.get("DeletedParameters", []))
        missing = set(response.get("InvalidParameters", []))
        # Reported in the order asked, whatever order SSM answers in.
        yield Deletion(
            deleted=tuple(name for name in batch if name in gone),
            missing=tuple(name for name in batch if name in missing),
        )


def _put_error(exc: Exception, name: str, options: Mapping[str, Any]) -> FetchError:
    error = translate(exc, name, "PutParameter")
    if error.code == "ParameterAlreadyExists":
        return FetchError(
            "already exists and was left untouched; pass --overwrite to replace it",
            name=name,
            code=error.code,
        )
    if isinstance(error, DecryptionError):  # translate speaks of reads; this is a write
        key = options.get("KeyId", "the default key alias/aws/ssm")
        return DecryptionError(
            f"KMS refused to encrypt with {key}: {error.code}", name=name, code=error.code
        )
    return error


def _scrubbed(error: FetchError, value: str) -> FetchError:
    """The error with ``value`` cut out, should AWS echo it in a validation message."""
    if not value or value not in error.reason:
        return error
    reason = error.reason.replace(value, "<value>")
    return type(error)(reason, name=error.name, code=error.code)


def _fetched(item: Mapping[str, Any]) -> Fetched:
    return Fetched(
        name=item["Name"],
        value=item.get("Value", ""),
        type=item.get("Type", "String"),
        version=int(item.get("Version", 0)),
        last_modified=item.get("LastModifiedDate"),
    )


def _stored(item: Fetched, meta: Mapping[str, Any]) -> Stored:
    tier = meta.get("Tier")
    data_type = meta.get("DataType")
    return Stored(
        name=item.name,
        value=item.value,
        type=item.type,
        description=meta.get("Description") or None,
        tier=tier if tier and tier != "Standard" else None,
        data_type=data_type if data_type and data_type != "text" else None,
    )


def _version(item: Mapping[str, Any], values: bool) -> Version:
    return Version(
        name=item["Name"],
        version=int(item.get("Version", 0)),
        type=item.get("Type", "String"),
        last_modified=item.get("LastModifiedDate"),
        user=item.get("LastModifiedUser", ""),
        labels=tuple(item.get("Labels", [])),
        value=item.get("Value") if values else None,
    )


def combined(failures: Sequence[FetchError]) -> FetchError:
    """One error for several names: names sharing a reason are listed once, before it.

    ``main`` prints one line, so ten throttled names read ``/a, /b, ...: throttled ...``
    rather than the same sentence ten times.
    """
    if len(failures) == 1:
        return failures[0]
    groups: dict[tuple[type[FetchError], str], list[str]] = {}
    for failure in failures:
        groups.setdefault((type(failure), failure.reason), []).append(failure.name or "?")
    if len(groups) == 1:
        [((kind, reason), names)] = groups.items()
        return kind(reason, name=", ".join(names), code=failures[0].code)
    return FetchError(
        "; ".join(f"{', '.join(names)}: {reason}" for (_, reason), names in groups.items())
    )
