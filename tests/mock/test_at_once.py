"""tests/mock/helpers.py's ``at_once`` keeps its word: every request on a connection of its own,
all in flight together, however the requests divide among the servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.mock.helpers import at_once


@contextmanager
def server_answering_once_all_are_connected(requests: int) -> Iterator[str]:
    """A server that answers 200 only when ``requests`` connections are open at once, 503 if
    they never are (a request queued behind another on a shared connection)."""
    barrier = threading.Barrier(requests, timeout=5)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                barrier.wait()
                status = 200
            except threading.BrokenBarrierError:
                status = 503
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_that_do_not_divide_evenly_still_get_a_connection_each() -> None:
    # 5 requests over 2 servers: the first gets 3 of them (requests go to the servers in turn).
    with (
        server_answering_once_all_are_connected(3) as first,
        server_answering_once_all_are_connected(2) as second,
    ):
        responses = at_once([first, second], "POST", "/", json={}, key=None, times=5)
    assert [r.status_code for r in responses] == [200] * 5
