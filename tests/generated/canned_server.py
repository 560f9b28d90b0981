"""A local HTTP server on 127.0.0.1 that records each request and answers a canned response.

Used to test the generated client on a real socket without the mock's behaviour in the way.
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


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CannedServer:
    base_url: str
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # Answers used once each, in order, before the standing answer: (status, body, headers, delay).
    script: list[tuple[int, Any, dict[str, str], float]] = field(default_factory=list)

    def answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}

    def then(
        self, status: int, body: Any, headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        self.script.append((status, body, headers or {}, delay))

    def next_answer(self) -> tuple[int, Any, dict[str, str], float]:
        if self.script:
            return self.script.pop(0)
        return self.status, self.body, self.headers, 0.0


@contextmanager
def canned_server() -> Iterator[CannedServer]:
    state = CannedServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._answer()

        def do_GET(self) -> None:
            self._answer()

        def do_PATCH(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                Recorded(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
            )
            status, body, headers, delay = state.next_answer()
            if delay:
                time.sleep(delay)
            payload = b"" if body is None else json.dumps(body).encode()
            try:
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the recorded requests instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
