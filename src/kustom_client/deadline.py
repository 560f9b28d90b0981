"""The call's deadline: one bound on a whole call, its attempts, waits and reading included.

httpx's timeouts bound each network operation, not a request (encode/httpx#1450): a server
that sends one byte every half second never trips a 2 s read timeout. So the clients

- check the deadline before each attempt, before each wait and between chunks of the body,
  and cut each attempt's httpx timeouts to the time left;
- the async client runs each attempt under ``asyncio.timeout`` (the time left), which cancels
  it wherever it is, even in the status line or the headers;
- the sync client has no such primitive (a thread cannot be interrupted in ``recv``), so the
  httpx client it builds reads through a network backend that cuts every connect, read and
  write to the time left of the call in progress (``bound_reads``). httpcore's network backend
  is its public extension point; httpx just has no argument for it.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

TimeoutTypes = float | httpx.Timeout | None

# The monotonic time at which the call in progress in this thread (or task) must end.
_ENDS_AT: ContextVar[float | None] = ContextVar("kustom_deadline", default=None)


class DeadlinePassed(Exception):
    """The deadline passed between two chunks of the body; the call turns it into
    APITimeoutError."""


@dataclass(frozen=True)
class Deadline:
    """When a call must end: ``seconds`` after it started (None: no deadline)."""

    seconds: float | None
    ends_at: float | None  # time.monotonic()

    @classmethod
    def start(cls, seconds: float | None) -> Deadline:
        return cls(seconds, None if seconds is None else time.monotonic() + seconds)

    def remaining(self) -> float | None:
        """Seconds left (0 or less when passed); None without a deadline."""
        return None if self.ends_at is None else self.ends_at - time.monotonic()

    def passed(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def check(self) -> None:
        if self.passed():
            raise DeadlinePassed

    def cut(self, timeout: TimeoutTypes) -> TimeoutTypes:
        """``timeout`` with no phase longer than the time left."""
        left = self.remaining()
        if left is None:
            return timeout
        left = max(left, 0.001)  # 0 would mean "do not block" to a socket, not "no time"
        phases = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        return httpx.Timeout(
            connect=_shorter(phases.connect, left),
            read=_shorter(phases.read, left),
            write=_shorter(phases.write, left),
            pool=_shorter(phases.pool, left),
        )

    @contextmanager
    def bounding(self) -> Iterator[None]:
        """While inside, every network operation of a client made by ``bound_reads`` in this
        thread or task ends by the deadline."""
        token = _ENDS_AT.set(self.ends_at)
        try:
            yield
        finally:
            _ENDS_AT.reset(token)


def _shorter(timeout: float | None, left: float) -> float:
    return left if timeout is None else min(timeout, left)


def _cut(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    """A network operation's timeout cut to the time left; ``error`` when none is left."""
    ends_at = _ENDS_AT.get()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        raise error("the call's deadline passed")
    return _shorter(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _cut(timeout, httpcore.ConnectTimeout)
        )
        return _BoundedStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _cut(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _BoundedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _cut(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _BoundedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_reads(client: httpx.Client) -> httpx.Client:
    """``client`` with every connection pool it has (direct, and the proxies httpx mounts from
    the environment) on the deadline's network backend. httpx builds those pools in its own
    ``__init__`` and takes no backend, so this reaches for the pools' attribute; a test fails
    when an httpx release moves it (tests/client/test_hostile_servers.py)."""
    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _BoundedBackend
        ):
            pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]
    return client
