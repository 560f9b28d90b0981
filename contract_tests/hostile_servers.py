"""Servers that misbehave as real ones sometimes do, for the tests of the contract run's bounds
and redaction (contract_tests/test_hostile_targets.py): each on 127.0.0.1 on a free port, any
method, keep-alive, and stopped (every connection with it) when its ``with`` block ends.

A behaviour gets each request with its number and writes the answer itself: ``fixed`` (one
status for everything), ``echo`` (the request whole, as JSON), ``silent`` (never answers),
``drip`` (an answer a byte at a time), ``garbage`` (bytes that are not HTTP), ``hang_up``
(closes the connection), ``forward`` (to another server, the request rewritten on the way: a
live run's credentials into the mock's), ``slow`` (another behaviour, late), ``in_turn`` (one
behaviour after another: a few answers, then silence). Not tests/http_doubles.py's scripted
server: it answers only the methods a client sends (a contract run sends TRACE too), and
only fixed replies.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Connection:
    """What a behaviour writes to, the event that says the server is stopping, and whether the
    behaviour closed the connection."""

    wfile: BinaryIO
    stopping: threading.Event
    closed: bool = False


Behaviour = Callable[[Request, int, Connection], None]


def answer(status: int, body: bytes) -> bytes:
    reason = http.client.responses.get(status, "Unknown")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


NOT_FOUND = answer(
    404,
    json.dumps(
        {"error_code": "NOT_FOUND", "error_messages": ["no"], "correlation_id": "hostile"}
    ).encode(),
)


def fixed(status: int) -> Behaviour:
    """``status`` with an error body in the API's shape, to every request."""
    body = json.dumps(
        {"error_code": "INTERNAL", "error_messages": ["no"], "correlation_id": "hostile"}
    ).encode()

    def behave(request: Request, number: int, connection: Connection) -> None:
        connection.wfile.write(answer(status, body))

    return behave


def echo(request: Request, number: int, connection: Connection) -> None:
    """200 with the request as JSON: method, path, every header and the body."""
    payload = {
        "method": request.method,
        "path": request.path,
        "headers": dict(request.headers),
        "body": request.body.decode("utf-8", "replace"),
    }
    connection.wfile.write(answer(200, json.dumps(payload).encode()))


def silent(request: Request, number: int, connection: Connection) -> None:
    connection.stopping.wait()


def drip(every: float, *, head_at_once: bool = False) -> Behaviour:
    """A well-formed 404, one byte each ``every`` seconds: all of it, or only its body."""

    def behave(request: Request, number: int, connection: Connection) -> None:
        head, _, body = NOT_FOUND.partition(b"\r\n\r\n")
        dripped = body if head_at_once else NOT_FOUND
        if head_at_once:
            connection.wfile.write(head + b"\r\n\r\n")
        for byte in dripped:
            connection.wfile.write(bytes([byte]))
            connection.wfile.flush()
            if connection.stopping.wait(every):
                return

    return behave


def garbage(request: Request, number: int, connection: Connection) -> None:
    connection.wfile.write(b"what is HTTP?\r\n\r\n")


def hang_up(request: Request, number: int, connection: Connection) -> None:
    connection.closed = True


def forward(base_url: str, rewrite: Callable[[str], str]) -> Behaviour:
    """Each request sent on to ``base_url`` with ``rewrite`` applied to its path and header
    values, and the answer sent back as it came."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port

    def behave(request: Request, number: int, connection: Connection) -> None:
        upstream = http.client.HTTPConnection(host or "", port, timeout=30)
        try:
            headers = {name: rewrite(value) for name, value in request.headers}
            upstream.request(request.method, rewrite(request.path), request.body, headers)
            response = upstream.getresponse()
            body = response.read()
        finally:
            upstream.close()
        head = [f"HTTP/1.1 {response.status} {response.reason}"]
        head += [
            f"{name}: {value}"
            for name, value in response.getheaders()
            if name.lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        head.append(f"Content-Length: {len(body)}")
        connection.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    return behave


def slow(seconds: float, behaviour: Behaviour) -> Behaviour:
    def behave(request: Request, number: int, connection: Connection) -> None:
        if not connection.stopping.wait(seconds):
            behaviour(request, number, connection)

    return behave


def in_turn(*behaviours: Behaviour) -> Behaviour:
    """The n-th request (counted over every connection) gets the n-th behaviour; every request
    after the last behaviour's turn gets the last."""

    def behave(request: Request, number: int, connection: Connection) -> None:
        behaviours[min(number, len(behaviours) - 1)](request, number, connection)

    return behave


def _read(rfile: BinaryIO) -> Request | None:
    line = rfile.readline(65537)
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = http.client.parse_headers(rfile)
    body = rfile.read(int(headers.get("Content-Length", "0")))
    return Request(method, path, list(headers.items()), body)


@contextmanager
def hostile_server(behaviour: Behaviour) -> Iterator[str]:
    """The server's base URL while the block runs."""
    stopping = threading.Event()
    numbers = itertools.count()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            connection = Connection(self.wfile, stopping)  # type: ignore[arg-type]
            while not stopping.is_set() and not connection.closed:
                try:
                    request = _read(self.rfile)  # type: ignore[arg-type]
                    if request is None:
                        return
                    behaviour(request, next(numbers), connection)
                    self.wfile.flush()
                except (OSError, ValueError):
                    return  # the client gave up, or sent what this server cannot read

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
