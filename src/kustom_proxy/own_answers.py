"""The proxy's own answers, in Kustom's error shape (``error_code``, ``error_messages``,
``correlation_id``, the correlation id in the spec's header too): for an upstream that is down
(502) or slow (504), and for a client the proxy refuses before any upstream sees its request
(a malformed or oversized head, a slow one, too many connections). Each message says that the
proxy answered, not Kustom."""

from __future__ import annotations

import http
import json
import uuid
from dataclasses import dataclass

from kustom_proxy.wire import RawHeaders

CODES = {
    400: "BAD_REQUEST",
    408: "REQUEST_TIMEOUT",
    431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


@dataclass(frozen=True)
class OwnAnswer:
    status: int
    headers: RawHeaders
    body: bytes

    def as_bytes(self) -> bytes:
        """The whole HTTP/1.1 answer, for a protocol to write itself (it then closes)."""
        head = [f"HTTP/1.1 {self.status} {http.HTTPStatus(self.status).phrase}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in self.headers]
        return b"".join([*head, b"connection: close\r\n\r\n", self.body])


def own_answer(status: int, message: str, correlation_header: str) -> OwnAnswer:
    correlation_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "correlation_id": correlation_id,
            "error_code": CODES[status],
            "error_messages": [f"kustom-proxy: {message}"],
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (correlation_header.lower().encode(), correlation_id.encode()),
    ]
    return OwnAnswer(status, headers, body)
