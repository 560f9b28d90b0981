"""What every storage backend keeps and the operations a request's decision needs from it.

A backend (SQLite, PostgreSQL) runs each decision (a function of a ``Transaction``) in one write
transaction, within a deadline; the operations inside see and change token states, orders,
idempotency records and tok_flaky's attempts as one unit, committed before the response is sent.
A backend that cannot run it in time raises ``StoreUnavailable``: nothing was acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from kustom_mock.faults import ArmedFault, FaultTake, NewFault
from kustom_mock.tokens import TokenState

T = TypeVar("T")
Decision = Callable[["Transaction"], T]


class StoreError(RuntimeError):
    """The database cannot be opened or is not one this mock can use (never shows a password)."""


class StoreUnavailable(Exception):
    """The store did not answer within the deadline (locked, paused, down, unreachable): the
    request is answered 503, told when to retry. Its transaction was rolled back, or its COMMIT's
    outcome is unknown (a retry under the same idempotency key replays it if it was kept)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # one line, never a password


@dataclass(frozen=True)
class StoredResponse:
    """A response as first sent, replayed byte for byte under the same idempotency key."""

    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class NewOrder:
    """What is kept of an order: who placed it with which token, its request and the answer.

    ``response`` is the answer's JSON as sent; ``summary`` is bounded whatever the order's size;
    ``body`` is the request's body as received, cut at a bound (kustom_mock.operations), and
    ``body_bytes`` its whole size (both None: not kept, the test controls being off).
    """

    order_id: str
    merchant_id: str
    token: str = field(repr=False)  # a customer token can charge a customer
    key: str | None
    summary: bytes
    response: bytes
    body: str | None = field(repr=False)
    body_bytes: int | None


@dataclass(frozen=True)
class KeptOrder:
    """An order as the store keeps it, for inspection (``GET /_mock/orders``). ``created_at``
    is the store's time; ``body`` and ``body_bytes`` are None for an order kept without the test
    controls or by a mock older than the store's schema 4 (SQLite) or 2 (PostgreSQL)."""

    order_id: str
    token: str = field(repr=False)
    key: str | None
    created_at: float
    summary: bytes
    response: bytes
    body: str | None = field(repr=False)
    body_bytes: int | None


@dataclass(frozen=True)
class Purged:
    """What one purge removed."""

    idempotency_records: int
    orders: int
    flaky_attempts: int


class PurgeSchedule:
    """When the next purge of expired rows is due: every ``every`` seconds, inside whichever
    transaction comes first after that (no thread, no timer; each process sharing a database
    keeps its own schedule, and a purge that finds nothing costs one indexed lookup per table).
    Without ``retention`` nothing is ever purged."""

    def __init__(self, clock: Callable[[], float], retention: float | None, every: float) -> None:
        self._clock = clock
        self.retention = retention
        self.every = every
        self._next = clock() + every

    def due(self) -> float | None:
        """The cutoff (drop what is older) when a purge is due now, else None."""
        if self.retention is None:
            return None
        now = self._clock()
        if now < self._next:
            return None
        self._next = now + self.every
        return now - self.retention


class Transaction(Protocol):
    """The operations a request's decision needs, inside one write transaction."""

    def find_response(
        self, merchant_id: str, key: str, retention: float
    ) -> StoredResponse | None: ...

    def save_response(self, merchant_id: str, key: str, response: StoredResponse) -> None: ...

    def save_order(self, order: NewOrder) -> None: ...

    def token(self, token: str) -> TokenState | None: ...

    def claim_token(self, token: str, merchant_id: str, status: str) -> TokenState: ...

    def set_token_status(self, token: str, status: str) -> None: ...

    def first_flaky_attempt(self, merchant_id: str, key: str, retention: float) -> bool: ...

    def forget_everything(self) -> None: ...

    def purge_expired(self, cutoff: float) -> Purged: ...

    def orders(self, merchant_id: str | None) -> list[dict[str, Any]]: ...

    # The test controls (/_mock/, kustom_mock.controls), each for one merchant.

    def merchant_orders(
        self, merchant_id: str, token: str | None, since: float, limit: int
    ) -> list[KeptOrder]:
        """The merchant's orders (of ``token`` when given) kept at ``since`` or later, newest
        first, at most ``limit``."""
        ...

    def merchant_tokens(self, merchant_id: str, token: str | None, limit: int) -> list[TokenState]:
        """The merchant's token states (``token``'s alone when given), by name, at most
        ``limit``."""
        ...

    def take_fault(self, merchant_id: str, operation: str, token: str) -> FaultTake:
        """The oldest armed fault that matches the request, one of its count taken (the fault
        disarmed with its last), if any; and whether any was armed for the operation."""
        ...

    def arm_fault(self, fault_id: str, fault: NewFault) -> None: ...

    def armed_faults(self, merchant_id: str) -> list[ArmedFault]:
        """Oldest first, as they are taken."""
        ...

    def disarm_faults(self, merchant_id: str) -> int: ...

    def clock_offset(self, merchant_id: str) -> float: ...

    def advance_clock(self, merchant_id: str, seconds: float) -> None:
        """Everything the merchant's requests kept becomes ``seconds`` older (so it expires
        that much sooner), and the merchant's clock reads ``seconds`` later."""
        ...

    def forget_merchant(self, merchant_id: str) -> None:
        """Drop the merchant's orders, idempotency records, tok_flaky attempts, faults, clock
        and token states (the caller seeds its fixture tokens again)."""
        ...


class Backend(Protocol):
    """One database: decisions run within a deadline, a label safe to print, and how to let
    it go (``close``; a closed backend opens again when next used, as a forked worker does)."""

    label: str

    async def run(self, decision: Decision[T], timeout: float, *, atomic: bool = True) -> T:
        """``decision`` in one write transaction (expired rows purged first when due) without
        blocking the event loop, answered within ``timeout`` seconds or StoreUnavailable.
        ``atomic`` False: each statement on its own (a request without an idempotency key;
        store/sql.py, Write, says why that decides the same)."""
        ...

    def run_blocking(self, decision: Decision[T], timeout: float) -> T:
        """The same from code without an event loop (set-up, tests, inspection); no purge."""
        ...

    def close(self) -> None: ...


def seed(tx: Transaction, tokens: Iterable[TokenState], *, reset: bool) -> None:
    if reset:
        tx.forget_everything()
    for state in tokens:
        tx.claim_token(state.token, state.merchant_id, state.status)
