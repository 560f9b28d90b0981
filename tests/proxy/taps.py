"""A TCP relay that records the bytes each way, per connection (``tap``), and the answers in
them split out (``answers``): put one on each side of the proxy and compare what the upstream
sent with what the client got, byte for byte but for the hop-by-hop headers, which HTTP says
belong to each connection (and the chunked framing they announce)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"proxy-connection", b"te"}


@dataclass
class Recorded:
    to_server: bytearray = field(default_factory=bytearray)
    to_client: bytearray = field(default_factory=bytearray)


@dataclass
class Tap:
    url: str
    connections: list[Recorded] = field(default_factory=list)

    def answers(self) -> list[Answer]:
        return [answer for c in self.connections for answer in answers(c)]

    def requests(self) -> list[Message]:
        return [m for c in self.connections for m in messages(bytes(c.to_server), requests=True)]


def _pump(source: socket.socket, sink: socket.socket, into: bytearray) -> None:
    """Relay one direction until its end, then pass the end on (a half-close), leaving the
    other direction be: a server that answers early and closes (the mock's 401 before a long
    body) still gets its answer through. When the sink is gone the source is still drained, as
    the sink's kernel would answer the writer, so that the writer does not wait on a full
    buffer."""
    sink_open = True
    try:
        while data := source.recv(65536):
            into += data
            if sink_open:
                try:
                    sink.sendall(data)
                except OSError:
                    sink_open = False
    except OSError:
        pass
    finally:
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@contextmanager
def tap(target_url: str) -> Iterator[Tap]:
    """A relay on a free loopback port to the server at ``target_url``, closed on exit."""
    parts = urlsplit(target_url)
    target = (parts.hostname or "127.0.0.1", parts.port or 80)
    listener = socket.create_server(("127.0.0.1", 0))
    found = Tap(f"http://127.0.0.1:{listener.getsockname()[1]}")
    sockets: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(target)
            record = Recorded()
            found.connections.append(record)
            sockets.extend((client, server))
            for args in ((client, server, record.to_server), (server, client, record.to_client)):
                thread = threading.Thread(target=_pump, args=args, daemon=True)
                thread.start()
                threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield found
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept (close alone does not)
        listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in [acceptor, *threads]:
            thread.join(timeout=10)


@dataclass(frozen=True)
class Message:
    start: bytes  # the request line or the status line
    headers: tuple[tuple[bytes, bytes], ...]  # as sent, hop-by-hop ones left out
    body: bytes  # de-chunked

    @property
    def method(self) -> bytes:
        return self.start.split(b" ", 1)[0]

    def header(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)


Answer = Message


def messages(data: bytes, *, requests: bool, methods: list[bytes] | None = None) -> list[Message]:
    """The HTTP/1.1 messages in one direction of a connection (``methods``: of the requests the
    answers are to, for HEAD's bodiless answers)."""
    found: list[Message] = []
    position = 0
    asked = iter(methods or [])
    while position < len(data):
        end = data.find(b"\r\n\r\n", position)
        if end < 0:
            break
        start, *lines = data[position:end].split(b"\r\n")
        position = end + 4
        raw = [tuple(part.strip() for part in line.split(b":", 1)) for line in lines]
        pairs = [(name, value) for name, value in raw]
        framing = {name.lower(): value for name, value in pairs}
        status = 0 if requests else int(start.split(b" ")[1])
        if not requests and 100 <= status < 200:
            continue  # an interim answer: the final one follows
        method = b"" if requests else next(asked, b"")
        body = b""
        if (not requests and (status in (204, 304) or method == b"HEAD")) or (
            requests and b"content-length" not in framing and b"transfer-encoding" not in framing
        ):
            pass
        elif framing.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                line_end = data.index(b"\r\n", position)
                size = int(data[position:line_end].split(b";")[0], 16)
                position = line_end + 2
                if size == 0:
                    position = data.index(b"\r\n\r\n", position - 2) + 4
                    break
                body += data[position : position + size]
                position += size + 2
        elif b"content-length" in framing:
            length = int(framing[b"content-length"])
            body = data[position : position + length]
            position += length
        else:  # an answer that ends with the connection
            body, position = data[position:], len(data)
        kept = tuple(pair for pair in pairs if pair[0].lower() not in HOP_BY_HOP)
        found.append(Message(start, kept, body))
    return found


def answers(connection: Recorded) -> list[Answer]:
    asked = messages(bytes(connection.to_server), requests=True)
    return messages(bytes(connection.to_client), requests=False, methods=[m.method for m in asked])
