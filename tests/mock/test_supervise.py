"""The workers' supervisor (kustom_mock.server.supervise) in this process, with os.fork, os.kill
and os.waitpid replaced: what it does when a fork fails."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterator

import pytest

from kustom_mock.server import STOP_SIGNALS, supervise

FAKE_WORKER = 4_000_000  # above any real pid: nothing real is signalled


@pytest.fixture
def stop_handlers_restored() -> Iterator[None]:
    """supervise installs its own SIGINT/SIGTERM handlers; pytest's come back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.usefixtures("stop_handlers_restored")
def test_a_failed_fork_unblocks_the_stop_signals_and_stops_the_running_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forks: list[int] = []
    signalled: list[tuple[int, int]] = []
    exited: set[int] = set()

    def fork() -> int:
        if forks:  # the second worker: the system is out of processes
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        forks.append(FAKE_WORKER)
        return FAKE_WORKER

    def kill(pid: int, sig: int) -> None:
        signalled.append((pid, sig))
        if sig == signal.SIGTERM:
            exited.add(pid)

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        assert pid == -1
        return (exited.pop(), 0) if exited else (0, 0)

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(os, "kill", kill)
    monkeypatch.setattr(os, "waitpid", waitpid)

    with pytest.raises(BlockingIOError):
        supervise(2, run_worker=lambda _parent: 0)

    assert not STOP_SIGNALS & signal.pthread_sigmask(signal.SIG_BLOCK, [])  # a stop gets in
    assert signalled == [(FAKE_WORKER, signal.SIGTERM)]  # the worker that did start is stopped
