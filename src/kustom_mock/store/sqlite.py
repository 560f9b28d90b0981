"""SQLite storage (the default): one file in WAL mode, one connection per process.

The connection is used under a lock: every decision (look up the idempotency record, read the
token, create the order or change the status, record the response) runs inside one
``BEGIN IMMEDIATE``, so that a concurrent request, even from another process on the same file,
sees either nothing or the finished record. A transaction is committed before the response is
sent, so an acknowledged order survives kill -9: a commit is in the operating system's hands
once written, with or without fsync. By default nothing is fsynced (synchronous=OFF): the
checkpoints' fsync stalled requests by 10-700 ms under load on these disks and doubled the p99
(docs/benchmarks.md). ``fsync=True`` (``scripts/mock --fsync``) adds synchronous=NORMAL, which
also keeps the file sound through an OS crash or a power cut.

The schema is versioned (``PRAGMA user_version``): each entry of MIGRATIONS takes a database
one version up, so a file written by an older mock is brought up to date at start.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from kustom_mock.store.base import NewOrder, Purged, PurgeSchedule, StoredResponse, StoreError
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
    # 3: orders and tok_flaky's attempts are purged past the retention window too. Orders lose
    # the index on order_id (never looked up; a random UUID) and get none on created_at: each
    # index is another page written per order, 5-6 µs each. They are purged oldest first by
    # rowid, which follows the order of insertion (see SQLiteTransaction.purge_expired).
    """
    CREATE TABLE orders_v3 (
        order_id TEXT NOT NULL,
        merchant_id TEXT NOT NULL,
        customer_token TEXT NOT NULL,
        idempotency_key TEXT,
        created_at REAL NOT NULL,
        summary TEXT NOT NULL,
        response TEXT NOT NULL
    );
    INSERT INTO orders_v3 SELECT * FROM orders ORDER BY rowid;
    DROP TABLE orders;
    ALTER TABLE orders_v3 RENAME TO orders;
    CREATE INDEX flaky_attempts_created_at ON flaky_attempts (created_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SQLiteTransaction:
    """The Transaction operations on one SQLite connection, inside ``BEGIN IMMEDIATE``."""

    def __init__(self, db: sqlite3.Connection, clock: Callable[[], float]) -> None:
        # One cursor for every statement: Connection.execute makes a new one each time.
        self._cursor = db.cursor()
        self._clock = clock

    def find_response(self, merchant_id: str, key: str, retention: float) -> StoredResponse | None:
        row = self._cursor.execute(
            "SELECT fingerprint, status, body, headers FROM idempotency "
            "WHERE merchant_id = ? AND idempotency_key = ? AND created_at >= ?",
            (merchant_id, key, self._clock() - retention),
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], row[2].encode(), json.loads(row[3]))

    def save_response(self, merchant_id: str, key: str, response: StoredResponse) -> None:
        self._cursor.execute(
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
        self._cursor.execute(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                order.order_id,
                order.merchant_id,
                order.token,
                order.key,
                self._clock(),
                order.summary.decode(),
                order.response.decode(),
            ),
        )

    def token(self, token: str) -> TokenState | None:
        row = self._cursor.execute(
            "SELECT merchant_id, status FROM tokens WHERE token = ?", (token,)
        ).fetchone()
        return None if row is None else TokenState(token, row[0], row[1])

    def claim_token(self, token: str, merchant_id: str, status: str) -> TokenState:
        """The token's state, created with this owner and status if it has none yet."""
        self._cursor.execute(
            "INSERT OR IGNORE INTO tokens VALUES (?, ?, ?, ?)",
            (token, merchant_id, status, self._clock()),
        )
        state = self.token(token)
        assert state is not None  # just inserted, or already there
        return state

    def set_token_status(self, token: str, status: str) -> None:
        self._cursor.execute(
            "UPDATE tokens SET status = ?, updated_at = ? WHERE token = ?",
            (status, self._clock(), token),
        )

    def forget_everything(self) -> None:
        for table in ("tokens", "orders", "idempotency", "flaky_attempts"):
            self._cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)

    def purge_expired(self, cutoff: float) -> Purged:
        """Drop idempotency records, orders and flaky attempts older than ``cutoff``.

        Orders have no index on created_at: they go oldest first, up to the first one still
        in the window (found by walking rowids from the start, so a purge reads what it
        deletes and one row more). Should the clock have stepped back, a few expired orders
        wait for a later purge.
        """
        records, attempts = (
            self._cursor.execute(
                f"DELETE FROM {table} WHERE created_at < ?",  # noqa: S608 (fixed names)
                (cutoff,),
            ).rowcount
            for table in ("idempotency", "flaky_attempts")
        )
        kept = self._cursor.execute(
            "SELECT rowid FROM orders WHERE created_at >= ? ORDER BY rowid LIMIT 1", (cutoff,)
        ).fetchone()
        if kept is None:
            orders = self._cursor.execute("DELETE FROM orders WHERE created_at < ?", (cutoff,))
        else:
            orders = self._cursor.execute(
                "DELETE FROM orders WHERE rowid < ? AND created_at < ?", (kept[0], cutoff)
            )
        return Purged(records, orders.rowcount, attempts)

    def first_flaky_attempt(self, merchant_id: str, key: str, retention: float) -> bool:
        """True the first time a key is seen for tok_flaky (within the retention window)."""
        self._cursor.execute(
            "DELETE FROM flaky_attempts WHERE merchant_id = ? AND idempotency_key = ? "
            "AND created_at < ?",
            (merchant_id, key, self._clock() - retention),
        )
        cursor = self._cursor.execute(
            "INSERT OR IGNORE INTO flaky_attempts VALUES (?, ?, ?)",
            (merchant_id, key, self._clock()),
        )
        return cursor.rowcount == 1

    def orders(self, merchant_id: str | None) -> list[dict[str, Any]]:
        query = (
            "SELECT order_id, merchant_id, customer_token, idempotency_key, summary, response "
            "FROM orders"
        )
        params: tuple[str, ...] = ()
        if merchant_id is not None:
            query += " WHERE merchant_id = ?"
            params = (merchant_id,)
        rows = self._cursor.execute(query + " ORDER BY rowid", params).fetchall()
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


