"""The accept loop: at most ``cap`` open connections per process, and never an accept that would
run out of file descriptors.

uvloop (libuv) accepts every pending connection in one go, and when the process runs out of
file descriptors it accepts and drops the whole backlog, valid requests included; uvicorn's
``limit_concurrency`` only answers 503 after a connection is already open. So the mock accepts
connections itself: while under the cap it accepts a few at a time; at the cap a new connection
closes the connection that has been idle longest (a client that holds sockets open without
sending cannot lock others out), and when none is idle accepting pauses, so new connections wait
in the kernel's backlog until an answer frees a connection or one closes.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kustom_mock.protocol import KustomHttpToolsProtocol

logger = logging.getLogger("kustom_mock.connections")

ACCEPT_BATCH = 16  # connections accepted per wake-up, so the loop also serves the open ones
# Descriptors kept for everything else (the database, logs, pipes, the listening socket) and
# for connections accepted in one batch before evicted ones are closed.
RESERVED_FDS = 64


def connection_cap(requested: int) -> int:
    """``requested``, lowered so that the open connections fit the open-file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, soft - RESERVED_FDS))


class ConnectionGate:
    """Accepts on ``sock`` and hands each connection to ``new_protocol``, within ``cap``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        new_protocol: Callable[[ConnectionGate], KustomHttpToolsProtocol],
        cap: int,
    ) -> None:
        self.loop = loop
        self.sock = sock
        self.new_protocol = new_protocol
        self.cap = cap
        self.open: set[KustomHttpToolsProtocol] = set()
        self.pending = 0  # accepted, protocol not yet made
        self.accepting = False
        self.closed = False
        self.tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.sock.setblocking(False)
        self._resume()

    def close(self) -> None:
        """Stop accepting (at shutdown); open connections are uvicorn's to close."""
        self.closed = True
        self._pause()

    def release(self, connection: KustomHttpToolsProtocol) -> None:
        """A connection has closed: room for a waiting one."""
        self.open.discard(connection)
        self._resume()

    def idle_now(self) -> None:
        """A connection has become idle: at the cap, a waiting one may take its place."""
        self._resume()

    def _resume(self) -> None:
        if not self.accepting and not self.closed:
            self.accepting = True
            self.loop.add_reader(self.sock.fileno(), self._accept_some)

    def _pause(self) -> None:
        if self.accepting:
            self.accepting = False
            self.loop.remove_reader(self.sock.fileno())

    def _make_room(self) -> bool:
        """Under the cap, or brought under it by closing the longest-idle connection."""
        if len(self.open) + self.pending < self.cap:
            return True
        idle = [c for c in self.open if c.idle_since is not None]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.idle_since or 0.0)
        self.open.discard(oldest)  # its descriptor is closed on the loop's next turn
        oldest.close_idle()
        return True

    def _accept_some(self) -> None:
        for _ in range(ACCEPT_BATCH):
            if not self._make_room():
                self._pause()  # resumed by release() or idle_now()
                return
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                logger.warning("cannot accept a connection: %s", exc.strerror)
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    # Out of descriptors or memory despite the cap (something else holds
                    # them): leave the connections in the backlog and try again shortly,
                    # rather than drop them.
                    self._pause()
                    self.loop.call_later(0.1, self._resume)
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed ACK
            self.pending += 1
            task = self.loop.create_task(self._serve(conn))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _serve(self, conn: socket.socket) -> None:
        made_protocol = False

        def made() -> KustomHttpToolsProtocol:
            nonlocal made_protocol
            made_protocol = True
            self.pending -= 1
            protocol = self.new_protocol(self)
            self.open.add(protocol)
            return protocol

        try:
            await self.loop.connect_accepted_socket(made, conn)
        except OSError:  # reset before it could be served
            conn.close()
            if not made_protocol:
                self.pending -= 1
                self._resume()
