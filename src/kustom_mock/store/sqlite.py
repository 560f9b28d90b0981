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

Bounded waits: the request path never waits on SQLite's busy handler (``busy_timeout`` 0, so
one request's wait would block the event loop and queue every other behind it: 5, 10, 15 s).
A ``BEGIN IMMEDIATE`` that finds the file locked by another process gives up at once, and the
request tries again on the event loop after a short sleep, until its own deadline; then it is
answered 503. Every request waiting so has its own deadline, and the loop serves the others
meanwhile. A locked database is the only wait SQLite has: the rest is the mock's CPU and the
local disk.

The schema is versioned (``PRAGMA user_version``): each entry of MIGRATIONS takes a database
one version up, so a file written by an older mock is brought up to date at start.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kustom_mock.store.base import Decision, PurgeSchedule, StoreError, StoreUnavailable, T
from kustom_mock.store.sql import EVERY_TABLE, Dialect, Session, SQLTransaction, migrate

# SQLite's own error codes for a database another connection holds.
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# A locked database is tried again after 1 ms, then twice as long each time up to 20 ms: a lock
# held for one request's transaction (tens of microseconds) is had at once, a long one costs
# about 50 tries a second per waiting request.
FIRST_RETRY_SECONDS = 0.001
MAX_RETRY_SECONDS = 0.02


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
    # 4: the test controls (/_mock/): an order keeps its request's body (cut at a bound; NULL
    # for the orders kept before), faults armed per merchant (taken oldest first, by rowid),
    # each merchant's clock, and tokens found by owner (a merchant's token states, its reset).
    """
    ALTER TABLE orders ADD COLUMN body TEXT;
    ALTER TABLE orders ADD COLUMN body_bytes INTEGER;
    CREATE TABLE faults (
        fault_id TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        customer_token TEXT,
        remaining INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status INTEGER,
        ms INTEGER,
        retry_after INTEGER,
        armed_at REAL NOT NULL
    );
    CREATE INDEX faults_by_operation ON faults (merchant_id, operation);
    CREATE TABLE clocks (
        merchant_id TEXT PRIMARY KEY,
        offset_seconds REAL NOT NULL
    );
    CREATE INDEX tokens_by_owner ON tokens (merchant_id);
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


class SQLiteBackend(Session):
    """Every transaction ``BEGIN IMMEDIATE``: serialised with every other, in this process
    (the session's lock) and in any other on the same file."""

    def __init__(
        self,
        path: str,
        clock: Callable[[], float],
        *,
        fsync: bool,
        schedule: PurgeSchedule,
        timeout: float,
    ) -> None:
        super().__init__(schedule)
        self.path = path
        self.label = path
        self._clock = clock
        self._fsync = fsync
        self.db: sqlite3.Connection | None = None
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._open()
            assert self.db is not None
            # At start only, SQLite's busy handler may wait (up to the deadline) for a lock.
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._migrate(self.db)
            self.db.execute("PRAGMA busy_timeout=0")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot use {path} as the mock's database: {exc}") from None

    def _open(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout=0")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={'NORMAL' if self._fsync else 'OFF'}")
        except BaseException:
            db.close()
            raise
        self.db = db
        self.cursor = db.cursor()
        self.tx = SQLTransaction(self.cursor, self._clock, SQLITE)  # nothing per transaction
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            migrate(db.cursor(), MIGRATIONS, version, self._set_version, self.path)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _set_version(self, number: int) -> None:
        assert self.db is not None
        self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        """Let the file go (before a fork); the next transaction opens it again."""
        with self.lock:
            if self.db is not None:
                self.db.close()
                self.db = None

    def begin(self) -> SQLTransaction:
        tx = self.statements()
        self.cursor.execute("BEGIN IMMEDIATE")
        return tx

    def statements(self) -> SQLTransaction:
        if self.db is None:  # closed before a fork: each worker opens its own connection
            self._open()
        return self.tx

    def in_transaction(self) -> bool:
        return self.db is not None and self.db.in_transaction

    def _attempt(self, decision: Decision[T], *, purge: bool, atomic: bool = True) -> T:
        """One try, never waiting for a lock: _Busy when it is held. A busy statement was not
        run, and a decision outside a transaction writes once, last: trying again is safe."""
        try:
            with self.transaction(purge=purge, atomic=atomic) as tx:
                return decision(tx)
        except sqlite3.OperationalError as exc:
            raise (
                _Busy(str(exc)) if exc.sqlite_errorcode in BUSY_CODES else _unavailable(exc)
            ) from None
        except sqlite3.DatabaseError as exc:  # I/O errors, a file no longer SQLite
            raise _unavailable(exc) from None

    async def run(self, decision: Decision[T], timeout: float, *, atomic: bool = True) -> T:
        deadline = None
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                return self._attempt(decision, purge=True, atomic=atomic)
            except _Busy as busy:
                now = time.monotonic()
                deadline = now + timeout if deadline is None else deadline
                if now + delay > deadline:
                    raise StoreUnavailable(f"{self.label}: {busy.reason}") from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    def run_blocking(self, decision: Decision[T], timeout: float) -> T:
        deadline = time.monotonic() + timeout
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                return self._attempt(decision, purge=False)
            except _Busy as busy:
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailable(f"{self.label}: {busy.reason}") from None
            time.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    def pragma(self, name: str) -> Any:
        """A SQLite setting as in force (for tests and inspection)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        with self.lock:
            db = self._open() if self.db is None else self.db
            return db.execute(f"PRAGMA {name}").fetchone()[0]


class _Busy(StoreUnavailable):
    """The file is locked by another connection: try again until the deadline."""


def _unavailable(exc: sqlite3.Error) -> StoreUnavailable:
    return StoreUnavailable(" ".join(str(exc).split()) or type(exc).__name__)
