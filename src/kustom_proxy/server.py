"""uvicorn serving the proxy, with the limits of the mock's server (docs/mock.md, "Flags")
on what one client may hold.

uvicorn's h11 protocol, not httptools: h11 bounds the head it buffers
(``h11_max_incomplete_event_size``, here ``max_header_bytes``), which httptools does not. What
neither has is added by a small subclass, ``ProxyProtocol``: a connection that sends nothing is
closed after ``keep_alive_timeout`` from the start (uvicorn arms it only after an answer); a
head must arrive within ``header_timeout`` of its first byte (then 408), and be no longer than
``max_header_bytes`` even when it comes whole in one read (then 431); past
``max_connections`` open connections a new one gets 503; and the answers the protocol writes
itself (a malformed or oversized head) are in Kustom's error shape. The body's deadline is the
app's (app.py). Another server was not needed: these are a few small overrides of uvicorn's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from kustom_proxy.config import ProxyLimits
from kustom_proxy.own_answers import own_answer

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACEFUL_SECONDS = 10  # exchanges in progress at a stop get this long to finish


def protocol_class(limits: ProxyLimits, correlation_header: str) -> type[H11Protocol]:
    """uvicorn's h11 protocol with ``limits``, answering in the spec's correlation header."""

    class ProxyProtocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn types it int; call_later takes the flag's float seconds.
            self.timeout_keep_alive = limits.keep_alive_timeout  # type: ignore[assignment]
            self._head_deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                self._refuse(
                    503, f"more than {limits.max_connections} connections are open; try again"
                )
                return
            # Idle from the start: closed after keep_alive_timeout unless a request begins.
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_deadline()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if (
                self.conn.their_state is h11.IDLE
                and self._head_bytes(data) > limits.max_header_bytes
            ):
                self._refuse(431, f"the request's head is over {limits.max_header_bytes} bytes")
                return
            super().data_received(data)
            self._watch_head()

        def _head_bytes(self, data: bytes) -> int:
            """How long the head being read is, as far as it has come (h11 bounds only a head
            that is still incomplete when a read ends, not one that came whole)."""
            buffered = self.conn.trailing_data[0] + data
            end = buffered.find(b"\r\n\r\n")
            return len(buffered) if end < 0 else end + 4

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch_head()

        def send_400_response(self, msg: str) -> None:
            self._refuse(
                400,
                f"a malformed HTTP request, or a head over {limits.max_header_bytes} bytes",
            )

        def _reading_head(self) -> bool:
            """Part of a request's head has come, the rest not yet."""
            return self.conn.their_state is h11.IDLE and bool(self.conn.trailing_data[0])

        def _watch_head(self) -> None:
            if self.transport.is_closing() or not self._reading_head():
                self._cancel_head_deadline()
            elif self._head_deadline is None:  # armed once per head: dripping cannot extend it
                self._head_deadline = self.loop.call_later(
                    limits.header_timeout, self._head_too_slow
                )

        def _cancel_head_deadline(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None

        def _head_too_slow(self) -> None:
            self._head_deadline = None
            if not self.transport.is_closing() and self._reading_head():
                self._refuse(
                    408, f"the request's head did not come within {limits.header_timeout:g} s"
                )

        def _refuse(self, status: int, message: str) -> None:
            self._cancel_head_deadline()
            self._unset_keepalive_if_required()
            if not self.transport.is_closing():
                self.transport.write(own_answer(status, message, correlation_header).as_bytes())
                self.transport.close()

    return ProxyProtocol


class ProxyServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop gracefully on SIGINT/SIGTERM and return (uvicorn would re-raise them), so that
        the summary is printed and the process exits 0."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.handle_exit)
        yield


def uvicorn_config(
    app: Any, limits: ProxyLimits, correlation_header: str, log_level: str
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=protocol_class(limits, correlation_header),
        ws="none",  # no WebSocket: an Upgrade header is an ordinary request
        lifespan="on",
        log_level=log_level,
        access_log=False,  # the proxy writes its own lines, without credentials
        log_config=None,
        server_header=False,  # the upstream's headers only: no Server or Date of uvicorn's
        date_header=False,
        proxy_headers=False,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
