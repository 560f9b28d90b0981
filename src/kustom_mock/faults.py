"""Faults on demand (``POST /_mock/faults``): what a merchant can arm against its own next
requests, and how each kind acts (docs/mock.md, "Faults").

A fault is kept in the store, so every worker and replica on the database sees it, and it is
taken inside the request's own decision (kustom_mock.app): the request that takes the last count
disarms it, and two processes never take the same count. Which kinds act where:

- ``status`` (429, 500, 503) answers in place of the operation, before anything is looked up or
  kept: no order, no state change, the idempotency key not claimed;
- ``delay`` waits, then the request is handled as usual;
- ``reset``, ``truncate`` and ``slow_body`` act on the answer as it is sent, after the request
  was handled and kept as usual (as a connection lost on the way back would).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

# Every bound here is this contract's choice: enough for a test, small enough that an armed
# fault cannot hold a connection or the store for long.
MAX_COUNT = 1000  # requests one fault applies to
MAX_ARMED = 100  # faults armed at once per merchant
MAX_MS = 60_000  # a delay, or the time a slow body takes
MAX_RETRY_AFTER = 3600  # seconds a 429 or 503 fault tells the client to wait
DEFAULT_RETRY_AFTER = 1  # as the mock's own 429 and 503 say
STATUSES = (429, 500, 503)
SLOW_BODY_PIECES = 10  # a slow body is sent in this many pieces, evenly over its ms
# How long a process trusts "no fault armed" for a merchant and operation, and so how long
# POST /_mock/faults waits before it answers (FaultNews says why).
FAULT_NEWS_SECONDS = 0.02


class FaultKind(StrEnum):
    STATUS = "status"
    DELAY = "delay"
    RESET = "reset"
    TRUNCATE = "truncate"
    SLOW_BODY = "slow_body"


# What each kind takes beyond operation, customer_token and count.
FIELDS: dict[FaultKind, frozenset[str]] = {
    FaultKind.STATUS: frozenset({"status", "retry_after"}),
    FaultKind.DELAY: frozenset({"ms"}),
    FaultKind.RESET: frozenset(),
    FaultKind.TRUNCATE: frozenset(),
    FaultKind.SLOW_BODY: frozenset({"ms"}),
}
# The kinds that act on the answer as it is sent (the request was handled as usual).
ON_THE_WIRE = frozenset({FaultKind.RESET, FaultKind.TRUNCATE, FaultKind.SLOW_BODY})


@dataclass(frozen=True)
class FaultAction:
    """What a fault does to one request: its kind and its parameters."""

    kind: FaultKind
    status: int | None = None
    ms: int | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class NewFault:
    """A fault to arm: the next ``count`` requests of the merchant to ``operation`` (and, when
    given, to ``customer_token``) get ``action``."""

    merchant_id: str
    operation: str
    customer_token: str | None = field(repr=False)  # a customer token can charge a customer
    count: int
    action: FaultAction


@dataclass(frozen=True)
class ArmedFault:
    """A fault as kept: its id and how many requests it still applies to."""

    fault_id: str
    operation: str
    customer_token: str | None = field(repr=False)
    remaining: int
    action: FaultAction


@dataclass(frozen=True)
class FaultTake:
    """What one look for a request's fault found: the fault taken (None: none matched), and
    whether any fault was armed for the merchant and operation at all."""

    fault: ArmedFault | None
    armed: bool


class FaultNews:
    """Per process: when a merchant's requests to an operation must look in the store for an
    armed fault. Once a look finds none armed, the next FAULT_NEWS_SECONDS of them skip it (a
    statement, a round trip on PostgreSQL), and POST /_mock/faults answers only that long after
    it armed one: every process looks again before any request sent after the answer arrives,
    in whatever process or replica, since a "none" is trusted from the moment before its look
    (durations on each process's own monotonic clock, the same rate everywhere)."""

    def __init__(
        self, seconds: float = FAULT_NEWS_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self._none_until: dict[tuple[str, str], float] = {}

    def must_look(self, merchant_id: str, operation: str) -> bool:
        until = self._none_until.get((merchant_id, operation))
        return until is None or self.clock() >= until

    def looked(self, merchant_id: str, operation: str, since: float, armed: bool) -> None:
        """A look that started at ``since`` (this clock) found ``armed``."""
        if armed:
            self._none_until.pop((merchant_id, operation), None)
        else:
            self._none_until[(merchant_id, operation)] = since + self.seconds
