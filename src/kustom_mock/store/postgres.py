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

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from kustom_mock.store.base import NewOrder, Purged, PurgeSchedule, StoredResponse, StoreError
from kustom_mock.tokens import TokenState

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


class PostgresTransaction:
    """The Transaction operations on one PostgreSQL connection, inside one transaction."""

    def __init__(self, db: psycopg.Connection[Any], clock: Callable[[], float]) -> None:
        self._db = db
        self._clock = clock

    def find_response(self, merchant_id: str, key: str, retention: float) -> StoredResponse | None:
        # The lock in its own statement: the lookup below then sees what the holder committed.
        self._db.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            (KEY_LOCK_CLASS, f"{merchant_id}\n{key}"),
        )
        row = self._db.execute(
            "SELECT fingerprint, status, body, headers FROM idempotency "
            "WHERE merchant_id = %s AND idempotency_key = %s AND created_at >= %s",
            (merchant_id, key, self._clock() - retention),
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], bytes(row[2]), json.loads(row[3]))

    def save_response(self, merchant_id: str, key: str, response: StoredResponse) -> None:
        # An expired record under the same key is replaced (the lock above is held).
        self._db.execute(
            "INSERT INTO idempotency VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (merchant_id, idempotency_key) DO UPDATE SET "
            "fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at, "
            "status = EXCLUDED.status, body = EXCLUDED.body, headers = EXCLUDED.headers",
            (
                merchant_id,
                key,
                response.fingerprint,
                self._clock(),
                response.status,
                response.body,
                json.dumps(response.headers),
            ),
        )

    def save_order(self, order: NewOrder) -> None:
        self._db.execute(
            "INSERT INTO orders (order_id, merchant_id, customer_token, idempotency_key, "
            "created_at, summary, response) VALUES (%s, %s, %s, %s, %s, %s, %s)",
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
        row = self._db.execute(
            "SELECT merchant_id, status FROM tokens WHERE token = %s", (token,)
        ).fetchone()
        return None if row is None else TokenState(token, row[0], row[1])

    def claim_token(self, token: str, merchant_id: str, status: str) -> TokenState:
        """The token's state, created with this owner and status if it has none yet."""
        self._db.execute(
            "INSERT INTO tokens VALUES (%s, %s, %s, %s) ON CONFLICT (token) DO NOTHING",
            (token, merchant_id, status, self._clock()),
        )
        state = self.token(token)
        assert state is not None  # just inserted, or already there
        return state

    def set_token_status(self, token: str, status: str) -> None:
        self._db.execute(
            "UPDATE tokens SET status = %s, updated_at = %s WHERE token = %s",
            (status, self._clock(), token),
        )

    def forget_everything(self) -> None:
        self._db.execute("TRUNCATE tokens, orders, idempotency, flaky_attempts")

    def purge_expired(self, cutoff: float) -> Purged:
        """Drop idempotency records, orders and flaky attempts older than ``cutoff``."""
        counts = [
            self._db.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE created_at < %s RETURNING 1) "  # noqa: S608 (fixed names)
                "SELECT count(*) FROM gone",
                (cutoff,),
            ).fetchone()
            for table in ("idempotency", "orders", "flaky_attempts")
        ]
        return Purged(*(int(row[0]) if row else 0 for row in counts))

    def first_flaky_attempt(self, merchant_id: str, key: str, retention: float) -> bool:
        """True the first time a key is seen for tok_flaky (within the retention window)."""
        self._db.execute(
            "DELETE FROM flaky_attempts WHERE merchant_id = %s AND idempotency_key = %s "
            "AND created_at < %s",
            (merchant_id, key, self._clock() - retention),
        )
        inserted = self._db.execute(
            "INSERT INTO flaky_attempts VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (merchant_id, key, self._clock()),
        ).fetchone()
        return inserted is not None

    def orders(self, merchant_id: str | None) -> list[dict[str, Any]]:
        if merchant_id is None:
            rows = self._db.execute(
                "SELECT order_id, merchant_id, customer_token, idempotency_key, summary, "
                "response FROM orders ORDER BY seq"
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT order_id, merchant_id, customer_token, idempotency_key, summary, "
                "response FROM orders WHERE merchant_id = %s ORDER BY seq",
                (merchant_id,),
            ).fetchall()
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


class PostgresBackend:
    def __init__(
        self,
        url: str,
        clock: Callable[[], float],
        *,
        fsync: bool,
        schedule: PurgeSchedule | None = None,
    ) -> None:
        self._url = url
        self.schedule = schedule or PurgeSchedule(clock, None, 0)
        self.label = redacted(url)
        self._clock = clock
        self._fsync = fsync
        self._lock = threading.Lock()
        self._db = self._connect()
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

    def _connect(self) -> psycopg.Connection[Any]:
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
        return db

    def _migrate(self) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else int(row[0])
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (0)")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.label} was written by a newer mock (schema {version}, "
                    f"this one knows {SCHEMA_VERSION})"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement.encode())
                self._db.execute("UPDATE schema_version SET version = %s", (number,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self, *, purge: bool = True) -> Iterator[PostgresTransaction]:
        """One transaction; committed (or rolled back) before the lock is let go. ``purge``:
        purge expired rows first when a purge is due."""
        with self._lock:
            if self._db.broken or self._db.closed:  # the server restarted, or the link dropped
                self._db = self._connect()
            # Not in pipeline mode: it would save two of an order's four round trips, but
            # psycopg's pipeline costs more than that here (550 vs 400 us per order, measured).
            with self._db.transaction():
                tx = PostgresTransaction(self._db, self._clock)
                cutoff = self.schedule.due() if purge else None
                if cutoff is not None:
                    tx.purge_expired(cutoff)
                yield tx
