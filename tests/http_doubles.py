"""A local HTTP server on 127.0.0.1 (free port) that records each request and plays scripted
replies: for the tests of the client and of the generated client on a real socket, without the
mock's behaviour in the way.

It answers any method, sends a body as JSON or as given bytes (an empty one without a
Content-Type), can wait before answering or drop the connection without an answer, and stops
when its ``with`` block ends.
"""

from __future__ import annotations

import json
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


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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
            payload = (
                reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            )
            try:
                self.send_response(reply.status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the recorded requests instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll so that shutdown() returns at once, not after half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
