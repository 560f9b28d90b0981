"""A local HTTP server on 127.0.0.1 (free port) that records each request and plays scripted
replies: for the tests of the client and of the generated client on a real socket, without the
mock's behaviour in the way.

It answers any method, sends a body as JSON or as given bytes (an empty one without a
Content-Type), can wait before answering or drop the connection without an answer, and stops
when its ``with`` block ends. Hostile replies too: the status line and headers, or the body,
dripped a byte at a time; a body repeated into a large one without holding it whole; the
request (path and headers) echoed back in Kustom's error shape. A dripping reply stops when the
client hangs up or the ``with`` block ends, whichever comes first.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # bytes as they are, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeout tests)
    drop: bool = False  # close the connection without an answer
    drip_head: float = 0.0  # seconds between bytes of the status line and headers
    drip_body: float = 0.0  # seconds between bytes of the body
    repeat: int = 1  # the body sent this many times over (Content-Length counts them all)
    echo: bool = False  # the body: the request line and headers, as Kustom's error_messages


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedServer:
    base_url: str = ""
    standing: Reply = field(default_factory=Reply)
    queue: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    def then(self, *replies: Reply) -> None:
        """Replies used once each, in order, before the standing one."""
        self.queue.extend(replies)

    def always(self, reply: Reply) -> None:
        self.standing = reply

    def next_reply(self) -> Reply:
        return self.queue.pop(0) if self.queue else self.standing


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet when the client hangs up (a deadline or a size cap did); loud otherwise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer()
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # the head and the body go out as two writes

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                Recorded(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
            )
            reply = state.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                return
            body = self._echo() if reply.echo else reply.body
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers = {"Content-Length": str(len(payload) * reply.repeat), **reply.headers}
            if payload:
                headers = {"Content-Type": "application/json", **headers}
            head = f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('',))[0]}\r\n"
            head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
            try:
                self._send(head.encode("latin-1"), reply.drip_head)
                for _ in range(reply.repeat):
                    self._send(payload, reply.drip_body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout or a cap test)

        def _send(self, data: bytes, drip: float) -> None:
            if not drip:
                self.wfile.write(data)
                return
            for index in range(len(data)):
                if stopping.wait(drip):
                    raise ConnectionResetError  # the server is stopping: hang up
                self.wfile.write(data[index : index + 1])

        def _echo(self) -> dict[str, Any]:
            lines = [f"{self.command} {self.path}"]
            lines += [f"{name}: {value}" for name, value in self.headers.items()]
            return {"error_code": "ECHO", "error_messages": lines, "correlation_id": self.path}

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the recorded requests instead."""

    server = _Server(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll so that shutdown() returns at once, not after half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
