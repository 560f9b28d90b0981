"""Raw HTTP/1.1 on a socket, for the reliability tests: requests built byte by byte (so that
malformed ones can be sent) and the mock's answer read back."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.mock.helpers import FULL_ORDER

API_KEY = "kco_test_api_merchant_a"
AUTH = "Basic " + base64.b64encode(f"M-TEST-A-4f2c:{API_KEY}".encode()).decode()
PATH = "/customer-token/v1/tokens/tok_active/order"
VALID = json.dumps(FULL_ORDER).encode()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(
    body: bytes = VALID,
    *,
    method: str = "POST",
    path: str = PATH,
    headers: dict[str, str] | None = None,
    content_type: str | None = "application/json",
    chunked: bool = False,
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: {AUTH}",
        "Connection: close",
    ]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if chunked:
        return head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    return head + body


def send(url: str, payload: bytes, timeout: float = 20.0) -> Reply | None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        # The server may answer early (413) and close; read what it said.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(payload)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    data = b"".join(chunks)
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return Reply(int(status_line.split()[1]), headers, body)
