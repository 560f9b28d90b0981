"""The mock's storage: token state, orders, idempotency records and tok_flaky's attempts.

``Store(db)`` opens SQLite (a file, or ``:memory:``; the default) or PostgreSQL (a
``postgresql://`` URL, shared by replicas) behind one interface: ``transaction()`` yields a
``Transaction`` whose operations run as one unit, committed before the response is sent.

Retention: with ``retention`` set, the first transaction after every ``purge_every`` seconds
also drops what is older than the window (idempotency records, orders, tok_flaky's attempts),
so the database stays bounded by the window's traffic; no thread, no timer, and every process
sharing the database takes its turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from kustom_mock.store.base import (
    Backend,
    NewOrder,
    Purged,
    PurgeSchedule,
    StoredResponse,
    StoreError,
    Transaction,
    seed,
)
from kustom_mock.store.postgres import PostgresBackend, is_postgres_url, redacted
from kustom_mock.store.sqlite import SQLiteBackend
from kustom_mock.tokens import TokenState

__all__ = [
    "DEFAULT_PURGE_EVERY_SECONDS",
    "NewOrder",
    "Purged",
    "Store",
    "StoreError",
    "StoredResponse",
    "Transaction",
    "safe_label",
]

DEFAULT_PURGE_EVERY_SECONDS = 60.0


def safe_label(db: str) -> str:
    """``--db`` as it may be printed: a PostgreSQL URL without its password."""
    return redacted(db) if is_postgres_url(db) else db


class Store:
    def __init__(
        self,
        path: str | Path = ":memory:",
        clock: Callable[[], float] = time.time,
        *,
        fsync: bool = False,
        retention: float | None = None,
        purge_every: float = DEFAULT_PURGE_EVERY_SECONDS,
    ):
        db = str(path)
        self.clock = clock
        schedule = PurgeSchedule(clock, retention, purge_every)
        self.backend: Backend = (
            PostgresBackend(db, clock, fsync=fsync, schedule=schedule)
            if is_postgres_url(db)
            else SQLiteBackend(db, clock, fsync=fsync, schedule=schedule)
        )
        self.label = self.backend.label  # the database, safe to print (no password)

    def close(self) -> None:
        self.backend.close()

    def transaction(self) -> AbstractContextManager[Transaction]:
        """One write transaction, serialised against every other on the same idempotency key
        (on SQLite, against every other); a purge of expired rows runs first when one is due."""
        return self.backend.transaction()

    def seed_tokens(self, tokens: Iterable[TokenState], *, reset: bool = False) -> None:
        """Give each fixture token its first state, unless it has one (a cancel survives a
        restart). ``reset``: forget every token, order and idempotency record first."""
        with self.backend.transaction(purge=False) as tx:
            seed(tx, tokens, reset=reset)

    def purge(self, retention: float) -> int:
        """Drop what is past the retention window now; the number of idempotency records."""
        with self.backend.transaction(purge=False) as tx:
            return tx.purge_expired(self.clock() - retention).idempotency_records

    def orders(self, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Every stored order (for tests and inspection), oldest first."""
        with self.backend.transaction(purge=False) as tx:
            return tx.orders(merchant_id)

    def token_status(self, token: str) -> str | None:
        """A token's status as stored (for tests and inspection)."""
        with self.backend.transaction(purge=False) as tx:
            state = tx.token(token)
        return None if state is None else state.status

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not isinstance(self.backend, SQLiteBackend):
            raise StoreError(f"{self.label} is not SQLite")
        return self.backend.pragma(name)
