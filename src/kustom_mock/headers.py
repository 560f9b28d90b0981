"""The request's headers as a checked mapping: one value for each header that may only have
one. The contract's header names come from the app's own spec (``MockApp.names``, read by
``kustom_spec.read_names``), not from here: ``--spec`` may name them otherwise."""

from __future__ import annotations

from collections.abc import Iterable

from kustom_mock.errors import bad_request
from kustom_spec import Names

MAX_HEADER_BYTES = 16 * 1024


def single_value_headers(names: Names) -> frozenset[str]:
    """The headers a request may send once only, lower-cased.

    A proxy in front that reads the first of two such headers would see another identity,
    key or body than the mock: a repeat is refused rather than guessed at."""
    return frozenset(
        {"authorization", names.idempotency_key.lower(), "content-type", "content-length", "host"}
    )


def read_headers(
    raw: Iterable[tuple[bytes, bytes]], http_version: str, single_value: frozenset[str]
) -> dict[str, str]:
    """Lower-cased names to values (latin-1, as sent); a 400 ApiError for a repeated header of
    ``single_value`` (single_value_headers), a header section over MAX_HEADER_BYTES or a
    missing/invalid Host."""
    headers: dict[str, str] = {}
    size = 0
    for name_bytes, value_bytes in raw:
        size += len(name_bytes) + len(value_bytes)
        name = name_bytes.decode("latin-1").lower()
        value = value_bytes.decode("latin-1")
        if name in headers:
            if name in single_value:
                raise bad_request(f"Header {name} is repeated; send it once")
            headers[name] += ", " + value
        else:
            headers[name] = value
    if size > MAX_HEADER_BYTES:
        raise bad_request(f"Request headers are larger than {MAX_HEADER_BYTES} bytes")
    host = headers.get("host")
    if http_version == "1.1" and host is None:
        raise bad_request("Header host is required in HTTP/1.1")
    if host is not None and (not host.strip() or any(c in host for c in " \t\\/@")):
        raise bad_request("Header host is not a valid host")
    return headers
