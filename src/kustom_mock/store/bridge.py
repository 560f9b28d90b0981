"""Synchronous psycopg on the event loop without blocking it: a decision (synchronous code, the
one ``Transaction`` both stores share) runs in a greenlet, and its connection waits for the
server in two steps. First a short poll on the socket (FAST_POLL_SECONDS): a server on the same
machine or a fast network answers within it, and the statement costs what synchronous psycopg
costs, a third of its asynchronous layer here (docs/benchmarks.md). If the answer is not there
yet, the greenlet hands the wait to the event loop (``add_reader``), which serves other requests
and switches back when the socket is ready, or throws StoreUnavailable into it at the request's
deadline. The loop is never held longer than one short poll per round trip, and after a poll
that came back empty the next ones do not wait at all for SLOW_SECONDS (a server that is paused,
busy or far answers on the loop's time only).

A greenlet rather than a thread (the GIL's contention cost more than the statements) or
psycopg's asynchronous connection (its machinery costs more CPU per statement than the
round trip it waits for): the same bridge SQLAlchemy uses to run synchronous code over asyncio.
Outside a bridge (set-up, tests, inspection) the connection waits as psycopg does, blocking.
"""

from __future__ import annotations

import asyncio
import select
import time
from collections.abc import Callable
from typing import Any, TypeVar

import greenlet  # type: ignore[import-untyped]  # it ships no type hints
import psycopg
from psycopg import waiting
from psycopg.abc import PQGen
from psycopg.waiting import Ready, Wait  # re-exported there

from kustom_mock.store.base import StoreUnavailable

T = TypeVar("T")
RV = TypeVar("RV")

FAST_POLL_SECONDS = 0.0005  # how long the loop may wait for an answer before it moves on
SLOW_SECONDS = 1.0  # after an answer that took longer, how long the loop does not wait at all

_POLL_MASK = {
    Wait.R: select.POLLIN,
    Wait.W: select.POLLOUT,
    Wait.RW: select.POLLIN | select.POLLOUT,
}
# An error or a hang-up is "readable": libpq then reads it and psycopg raises.
_READABLE = select.POLLIN | select.POLLERR | select.POLLHUP | select.POLLNVAL


class _WaitRequest:
    """What a greenlet asks of the loop: wake it when ``fileno`` is ready for ``wait``."""

    __slots__ = ("fileno", "wait")

    def __init__(self, fileno: int, wait: Wait) -> None:
        self.fileno = fileno
        self.wait = wait


class _Done:
    """What a greenlet hands back when its work is done: the result, or what it raised."""

    __slots__ = ("error", "result")

    def __init__(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result = result
        self.error = error


class BridgedConnection(psycopg.Connection[tuple[Any, ...]]):
    """A psycopg connection whose waits go through the bridge when it runs inside one."""

    abandoned = False  # its request gave up on it: no more I/O, it is to be closed
    _slow_until = 0.0  # shared by every connection of the process: see SLOW_SECONDS

    def wait(
        self, gen: PQGen[RV], interval: float | None = None, timeout: float | None = None
    ) -> RV:
        if self.abandoned:
            gen.close()
            raise psycopg.OperationalError("the connection was abandoned at its deadline")
        parent = greenlet.getcurrent().parent
        if parent is None:  # not in a bridge: psycopg's own wait
            if interval is None:
                return super().wait(gen, timeout=timeout)
            return super().wait(gen, interval, timeout)
        fileno = self.pgconn.socket
        if time.monotonic() >= BridgedConnection._slow_until:
            try:  # psycopg's own wait (in C), for as long as the loop may wait
                return waiting.wait(
                    gen, fileno, interval=FAST_POLL_SECONDS, timeout=FAST_POLL_SECONDS
                )
            except psycopg.errors._WaitTimeout:  # psycopg 3.3's, when its timeout expires
                BridgedConnection._slow_until = time.monotonic() + SLOW_SECONDS
            state = gen.send(Ready.NONE)  # nothing ready: the generator says what it awaits
        else:
            state = next(gen)
        poll = select.poll()
        try:
            while True:
                poll.register(fileno, _POLL_MASK[state])
                events = poll.poll(0)
                if events:
                    ready = _ready(events[0][1])
                else:
                    ready = parent.switch(_WaitRequest(fileno, state))
                state = gen.send(ready)
        except StopIteration as stop:
            result: RV = stop.value
            return result


def _ready(revents: int) -> Ready:
    readable = Ready.R if revents & _READABLE else Ready.NONE
    return Ready(readable | Ready.W) if revents & select.POLLOUT else readable


class Runner:
    """A greenlet that runs one piece of work after another for one connection: made once,
    since a greenlet's first switch costs more than the next ones, deep in the loop's stack."""

    def __init__(self) -> None:
        self._greenlet = greenlet.greenlet(self._serve)

    @staticmethod
    def _serve(work: Callable[[], Any]) -> None:
        parent = greenlet.getcurrent().parent
        while True:
            try:
                done = _Done(work())
            except BaseException as exc:  # handed to the loop, which raises it
                done = _Done(error=exc)
            work = parent.switch(done)

    async def run(
        self, work: Callable[[], T], deadline: float, abandon: Callable[[], None], reason: str
    ) -> T:
        """``work()`` in the greenlet, its connection's waits on this event loop, until
        ``deadline`` (``loop.time()``): past it, ``abandon()`` (no more I/O on its
        connection) and StoreUnavailable(``reason``) thrown into it, so that it unwinds and
        raises it here."""
        loop = asyncio.get_running_loop()
        request = self._greenlet.switch(work)
        while isinstance(request, _WaitRequest):
            try:
                ready = await _wait_ready(loop, request, deadline)
            except BaseException as exc:  # the deadline, or the request cancelled (a shutdown)
                abandon()
                thrown = StoreUnavailable(reason) if isinstance(exc, TimeoutError) else exc
                request = self._greenlet.throw(thrown)
                continue
            request = self._greenlet.switch(ready)
        assert isinstance(request, _Done)
        if request.error is not None:
            raise request.error
        result: T = request.result
        return result


async def _wait_ready(
    loop: asyncio.AbstractEventLoop, request: _WaitRequest, deadline: float
) -> Ready:
    ready: asyncio.Future[Ready] = loop.create_future()

    def wake(flag: Ready) -> None:
        if not ready.done():
            ready.set_result(flag)

    if request.wait & Wait.R:
        loop.add_reader(request.fileno, wake, Ready.R)
    if request.wait & Wait.W:
        loop.add_writer(request.fileno, wake, Ready.W)
    try:
        async with asyncio.timeout_at(deadline):
            return await ready
    finally:
        if request.wait & Wait.R:
            loop.remove_reader(request.fileno)
        if request.wait & Wait.W:
            loop.remove_writer(request.fileno)
