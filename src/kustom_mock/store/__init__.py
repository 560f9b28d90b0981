"""The mock's storage: token state, orders, idempotency records and tok_flaky's attempts.

``Store(config)`` opens SQLite (a file, or ``:memory:``; the default) or PostgreSQL (a
``postgresql://`` URL, shared by replicas) behind one interface: ``await store.run(decision)``
runs a decision (a function of a ``Transaction``) in one write transaction, committed before the
response is sent, within the store's deadline (``StoreConfig.timeout_seconds``, ``--store-timeout``)
and without blocking the event loop; past the deadline, or with the database unreachable, it
raises ``StoreUnavailable`` and the request is answered 503. Each backend says how it keeps
the bound (store/sqlite.py, store/postgres.py).

Retention: the first transaction after every ``purge_every`` seconds also drops what is older
than the window (idempotency records, orders, tok_flaky's attempts), so the database stays
bounded by the window's traffic; no thread, no timer, and every process sharing the database
takes its turn.

Health (``GET /_health``): ``await store.health()`` says whether the store answers. A write
transaction (a keyed decision, or a probe) that succeeded in the last second says so without
asking the database again, as does a failure of the last second that it does not; otherwise one
probe (a write transaction that changes nothing) runs for every caller waiting at that moment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_mock.config import StoreConfig
from kustom_mock.store.base import (
    Backend,
    Decision,
    NewOrder,
    Purged,
    PurgeSchedule,
    StoredResponse,
    StoreError,
    StoreUnavailable,
    T,
    Transaction,
    seed,
)
from kustom_mock.store.postgres import PostgresBackend, is_postgres_url, redacted
from kustom_mock.store.sqlite import SQLiteBackend
from kustom_mock.tokens import TokenState

__all__ = [
    "DEFAULT_PURGE_EVERY_SECONDS",
    "HEALTH_FRESH_SECONDS",
    "NewOrder",
    "Purged",
    "Store",
    "StoreError",
    "StoreHealth",
    "StoreUnavailable",
    "StoredResponse",
    "Transaction",
    "safe_label",
]

DEFAULT_PURGE_EVERY_SECONDS = 60.0
# A decision or a probe that answered this recently speaks for the store's health.
HEALTH_FRESH_SECONDS = 1.0

logger = logging.getLogger("kustom_mock.store")


def safe_label(db: str) -> str:
    """``--db`` as it may be printed: a PostgreSQL URL without its password."""
    return redacted(db) if is_postgres_url(db) else db


@dataclass(frozen=True)
class StoreHealth:
    """Whether the store answered; ``reason``: why not (one line, no password)."""

    available: bool
    reason: str | None = None


class Store:
    def __init__(
        self,
        config: StoreConfig | str | Path = ":memory:",
        clock: Callable[[], float] = time.time,
        *,
        purge_every: float = DEFAULT_PURGE_EVERY_SECONDS,
    ):
        """``config``: a StoreConfig, or just the database (a path or a URL) with the other
        settings' defaults. Opens the database and brings its schema up to date."""
        if not isinstance(config, StoreConfig):
            config = StoreConfig(str(config))
        self.config = config
        self.clock = clock
        self.timeout = config.timeout_seconds
        schedule = PurgeSchedule(clock, config.retention_seconds, purge_every)
        self.backend: Backend = (
            PostgresBackend(
                config.db, clock, fsync=config.fsync, schedule=schedule, timeout=self.timeout
            )
            if is_postgres_url(config.db)
            else SQLiteBackend(
                config.db, clock, fsync=config.fsync, schedule=schedule, timeout=self.timeout
            )
        )
        self.label = self.backend.label  # the database, safe to print (no password)
        self._answered_at = float("-inf")  # time.monotonic() of the last decision kept
        self._failure: str | None = None  # why the last decision failed, until one succeeds
        self._failed_at = float("-inf")
        self._probe: asyncio.Future[StoreHealth] | None = None

    def close(self) -> None:
        """Close every connection (at exit, or before forking workers: each opens its own)."""
        self.backend.close()

    async def run(self, decision: Decision[T], *, atomic: bool = True) -> T:
        """``decision`` in one write transaction, serialised against every other on the same
        idempotency key (on SQLite, against every other); a purge of expired rows runs first
        when one is due. ``atomic`` False: each statement on its own, for a request without an
        idempotency key (store/sql.py, Write). StoreUnavailable when the store cannot answer
        within the deadline."""
        try:
            result = await self.backend.run(decision, self.timeout, atomic=atomic)
        except StoreUnavailable as exc:
            self._failed(exc.reason)
            raise
        if atomic:  # a write transaction answered (a read alone may pass a locked SQLite file)
            self._answered_at = time.monotonic()
            if self._failure is not None:
                logger.warning("the store answers again (%s)", self.label)
                self._failure = None
        return result

    def _failed(self, reason: str) -> None:
        if self._failure is None:  # once per outage, not once per request
            logger.warning("the store is unavailable: %s", reason)
        self._failure = reason
        self._failed_at = time.monotonic()

    async def health(self) -> StoreHealth:
        """Whether the store answers now: from the last write transaction if it was kept in the
        last HEALTH_FRESH_SECONDS (or from the last failure, as recent), else from one probe
        shared by every caller meanwhile."""
        now = time.monotonic()
        if self._failure is None:
            if now - self._answered_at < HEALTH_FRESH_SECONDS:
                return StoreHealth(True)
        elif now - self._failed_at < HEALTH_FRESH_SECONDS:
            return StoreHealth(False, self._failure)
        if self._probe is None:
            self._probe = asyncio.ensure_future(self._run_probe())
        return await asyncio.shield(self._probe)

    async def _run_probe(self) -> StoreHealth:
        try:
            await self.run(_probe)
        except StoreUnavailable as exc:
            return StoreHealth(False, exc.reason)
        finally:
            self._probe = None
        return StoreHealth(True)

    def seed_tokens(self, tokens: Iterable[TokenState], *, reset: bool = False) -> None:
        """Give each fixture token its first state, unless it has one (a cancel survives a
        restart). ``reset``: forget every token, order and idempotency record first."""
        self.backend.run_blocking(lambda tx: seed(tx, tokens, reset=reset), self.timeout)

    def purge(self, retention: float) -> int:
        """Drop what is past the retention window now; the number of idempotency records."""
        cutoff = self.clock() - retention
        purged = self.backend.run_blocking(lambda tx: tx.purge_expired(cutoff), self.timeout)
        return purged.idempotency_records

    def orders(self, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Every stored order (for tests and inspection), oldest first."""
        return self.backend.run_blocking(lambda tx: tx.orders(merchant_id), self.timeout)

    def token_status(self, token: str) -> str | None:
        """A token's status as stored (for tests and inspection)."""
        state = self.backend.run_blocking(lambda tx: tx.token(token), self.timeout)
        return None if state is None else state.status

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not isinstance(self.backend, SQLiteBackend):
            raise StoreError(f"{self.label} is not SQLite")
        return self.backend.pragma(name)


def _probe(tx: Transaction) -> None:
    """What the health probe asks: a write transaction (on SQLite, the file's write lock) that
    reads one row and changes nothing."""
    tx.token("")
