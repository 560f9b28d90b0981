"""SQLite storage: token state, orders, idempotency records and tok_flaky's attempts, in WAL
mode.

One connection, used under a lock: every write is one short transaction, and a whole decision
(look up the idempotency record, read the token, create the order or change the status,
record the response) runs inside one ``BEGIN IMMEDIATE``, so that a concurrent request, even
from another process on the same file, sees either nothing or the finished record. A
transaction is committed before the response is sent, so an acknowledged order survives
kill -9: a commit is in the operating system's hands once written, with or without fsync. By
default nothing is fsynced (synchronous=OFF): the checkpoints' fsync stalled requests by
10-700 ms under load on these disks and doubled the p99 (README, "Benchmarks").
``fsync=True`` (``scripts/mock --fsync``) adds synchronous=NORMAL, which also keeps the file
sound through an OS crash or a power cut.

The schema is versioned (``PRAGMA user_version``): each entry of MIGRATIONS takes a database
one version up, so a file written by an older mock is brought up to date at start.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_mock.tokens import TokenState

MIGRATIONS: tuple[str, ...] = (
    # 1: orders, idempotency records and tok_flaky's attempts.
    """
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
    """,
    # 2: token state; an order keeps a summary of its request, not the whole body.
    """
    CREATE TABLE tokens (
        token TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL,
        status TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    ALTER TABLE orders RENAME COLUMN request TO summary;
    UPDATE orders SET summary = '{}';
    CREATE INDEX idempotency_created_at ON idempotency (created_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The database cannot be opened or is not one this mock can use."""


@dataclass(frozen=True)
class StoredResponse:
    """A response as first sent, replayed byte for byte under the same idempotency key."""

    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class NewOrder:
    """What is kept of an order: who placed it with which token, a summary and the answer."""

    order_id: str
    merchant_id: str
    token: str
    key: str | None
    summary: dict[str, Any]
    response: dict[str, Any]


class Transaction:
    """The operations a request's decision needs, inside one write transaction."""

    def __init__(self, db: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self._db = db
        self._clock = clock

    def find_response(self, merchant_id: str, key: str, retention: float) -> StoredResponse | None:
        row = self._db.execute(
            "SELECT fingerprint, status, body, headers FROM idempotency "
            "WHERE merchant_id = ? AND idempotency_key = ? AND created_at >= ?",
            (merchant_id, key, self._clock() - retention),
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], row[2].encode(), json.loads(row[3]))

    def save_response(self, merchant_id: str, key: str, response: StoredResponse) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                merchant_id,
                key,
                response.fingerprint,
                self._clock(),
                response.status,
                response.body.decode(),
                json.dumps(response.headers),
            ),
        )

    def save_order(self, order: NewOrder) -> None:
        self._db.execute(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                order.order_id,
                order.merchant_id,
                order.token,
                order.key,
                self._clock(),
                json.dumps(order.summary),
                json.dumps(order.response),
            ),
        )

    def token(self, token: str) -> TokenState | None:
        row = self._db.execute(
            "SELECT merchant_id, status FROM tokens WHERE token = ?", (token,)
        ).fetchone()
        return None if row is None else TokenState(token, row[0], row[1])

    def claim_token(self, token: str, merchant_id: str, status: str) -> TokenState:
        """The token's state, created with this owner and status if it has none yet."""
        self._db.execute(
            "INSERT OR IGNORE INTO tokens VALUES (?, ?, ?, ?)",
            (token, merchant_id, status, self._clock()),
        )
        state = self.token(token)
        assert state is not None  # just inserted, or already there
        return state

    def set_token_status(self, token: str, status: str) -> None:
        self._db.execute(
            "UPDATE tokens SET status = ?, updated_at = ? WHERE token = ?",
            (status, self._clock(), token),
        )

    def forget_everything(self) -> None:
        for table in ("tokens", "orders", "idempotency", "flaky_attempts"):
            self._db.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)

    def purge_expired(self, cutoff: float) -> int:
        """Drop idempotency records and flaky attempts older than ``cutoff``."""
        cursor = self._db.execute("DELETE FROM idempotency WHERE created_at < ?", (cutoff,))
        self._db.execute("DELETE FROM flaky_attempts WHERE created_at < ?", (cutoff,))
        return cursor.rowcount

    def first_flaky_attempt(self, merchant_id: str, key: str, retention: float) -> bool:
        """True the first time a key is seen for tok_flaky (within the retention window)."""
        self._db.execute(
            "DELETE FROM flaky_attempts WHERE merchant_id = ? AND idempotency_key = ? "
            "AND created_at < ?",
            (merchant_id, key, self._clock() - retention),
        )
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO flaky_attempts VALUES (?, ?, ?)",
            (merchant_id, key, self._clock()),
        )
        return cursor.rowcount == 1


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
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'NORMAL' if fsync else 'OFF'}")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot use {self.path} as the mock's database: {exc}") from None
        self._lock = threading.Lock()

    def _migrate(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer mock (schema {version}, "
                    f"this one knows {SCHEMA_VERSION})"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction, serialised with every other (threads and processes)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db, self.clock)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def seed_tokens(self, tokens: Iterable[TokenState], *, reset: bool = False) -> None:
        """Give each fixture token its first state, unless it has one (a cancel survives a
        restart). ``reset``: forget every token, order and idempotency record first."""
        with self.transaction() as tx:
            if reset:
                tx.forget_everything()
            for state in tokens:
                tx.claim_token(state.token, state.merchant_id, state.status)

    def purge(self, retention: float) -> int:
        """Drop idempotency records past the retention window; the orders themselves stay."""
        with self.transaction() as tx:
            return tx.purge_expired(self.clock() - retention)

    def orders(self, merchant_id: str | None = None) -> list[dict[str, Any]]:
        """Every stored order (for tests and inspection), oldest first."""
        query = (
            "SELECT order_id, merchant_id, customer_token, idempotency_key, summary, response "
            "FROM orders"
        )
        params: tuple[str, ...] = ()
        if merchant_id is not None:
            query += " WHERE merchant_id = ?"
            params = (merchant_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY rowid", params).fetchall()
        return [
            {
                "order_id": r[0],
                "merchant_id": r[1],
                "customer_token": r[2],
                "idempotency_key": r[3],
                "summary": json.loads(r[4]),
                "response": json.loads(r[5]),
            }
            for r in rows
        ]

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        with self._lock:
            return self._db.execute(f"PRAGMA {name}").fetchone()[0]

    def token_status(self, token: str) -> str | None:
        """A token's status as stored (for tests and inspection)."""
        with self._lock:
            row = self._db.execute("SELECT status FROM tokens WHERE token = ?", (token,)).fetchone()
        return None if row is None else str(row[0])
