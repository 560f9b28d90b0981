"""uvicorn's httptools protocol with the server's limits enforced while reading, and Kustom's
error object for every request it refuses itself.

Why here rather than another server: uvicorn with httptools has none of these limits (httptools
buffers a header of any size, and nothing times out but idle keep-alive), but granian, the
server that has most of them built in, never closes a connection that sends nothing, has no
body timeout, answers a malformed request with an empty 400 and cannot report the port it
picked for ``--port 0``. A subclass of uvicorn's ``HttpToolsProtocol`` adds all of them in one
place, on the same fast stack; nothing of uvicorn's is patched. ``MockServer.startup``
(server.py) builds it directly for each connection the gate accepts, with the flags' limits,
rather than naming it in uvicorn's ``Config(http=...)``.

What one connection may hold (``ServerLimits``, docs/mock.md, "Flags"):

- bytes: the head of a request (request line and headers) is fed to the parser no further than
  ``max_header_bytes``, so httptools never buffers more; the URL and the number of header
  fields are counted in the parser's callbacks. Past them: 414 or 431, and the connection is
  closed (the rest is not read);
- time: a request's head must arrive within ``header_timeout`` of its first byte, its body
  within ``body_timeout`` of the head, and a connection with no request in progress (new, or
  after an answer) is closed after ``keep_alive_timeout``. The first two answer 408. A timer
  does not fire while the server itself has stopped reading (flow control): then the client
  is not the one that is slow;
- an answer sent before the request's body was read (a 413, a 401, ...) closes the connection
  instead of reading and discarding the rest of the body.
"""

from __future__ import annotations

import asyncio
import functools
import http
import json
import socket
import struct
import time
import uuid
from asyncio import TimerHandle
from typing import TYPE_CHECKING, Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kustom_mock.asgi import CONNECTION_EXTENSION
from kustom_mock.errors import printable
from kustom_mock.limits import DEFAULTS as DEFAULT_LIMITS
from kustom_mock.limits import ServerLimits
from kustom_spec import load_spec, read_names

if TYPE_CHECKING:
    from kustom_mock.connections import ConnectionGate


@functools.cache
def bundled_correlation_header() -> str:
    """The correlation header of the bundled openapi.yaml: for the protocol used as a plain
    uvicorn class, with no app's spec to read it from."""
    return read_names(load_spec()).correlation_id