class SQLiteWrite:
    """``with backend.transaction() as tx``: the lock, ``BEGIN IMMEDIATE``, a purge when one is
    due, then ``COMMIT`` (``ROLLBACK`` on an exception). A class rather than a generator-based
    context manager: this runs for every request, and the generator's machinery cost 3-5 µs."""

    __slots__ = ("_backend", "_purge")

    def __init__(self, backend: SQLiteBackend, *, purge: bool) -> None:
        self._backend = backend
        self._purge = purge

    def __enter__(self) -> SQLiteTransaction:
        backend = self._backend
        backend.lock.acquire()
        try:
            backend.cursor.execute("BEGIN IMMEDIATE")
            cutoff = backend.schedule.due() if self._purge else None
            if cutoff is not None:
                backend.tx.purge_expired(cutoff)
        except BaseException:
            self._end(failed=True)
            raise
        return backend.tx

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._end(failed=exc_type is not None)

    def _end(self, *, failed: bool) -> None:
        backend = self._backend
        try:
            if not failed:
                backend.cursor.execute("COMMIT")
        finally:
            try:
                if backend.db.in_transaction:  # an exception, or a COMMIT that failed
                    backend.cursor.execute("ROLLBACK")
            finally:
                backend.lock.release()


class SQLiteBackend:
    def __init__(
        self,
        path: str,
        clock: Callable[[], float],
        *,
        fsync: bool,
        schedule: PurgeSchedule | None = None,
    ) -> None:
        self.path = path
        self.label = path
        self.schedule = schedule or PurgeSchedule(clock, None, 0)
        self._clock = clock
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={'NORMAL' if fsync else 'OFF'}")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot use {path} as the mock's database: {exc}") from None
        self.cursor = self.db.cursor()
        self.lock = threading.Lock()
        self.tx = SQLiteTransaction(self.db, clock)  # holds nothing per transaction: reused

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer mock (schema {version}, "
                    f"this one knows {SCHEMA_VERSION})"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def transaction(self, *, purge: bool = True) -> SQLiteWrite:
        """One write transaction, serialised with every other (threads and processes);
        ``purge``: purge expired rows first when a purge is due."""
        return SQLiteWrite(self, purge=purge)

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        with self.lock:
            return self.db.execute(f"PRAGMA {name}").fetchone()[0]
