"""uvicorn's HTTP protocol with Kustom's error object for requests it rejects itself.

uvicorn answers a request it cannot parse (malformed framing, bad header bytes) with a plain
text 400 before the app sees it; overriding that one method keeps every answer in the error
shape. Subclassing is uvicorn's documented way to pick a protocol (Config(http=...)).
"""

from __future__ import annotations

import json
import uuid

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def protocol_error_response(detail: str) -> bytes:
    correlation_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "correlation_id": correlation_id,
            "error_code": "BAD_REQUEST",
            "error_messages": [f"Malformed HTTP request: {detail[:200]}"],
        }
    ).encode()
    return b"".join(
        [
            b"HTTP/1.1 400 Bad Request\r\n",
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"klarna-correlation-id: " + correlation_id.encode() + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
    )


class KustomHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        self.transport.write(protocol_error_response(msg))
        self.transport.close()