def raw_head(status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
    """An HTTP/1.1 answer's status line and headers, as written on the wire."""
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n".encode()]
    lines += [name + b": " + value + b"\r\n" for name, value in headers]
    return b"".join([*lines, b"\r\n"])


def protocol_error_response(detail: str, status: int, correlation_header: str) -> bytes:
    """A complete HTTP answer in Kustom's error shape, for the protocol to write itself."""
    correlation_id = str(uuid.uuid4())
    body = json.dumps(
        {
            "correlation_id": correlation_id,
            "error_code": "BAD_REQUEST",
            "error_messages": [printable(detail)],
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (correlation_header.lower().encode(), correlation_id.encode()),
        (b"connection", b"close"),
    ]
    return raw_head(status, headers) + body


class Refused(Exception):
    """Raised in a parser callback: the request breaks a limit and gets ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class KustomHttpToolsProtocol(HttpToolsProtocol):
    """Made by MockServer with the flags' limits, its ConnectionGate and the app's spec's
    correlation header; as a plain uvicorn ``Config(http=...)`` class it keeps the default
    limits, without the connection cap, and the bundled spec's correlation header."""

    def __init__(
        self,
        *args: Any,
        limits: ServerLimits = DEFAULT_LIMITS,
        gate: ConnectionGate | None = None,
        correlation_header: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.gate = gate
        self.correlation_header = correlation_header or bundled_correlation_header()
        # uvicorn types it int; call_later takes the float seconds of the flag.
        self.timeout_keep_alive = limits.keep_alive_timeout  # type: ignore[assignment]
        # When the connection last became idle (no request in progress); None while busy.
        self.idle_since: float | None = None
        self._reading_head = True  # the next bytes belong to a request's head
        self._begun = False  # a request's first byte has been parsed and it is not complete
        self._completed = False  # a request was completed during the current read
        self._head_bytes = 0
        self._url_bytes = 0
        self._header_count = 0
        self._deadline: TimerHandle | None = None  # the head's or the body's, never both

    # Connection life
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        cut: dict[object, object] = {"cut": self._cut}
        self._extensions = {CONNECTION_EXTENSION: cut}
        # A connection that never sends a byte is idle from the start, so the keep-alive
        # timeout closes it (uvicorn arms it only after a first answer).
        self._become_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._cancel_deadline()
        self._unset_keepalive_if_required()
        self.idle_since = None
        if self.gate is not None:
            self.gate.release(self)

    def close_idle(self) -> None:
        """Called by the gate to make room for a new connection."""
        self.idle_since = None
        self._unset_keepalive_if_required()
        self.transport.close()

    def _become_idle(self) -> None:
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )
        self._note_idle()

    def _note_idle(self) -> None:
        self.idle_since = time.monotonic()
        if self.gate is not None:
            self.gate.idle_now()

    # Reading
    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self.idle_since = None
        self._completed = False
        view = memoryview(data)
        try:
            while view and not self.transport.is_closing():
                if self._reading_head:
                    # Feed the head no further than its limit: httptools keeps a header's
                    # bytes until the header ends, however many there are.
                    room = self.limits.max_header_bytes - self._head_bytes
                    if room <= 0:
                        raise Refused(
                            431,
                            f"Request headers are larger than {self.limits.max_header_bytes} bytes",
                        )
                    piece, view = view[:room], view[room:]
                    self._head_bytes += len(piece)
                else:
                    piece, view = view, view[:0]
                self.parser.feed_data(piece)
        except Refused as over_limit:
            self._refuse(over_limit.status, over_limit.message, mid_response_ok=False)
            return
        except httptools.HttpParserUpgrade:
            # No WebSocket here: the request was answered as an ordinary one, and the parser
            # reads no more HTTP after an upgrade, so the connection closes after the answer.
            if self.cycle is not None and not self.cycle.response_complete:
                self.cycle.keep_alive = False
            else:
                self.transport.close()
            return
        except httptools.HttpParserError as exc:
            refusal = exc.__context__
            if isinstance(refusal, Refused):  # raised in a callback, wrapped by httptools
                self._refuse(refusal.status, refusal.message, mid_response_ok=False)
            else:
                self.send_400_response(f"Malformed HTTP request: {exc}")
            return
        # Deadlines only for a request left incomplete by this read: one that arrives whole
        # (the usual case) costs no timer. Bytes that neither began nor ended a request (empty
        # lines) count as a head begun, so that dripping them cannot hold a connection.
        if self.transport.is_closing():
            return
        if not self._reading_head:
            self._arm_deadline(self.limits.body_timeout, "body")
        elif self._begun or not self._completed:
            self._arm_deadline(self.limits.header_timeout, "headers")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._begun = True
        # One dict per connection, not per request: the cut ends the connection, and with it
        # every request on it.
        self.scope["extensions"] = self._extensions

    def _cut(self, data: bytes, *, reset: bool = False) -> None:
        """Write ``data`` as it is and close the connection (``reset``: abort it with a TCP RST
        instead, nothing more written), ending its requests for uvicorn too: it neither answers
        for the app nor says the app left an answer unfinished."""
        for cycle in [self.cycle, *(cycle for cycle, _ in self.pipeline)]:
            if cycle is not None:
                cycle.disconnected = True
        if self.transport.is_closing():
            return
        if reset:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:  # linger 0: close() sends RST, not FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()
            return
        self.transport.write(data)
        self.transport.close()

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.limits.max_url_bytes:
            raise Refused(414, f"Request URL is longer than {self.limits.max_url_bytes} bytes")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            raise Refused(431, f"Request has more than {self.limits.max_headers} headers")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_deadline()  # the head's; the body's is armed if the read ends before it
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        self._reading_head = True
        self._begun = False
        self._completed = True
        self._head_bytes = self._url_bytes = self._header_count = 0
        super().on_message_complete()

    # Answering
    def on_response_complete(self) -> None:
        cycle = self.cycle
        if cycle.response_complete and cycle.more_body and not self.transport.is_closing():
            # Answered before the body was read (a 413, a 401): close rather than read and
            # discard the rest of it.
            self.transport.close()
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # uvicorn armed it: no answer pending
            if self._begun:  # ... but the next request is on its way in: not idle
                self._unset_keepalive_if_required()
            else:
                self._note_idle()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, msg, mid_response_ok=False)

    def _refuse(self, status: int, message: str, *, mid_response_ok: bool) -> None:
        """Answer ``status`` in Kustom's shape and close, unless an answer is being written
        (then only close: bytes of two answers must not mix)."""
        cycle = self.cycle
        can_answer = (
            cycle is None
            or cycle.response_complete
            or (mid_response_ok and not cycle.response_started)
        )
        self.logger.info("Refused a request: %d %s", status, message)
        if can_answer and not self.transport.is_closing():
            self.transport.write(protocol_error_response(message, status, self.correlation_header))
        self.transport.close()

    # Deadlines
    def _arm_deadline(self, seconds: float, what: str) -> None:
        if self._deadline is not None:
            return  # armed when the head or body began: dripping does not extend it
        self._deadline = self.loop.call_later(seconds, self._deadline_passed, seconds, what)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self, seconds: float, what: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server stopped reading, not the client: wait on
            self._arm_deadline(seconds, what)
            return
        self._refuse(
            408, f"Request {what} not received within {seconds:g} s", mid_response_ok=what == "body"
        )
