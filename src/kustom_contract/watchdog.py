"""Deadlines that hold even while the main thread is blocked: in a socket read that a server
feeds one byte at a time, in a stalled connection, or in a loop that generates cases.

Written by hand because neither HTTP library in reach has a total deadline: requests' and
httpx's timeouts bound each read, not the answer (psf/requests#3099, encode/httpx#776). A
thread watches the armed deadlines; when one passes it sends a signal to the main thread, whose
handler raises ``DeadlinePassed`` there, the way pytest-timeout's signal method raises its
timeout. The exception is a ``BaseException``, so that neither Hypothesis nor a check takes it
for a test failure: whoever armed the deadline catches it and says what happened.

Unix only (``signal.pthread_kill``); the watchdog is built in the main thread.
"""

from __future__ import annotations

import signal
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# Not SIGALRM: pytest-timeout's signal method uses it for its per-test timeout.
SIGNAL = signal.SIGUSR1
# A signal's handler is the process's: one for every watchdog (a test's beside the run's).
_WATCHDOGS: weakref.WeakSet[Watchdog] = weakref.WeakSet()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    for watchdog in list(_WATCHDOGS):
        name = watchdog.take_passed()
        if name is not None:
            raise DeadlinePassed(name)


class DeadlinePassed(BaseException):
    """Raised in the main thread when the armed deadline ``name`` has passed."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Watchdog:
    """Named deadlines (monotonic times), each armed and disarmed by the main thread."""

    def __init__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("a Watchdog interrupts the main thread: build it there")
        self._main = threading.main_thread().ident
        self._changed = threading.Condition()
        self._armed: dict[str, float] = {}
        self._passed: str | None = None  # fired, its exception not yet raised
        # When the watching thread wakes next: a deadline armed later than that needs no
        # wake-up (waking it on every request cost a thread switch, milliseconds, each time).
        self._wakes_at = float("inf")
        self._thread: threading.Thread | None = None
        if signal.getsignal(SIGNAL) is not _interrupt:
            signal.signal(SIGNAL, _interrupt)
        _WATCHDOGS.add(self)

    def arm(self, name: str, at: float) -> None:
        with self._changed:
            self._armed[name] = at
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)
                self._thread.start()
            if at < self._wakes_at:
                self._changed.notify()

    def disarm(self, name: str) -> None:
        """Forget ``name``; if it fired a moment ago and the signal is still on its way, the
        main thread finished in time after all, and nothing is raised."""
        with self._changed:
            self._armed.pop(name, None)
            if self._passed == name:
                self._passed = None

    @contextmanager
    def armed(self, name: str, seconds: float) -> Iterator[None]:
        self.arm(name, time.monotonic() + seconds)
        try:
            yield
        finally:
            self.disarm(name)

    def _watch(self) -> None:
        with self._changed:
            while True:
                if not self._armed:
                    self._wakes_at = float("inf")
                    self._changed.wait()
                    continue
                name, at = min(self._armed.items(), key=lambda item: item[1])
                left = at - time.monotonic()
                if left > 0:
                    self._wakes_at = at
                    self._changed.wait(left)
                    continue
                del self._armed[name]
                self._passed = name
                signal.pthread_kill(self._main, SIGNAL)  # type: ignore[arg-type]

    def take_passed(self) -> str | None:
        """The deadline that fired and has not been raised yet (the signal handler's)."""
        with self._changed:
            name, self._passed = self._passed, None
        return name


class RunClock:
    """The run's whole bound, spent only while the run's own tests execute (``running``), so
    that a run inside a longer pytest session (scripts/test) is not charged for the others."""

    NAME = "run"

    def __init__(self, watchdog: Watchdog, seconds: float) -> None:
        self.watchdog = watchdog
        self.seconds = seconds
        self.left = seconds

    @property
    def spent(self) -> bool:
        return self.left <= 0

    @contextmanager
    def running(self) -> Iterator[None]:
        """Spend the bound while the block runs; ``DeadlinePassed("run")`` when it is spent
        (at once if it already was)."""
        if self.spent:
            raise DeadlinePassed(self.NAME)
        started = time.monotonic()
        self.watchdog.arm(self.NAME, started + self.left)
        try:
            yield
        finally:
            self.watchdog.disarm(self.NAME)
            self.left -= time.monotonic() - started
