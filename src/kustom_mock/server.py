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
# A worker that stops is replaced at once; while replacements keep stopping within
# STEADY_SECONDS of their start, each waits twice as long as the last, up to MAX_RESTART_SECONDS.
FIRST_RESTART_SECONDS = 0.1
MAX_RESTART_SECONDS = 5.0
STEADY_SECONDS = 10.0


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
        # A worker stops when its supervisor is gone, a mock started with --stop-with-parent
        # when the process that started it is.
        self.parent_pid = parent_pid
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
    workers: int,
    run_worker: Callable[[int], int],
    ready: Callable[[], None] = lambda: None,
    parent_pid: int | None = None,
) -> int:
    """Fork ``workers`` processes that each return ``run_worker(parent_pid)`` as their exit
    status; replace one that stops, whatever its exit status (with a growing pause while
    replacements keep stopping: a worker's trouble, a database down, may pass; only the set-up
    before the first fork, the caller's, stops the mock); on SIGINT/SIGTERM, or once
    ``parent_pid`` is no longer this process's parent, stop them all and return 0. ``ready``
    runs once the signals are caught, before the first fork (the ready line: a SIGTERM sent
    when a caller sees it is handled).

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
    running: dict[int, float] = {}  # pid: when it started; filled one by one (a failed fork
    # leaves the others to stop)
    restarts: list[float] = []  # when each replacement is due
    quick_stops = 0  # replacements in a row that stopped before STEADY_SECONDS
    try:
        for _ in range(workers):
            running[start()] = time.monotonic()
        while not stopping and (running or restarts):
            if parent_pid is not None and os.getppid() != parent_pid:
                break
            now = time.monotonic()
            while restarts and restarts[0] <= now and not stopping:
                restarts.pop(0)
                running[start()] = time.monotonic()
            pid, wait_status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
            if pid == 0:
                time.sleep(0.05 if restarts else 0.2)
                continue
            started = running.pop(pid, now)
            quick_stops = quick_stops + 1 if now - started < STEADY_SECONDS else 0
            pause = (
                0.0
                if quick_stops <= 1
                else min(FIRST_RESTART_SECONDS * 2 ** (quick_stops - 2), MAX_RESTART_SECONDS)
            )
            code = os.waitstatus_to_exitcode(wait_status)
            logger.warning(
                "worker %d stopped (exit %d); starting another%s",
                pid,
                code,
                f" in {pause:.1f} s" if pause else "",
            )
            restarts.append(time.monotonic() + pause)
            restarts.sort()
    finally:  # also on an exception (a fork that failed): no worker outlives the supervisor
        _stop_workers(set(running))
    return 0


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
