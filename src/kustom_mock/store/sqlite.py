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

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kustom_mock.store.base import PurgeSchedule, StoreError
from kustom_mock.store.sql import EVERY_TABLE, Dialect, SQLBackend, SQLTransaction, migrate

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
    # rowid, which follows the order of insertion (see SQLTransaction.purge_expired).
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


SQLITE = Dialect(
    placeholder="?",
    insertion_order="rowid",
    orders_indexed_by_age=False,  # see migration 3
    key_lock=None,  # BEGIN IMMEDIATE holds the whole database
    body_in=bytes.decode,
    body_out=str.encode,
    # SQLite has no TRUNCATE (a DELETE without WHERE is its truncate optimisation).
    forget_everything=tuple(f"DELETE FROM {table}" for table in EVERY_TABLE),  # noqa: S608 (fixed names)
)


class SQLiteBackend(SQLBackend):
    """Every transaction ``BEGIN IMMEDIATE``: serialised with every other, in this process
    (the lock) and in any other on the same file."""

    def __init__(
        self, path: str, clock: Callable[[], float], *, fsync: bool, schedule: PurgeSchedule
    ) -> None:
        super().__init__(clock, schedule)
        self.path = path
        self.label = path
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
        self.tx = SQLTransaction(self.cursor, clock, SQLITE)  # nothing per transaction: reused

    def _migrate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            migrate(self.db.cursor(), MIGRATIONS, version, self._set_version, self.path)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _set_version(self, number: int) -> None:
        self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def begin(self) -> SQLTransaction:
        self.cursor.execute("BEGIN IMMEDIATE")
        return self.tx

    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        with self.lock:
            return self.db.execute(f"PRAGMA {name}").fetchone()[0]
