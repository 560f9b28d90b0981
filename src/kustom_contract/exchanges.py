"""The run's requests and answers as the conformance core takes them (kustom_conformance's
plain values): from Schemathesis' responses and from requests' own. The path loses the target's
base path, so that a server behind a prefix is held to the spec's routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests

from kustom_conformance import Exchange, Request, Response


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _body(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body


def request_of(prepared: requests.PreparedRequest, base_path: str = "") -> Request:
    url = urlsplit(prepared.url or "")
    path = url.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :]
    if url.query:
        path += f"?{url.query}"
    headers = [(name, _text(value)) for name, value in prepared.headers.items()]
    return Request.of(
        prepared.method or "GET",
        path,
        headers,
        _body(prepared.body),  # type: ignore[arg-type]  # requests types a file too
    )


def _pairs(headers: Any) -> Iterable[tuple[str, str]]:
    """Schemathesis' headers (a name -> list of values) or requests' (a name -> value)."""
    for name, value in headers.items():
        if isinstance(value, list):
            yield from ((name, str(item)) for item in value)
        else:
            yield name, str(value)


def from_schemathesis(response: Any, base_path: str = "") -> Exchange:
    """A case's exchange, from the response Schemathesis hands a check."""
    return Exchange(
        request_of(response.request, base_path),
        Response.of(response.status_code, list(_pairs(response.headers)), response.content),
    )


def from_requests(
    request: requests.PreparedRequest, response: requests.Response, base_path: str = ""
) -> Exchange:
    return Exchange(
        request_of(request, base_path),
        Response.of(response.status_code, list(_pairs(response.headers)), response.content),
    )
