"""uvicorn's server with the mock's own accept loop (connections.py) and protocol
(protocol.py), in one process or in ``--workers N`` forked processes on one socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from kustom_mock.connections import ConnectionGate, connection_cap
from kustom_mock.limits import ServerLimits
from kustom_mock.protocol import KustomHttpToolsProtocol

logger = logging.getLogger("kustom_mock.server")

WORKER_STOP_SECONDS = 30.0  # a worker still running this long after SIGTERM is killed
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
EXIT_BAD_SETUP = 2  # a worker that cannot build the app: the same would happen on a restart


class MockServer(uvicorn.Server):
    """``uvicorn.Server`` accepting through a ConnectionGate instead of ``loop.create_server``
    (which cannot cap connections before the process runs out of descriptors)."""

    def __init__(
        self,
        config: uvicorn.Config,
        limits: ServerLimits,
        parent_pid: int | None = None,
        correlation_header: str | None = None,
    ) -> None:
        super().__init__(config)
        self.limits = limits
        self.parent_pid = parent_pid  # a worker stops when its supervisor is gone
        # The app's spec's (MockApp.correlation_header), for the answers the protocol writes
        # itself; None: the bundled spec's.
        self.correlation_header = correlation_header
        self.gate: ConnectionGate | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Shut down gracefully on SIGINT/SIGTERM, then exit 0 (uvicorn would re-raise them)."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.handle_exit)
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        if sockets is None or len(sockets) != 1:
            raise RuntimeError("MockServer serves the one socket the mock bound")
        loop = asyncio.get_running_loop()
        config, state = self.config, self.server_state

        def new_protocol(gate: ConnectionGate) -> KustomHttpToolsProtocol:
            return KustomHttpToolsProtocol(
                config=config,
                server_state=state,
                app_state=self.lifespan.state,
                _loop=loop,
                limits=self.limits,
                gate=gate,
                correlation_header=self.correlation_header,
            )

        cap = connection_cap(self.limits.max_connections)
        if cap < self.limits.max_connections:
            logger.info("at most %d connections: the open-file limit allows no more", cap)
        self.gate = ConnectionGate(loop, sockets[0], new_protocol, cap)
        self.gate.start()
        self.servers = []  # uvicorn's shutdown closes these; the gate is closed below
        self.started = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.gate is not None:
            self.gate.close()
        await super().shutdown(sockets=sockets)

    async def on_tick(self, counter: int) -> bool:
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            self.should_exit = True
        return await super().on_tick(counter)


def supervise(
    workers: int, run_worker: Callable[[int], int], ready: Callable[[], None] = lambda: None
) -> int:
    """Fork ``workers`` processes that each return ``run_worker(parent_pid)`` as their exit
    status; restart one that dies; on SIGINT/SIGTERM stop them all and return 0. ``ready`` runs
    once the signals are caught, before the first fork (the ready line: a SIGTERM sent when a
    caller sees it is handled).

    Forked rather than uvicorn's own supervisor: its workers build a plain ``uvicorn.Server``
    (``Process.server``), which would accept without the connection gate, and it needs the app
    as an import string. Each worker opens its own store, after the fork.
    """
    parent = os.getpid()
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    def start() -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        # Signals wait while forking: a worker hit before it drops the supervisor's handler
        # would take the stop as its own and serve on, deaf to the supervisor's SIGTERM.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = -1
        try:
            pid = os.fork()
        finally:
            if pid != 0:  # the supervisor, also when the fork failed (EAGAIN): a stop must
                # not stay blocked (the worker unblocks once it has dropped the handler).
                signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if pid == 0:  # the worker: never return into the supervisor's code
            code = 1
            try:
                for sig in STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
                code = run_worker(parent)
            except SystemExit as exit_:  # uvicorn's exit on a failed startup
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:
                logger.exception("worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        return pid

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    ready()
    running: set[int] = set()  # filled one by one: a failed fork leaves the others to stop
    status = 0
    try:
        for _ in range(workers):
            running.add(start())
        while not stopping and running:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                time.sleep(0.2)
                continue
            running.discard(pid)
            code = os.waitstatus_to_exitcode(wait_status)
            if code in (EXIT_BAD_SETUP, STARTUP_FAILURE):
                logger.error("worker %d could not start (exit %d); stopping", pid, code)
                status = 1
                break
            logger.warning("worker %d stopped (exit %d); starting another", pid, code)
            running.add(start())
    finally:  # also on an exception (a fork that failed): no worker outlives the supervisor
        _stop_workers(running)
    return status


def _stop_workers(running: set[int]) -> None:
    """SIGTERM each worker, wait up to WORKER_STOP_SECONDS for them all, SIGKILL the rest."""
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    while running and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.05)
        running.discard(pid)
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
