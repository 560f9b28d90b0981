"""PostgreSQL storage (``--db postgresql://...``): what several mock processes, on one machine
or many, share so that a retry landing on another replica replays instead of ordering twice.

One connection per process, used under a lock, every decision in one transaction committed
before the response is sent (so an acknowledged order survives kill -9 of the mock).

Exactly one order per idempotency key: a transaction that looks up a key first takes a
transaction-level advisory lock on (merchant, key), in a statement of its own. A concurrent
request under the same key, in any process, waits there until the holder commits, and its
lookup, a later statement, then sees the record (READ COMMITTED takes a snapshot per
statement). The record does not exist yet when the first request arrives, so there is no row
to ``SELECT ... FOR UPDATE``; an advisory lock needs no placeholder row to clean up on
failure, and PostgreSQL releases it at commit, rollback, or when a killed process's
connection drops. Token states need no such lock: a cancel is one ``UPDATE``, a fresh token is
claimed with ``INSERT ... ON CONFLICT DO NOTHING``, a tok_flaky attempt likewise.

Without ``fsync`` the session runs with ``synchronous_commit = off``, the counterpart of
SQLite's synchronous=OFF: a commit is in the server's hands (and survives the mock's death)
but the server may lose its last fraction of a second of commits in a crash of its own.
``fsync=True`` keeps the server's default (``on``).

The tables live in their own schema, ``kustom_mock``, so that the mock can share a database
with other things; its version is in ``kustom_mock.schema_version`` and MIGRATIONS take it up
one step each, under an advisory lock so that replicas starting together migrate once.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import psycopg
from psycopg.pq import TransactionStatus

from kustom_mock.store.base import PurgeSchedule, StoreError
from kustom_mock.store.sql import EVERY_TABLE, Dialect, SQLBackend, SQLTransaction, migrate

SCHEMA = "kustom_mock"
# Arbitrary constants: the advisory lock that serialises migrations, and the namespace of the
# per-key locks (pg_advisory_xact_lock(int, int): class and hash).
MIGRATION_LOCK = 0x4B55_5354
KEY_LOCK_CLASS = 0x4B4D
CONNECT_TIMEOUT_SECONDS = 5

MIGRATIONS: tuple[str, ...] = (
    # 1: token state, orders (a summary of the request), idempotency records, tok_flaky's
    # attempts; each purged by age (created_at, seconds since the epoch like SQLite's).
    """
    CREATE TABLE tokens (
        token text PRIMARY KEY,
        merchant_id text NOT NULL,
        status text NOT NULL,
        updated_at double precision NOT NULL
    );
    CREATE TABLE orders (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id text NOT NULL UNIQUE,
        merchant_id text NOT NULL,
        customer_token text NOT NULL,
        idempotency_key text,
        created_at double precision NOT NULL,
        summary text NOT NULL,
        response text NOT NULL
    );
    CREATE INDEX orders_created_at ON orders (created_at);
    CREATE TABLE idempotency (
        merchant_id text NOT NULL,
        idempotency_key text NOT NULL,
        fingerprint text NOT NULL,
        created_at double precision NOT NULL,
        status integer NOT NULL,
        body bytea NOT NULL,
        headers text NOT NULL,
        PRIMARY KEY (merchant_id, idempotency_key)
    );
    CREATE INDEX idempotency_created_at ON idempotency (created_at);
    CREATE TABLE flaky_attempts (
        merchant_id text NOT NULL,
        idempotency_key text NOT NULL,
        created_at double precision NOT NULL,
        PRIMARY KEY (merchant_id, idempotency_key)
    );
    CREATE INDEX flaky_attempts_created_at ON flaky_attempts (created_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL with any password replaced: safe for a log line or an error message."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}{':***' if colon else ''}@{host}"
    query = urllib.parse.urlencode(
        [
            (name, "***" if name.lower() == "password" else value)
            for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _password_of(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        return urllib.parse.unquote(parts.password)
    for name, value in urllib.parse.parse_qsl(parts.query):
        if name.lower() == "password" and value:
            return value
    return None


POSTGRES = Dialect(
    placeholder="%s",
    insertion_order="seq",
    orders_indexed_by_age=True,
    key_lock=f"SELECT pg_advisory_xact_lock({KEY_LOCK_CLASS}, hashtext(%s))",
    body_in=bytes,
    body_out=bytes,
    # One TRUNCATE, not a DELETE per table: its ACCESS EXCLUSIVE lock waits until the
    # transactions of other replicas on these tables have ended, and none starts meanwhile,
    # so a reset never interleaves with another mock's decision.
    forget_everything=(f"TRUNCATE {', '.join(EVERY_TABLE)}",),
)


class PostgresBackend(SQLBackend):
    """Every transaction serialised with the others of this process (the lock), and with any
    other under the same idempotency key, in any process (the key's advisory lock)."""

    def __init__(
        self, url: str, clock: Callable[[], float], *, fsync: bool, schedule: PurgeSchedule
    ) -> None:
        super().__init__(clock, schedule)
        self._url = url
        self.label = redacted(url)
        self._fsync = fsync
        self._connect()
        try:
            self._migrate()
        except psycopg.Error as exc:
            self._db.close()
            raise self._error(exc) from None

    def _error(self, exc: BaseException) -> StoreError:
        """One line that names the database without its password."""
        detail = " ".join(str(exc).split()) or type(exc).__name__
        password = _password_of(self._url)
        if password:
            detail = detail.replace(password, "***")
        return StoreError(f"cannot use {self.label} as the mock's database: {detail}")

    def _connect(self) -> None:
        """The connection, its one cursor and the transaction operations on it."""
        try:
            db = psycopg.connect(
                self._url,
                autocommit=True,  # transactions are opened explicitly, one per decision
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="kustom-mock",
                options=f"-c search_path={SCHEMA}",
            )
        except (psycopg.Error, ValueError) as exc:  # ValueError: a URL libpq cannot read
            raise self._error(exc) from None
        if not self._fsync:
            db.execute("SET synchronous_commit = off")
        self._db = db
        self.cursor = db.cursor()
        self.tx = SQLTransaction(self.cursor, self._clock, POSTGRES)

    def _migrate(self) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else int(row[0])
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (0)")
            migrate(self._db.cursor(), MIGRATIONS, version, self._set_version, self.label)

    def _set_version(self, number: int) -> None:
        self._db.execute("UPDATE schema_version SET version = %s", (number,))

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def begin(self) -> SQLTransaction:
        if self._db.broken or self._db.closed:  # the server restarted, or the link dropped
            self._connect()
        # Not in pipeline mode: it would save two of an order's four round trips, but
        # psycopg's pipeline costs more than that here (550 vs 400 us per order, measured).
        self.cursor.execute("BEGIN")
        return self.tx

    def in_transaction(self) -> bool:
        return self._db.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        )
