"""SQLite storage: orders, idempotency records and tok_flaky's attempts, in WAL mode.

One connection, used under a lock: every write is one short transaction, and the whole
idempotency decision (look up, create the order, record the response) runs inside one
``BEGIN IMMEDIATE`` so that a concurrent request, even from another process on the same file,
sees either nothing or the finished record. A transaction is committed before the response is
sent, so an acknowledged order survives kill -9: a commit is in the operating system's hands
once written, with or without fsync. By default nothing is fsynced (synchronous=OFF): the
checkpoints' fsync stalled requests by 10-700 ms under load on these disks and doubled the p99
(README, "Benchmarks"). ``fsync=True`` (``scripts/mock --fsync``) adds synchronous=NORMAL,
which also keeps the file sound through an OS crash or a power cut.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    customer_token TEXT NOT NULL,
    idempotency_key TEXT,
    created_at REAL NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    merchant_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at REAL NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    headers TEXT NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS flaky_attempts (
    merchant_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);
"""


@dataclass(frozen=True)
class StoredResponse:
    """A response as first sent, replayed byte for byte under the same idempotency key."""

    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str]


class Store:
    def __init__(
        self,
        path: str | Path = ":memory:",
        clock: Callable[[], float] = time.time,
        *,
        fsync: bool = False,
    ):
        self.path = str(path)
        self.clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'NORMAL' if fsync else 'OFF'}")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self, *, single_write: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction, serialised with every other (threads and processes).

        ``single_write``: the block writes at most once and reads nothing it depends on, so
        SQLite's autocommit makes it atomic by itself; skipping BEGIN and COMMIT halves the
        cost of an order without an idempotency key (measured: README, "Benchmarks").
        """
        with self._lock:
            if single_write:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def find_response(
        self, db: sqlite3.Connection, merchant_id: str, key: str, retention: float
    ) -> StoredResponse | None:
        row = db.execute(
            "SELECT fingerprint, status, body, headers FROM idempotency "
            "WHERE merchant_id = ? AND idempotency_key = ? AND created_at >= ?",
            (merchant_id, key, self.clock() - retention),
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], row[2].encode(), json.loads(row[3]))

    def save_response(
        self, db: sqlite3.Connection, merchant_id: str, key: str, response: StoredResponse
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                merchant_id,
                key,
                response.fingerprint,
                self.clock(),
                response.status,
                response.body.decode(),
                json.dumps(response.headers),
            ),
        )

    def save_order(
        self,
        db: sqlite3.Connection,
        *,
        order_id: str,
        merchant_id: str,
        token: str,
        key: str | None,
        request: bytes,
        response: bytes,
    ) -> None:
        db.execute(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_id, merchant_id, token, key, self.clock(), request.decode(), response.decode()),
        )

    def first_flaky_attempt(
        self, db: sqlite3.Connection, merchant_id: str, key: str, retention: float
    ) -> bool:
        """True the first time a key is seen for tok_flaky (within the retention window)."""
        cutoff = self.clock() - retention
        db.execute(
            "DELETE FROM flaky_attempts WHERE merchant_id = ? AND idempotency_key = ? "
            "AND created_at < ?",
            (merchant_id, key, cutoff),
        )
        cursor = db.execute(
            "INSERT OR IGNORE INTO flaky_attempts VALUES (?, ?, ?)",
            (merchant_id, key, self.clock()),
        )
        return cursor.rowcount == 1

    def purge(self, retention: float) -> int:
        """Drop idempotency records past the retention window; the orders themselves stay."""
        with self.transaction() as db:
            cutoff = self.clock() - retention
            cursor = db.execute("DELETE FROM idempotency WHERE created_at < ?", (cutoff,))
            db.execute("DELETE FROM flaky_attempts WHERE created_at < ?", (cutoff,))
            return cursor.rowcount

    def orders(self, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Every stored order (for tests and inspection), oldest first."""
        with self._lock:
            query = "SELECT order_id, merchant_id, customer_token, idempotency_key, response FROM orders"
            params: tuple[str, ...] = ()
            if merchant_id is not None:
                query += " WHERE merchant_id = ?"
                params = (merchant_id,)
            rows = self._db.execute(query + " ORDER BY rowid", params).fetchall()
        return [
            {
                "order_id": r[0],
                "merchant_id": r[1],
                "customer_token": r[2],
                "idempotency_key": r[3],
                "response": json.loads(r[4]),
            }
            for r in rows
        ]
