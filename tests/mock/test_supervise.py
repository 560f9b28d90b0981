"""The workers' supervisor (kustom_mock.server.supervise) in this process, with os.fork, os.kill
and os.waitpid replaced: what it does when a fork fails."""

from __future__ import annotations

import errno
import itertools
import os
import signal
import time
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


class FakeClock:
    """time.monotonic and time.sleep for the supervisor: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.usefixtures("stop_handlers_restored")
def test_workers_that_keep_stopping_are_replaced_with_a_growing_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every worker exits 2 at once (as one that cannot reach its database might): the
    supervisor does not give up, and waits 0, 0.1, 0.2, 0.4 ... up to 5 s between replacements;
    one that ran steadily resets the pause."""
    clock = FakeClock()
    forks: list[float] = []
    lifetimes = iter([0.0] * 9 + [60.0] + [0.0] * 3)
    exits: list[tuple[float, int]] = []  # (when, pid)

    def fork() -> int:
        if len(forks) == 13:
            raise BlockingIOError(errno.EAGAIN, "enough")
        forks.append(clock.now)
        pid = FAKE_WORKER + len(forks)
        exits.append((clock.now + next(lifetimes), pid))
        return pid

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        for when, child in sorted(exits):
            if when <= clock.now:
                exits.remove((when, child))
                return child, 2 << 8  # exit status 2
        return 0, 0

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(os, "kill", lambda pid, sig: None)
    monkeypatch.setattr(os, "waitpid", waitpid)
    monkeypatch.setattr(time, "monotonic", clock.monotonic)  # the supervisor's clock
    monkeypatch.setattr(time, "sleep", clock.sleep)

    with pytest.raises(BlockingIOError):
        supervise(1, run_worker=lambda _parent: 2)

    pauses = [round(b - a, 1) for a, b in itertools.pairwise(forks)]
    # Each measured to the next poll (every 0.05 s while one is due): at most that late.
    expected = [0.0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 60.0, 0.0, 0.1]
    assert len(pauses) == len(expected)
    for pause, wanted in zip(pauses, expected, strict=True):
        assert wanted <= pause <= wanted + 0.25, (pauses, expected)
