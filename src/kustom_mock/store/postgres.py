"""PostgreSQL storage (``--db postgresql://...``): what several mock processes, on one machine
or many, share so that a retry landing on another replica replays instead of ordering twice.

Every decision in one transaction committed before the response is sent (so an acknowledged
order survives kill -9 of the mock), run off the event loop: a request's decision goes to a
small pool of threads (POOL_SIZE per process), each with its own connection, and the loop
awaits it with the request's deadline. A driver waiting on the server (paused, restarting, a
lock) never holds up the requests that need no store, and a process's requests overlap on the
server. Threads rather than psycopg's asynchronous connections: the decision (the operations,
the Behaviour's steps) reads and writes through one synchronous ``Transaction`` for both stores,
and SQLite, which answers in microseconds, stays on the loop.

Bounded waits: the request's deadline (``--store-timeout``) bounds the wait on the loop; the
server is told the same bound (``statement_timeout``, ``lock_timeout``,
``idle_in_transaction_session_timeout``) so that it gives up too, and the connection has TCP
keepalives and ``tcp_user_timeout`` so that a server that vanished is noticed. A thread whose
caller stopped waiting rolls back instead of committing. A connection found broken (the server
restarted, the link dropped) is replaced, and a transaction that failed on it before its COMMIT
was sent did not happen: it runs once more on a fresh connection, so the first request after a
restart is answered as usual.

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

import asyncio
import math
import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from kustom_mock.store.base import Decision, PurgeSchedule, StoreError, StoreUnavailable, T
from kustom_mock.store.sql import EVERY_TABLE, Dialect, Session, SQLTransaction, migrate

SCHEMA = "kustom_mock"
# Arbitrary constants: the advisory lock that serialises migrations, and the namespace of the
# per-key locks (pg_advisory_xact_lock(int, int): class and hash).
MIGRATION_LOCK = 0x4B55_5354
KEY_LOCK_CLASS = 0x4B4D
POOL_SIZE = 4  # threads, each with its connection, per mock process
# An idle connection is probed after 5 s, then every 2 s; 3 probes unanswered and it is dead.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}

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


class PostgresSession(Session):
    """One connection of the pool (one thread's)."""

    def __init__(
        self,
        db: psycopg.Connection[tuple[object, ...]],
        clock: Callable[[], float],
        schedule: PurgeSchedule,
    ) -> None:
        super().__init__(schedule)
        self.db = db
        self.cursor = db.cursor()
        self.tx = SQLTransaction(self.cursor, clock, POSTGRES)

    @property
    def broken(self) -> bool:
        return self.db.broken or self.db.closed

    def begin(self) -> SQLTransaction:
        self.cursor.execute("BEGIN")
        return self.tx

    def in_transaction(self) -> bool:
        return self.db.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        )


class _Job:
    """One request's decision as the pool's thread sees it: whether its caller still waits."""

    __slots__ = ("abandoned",)

    def __init__(self) -> None:
        self.abandoned = False

    def check(self) -> None:
        if self.abandoned:
            raise StoreUnavailable("the request stopped waiting")


class PostgresBackend:
    """Each transaction on one thread's connection, serialised with any other under the same
    idempotency key, in any process (the key's advisory lock)."""

    def __init__(
        self,
        url: str,
        clock: Callable[[], float],
        *,
        fsync: bool,
        schedule: PurgeSchedule,
        timeout: float,
    ) -> None:
        self._url = url
        self.label = redacted(url)
        self._clock = clock
        self._fsync = fsync
        self._schedule = schedule
        self._timeout = timeout
        self._local = threading.local()  # each thread's PostgresSession
        self._sessions: list[PostgresSession] = []
        self._sessions_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        try:
            session = self._session()
            self._migrate(session.db)
        except (psycopg.Error, ValueError, StoreUnavailable) as exc:
            self.close()
            raise self._error(exc) from None

    def _reason(self, exc: BaseException) -> str:
        """One line about ``exc`` without the password."""
        detail = " ".join(str(exc).split()) or type(exc).__name__
        password = _password_of(self._url)
        if password:
            detail = detail.replace(password, "***")
        return detail

    def _error(self, exc: BaseException) -> StoreError:
        """One line that names the database without its password."""
        return StoreError(f"cannot use {self.label} as the mock's database: {self._reason(exc)}")

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """A new connection, told the deadline: the server gives up on a statement, a lock or a
        transaction left idle past it (the pool's thread would have given up already)."""
        ms = max(1, int(self._timeout * 1000))
        options = (
            f"-c search_path={SCHEMA} -c statement_timeout={ms} -c lock_timeout={ms} "
            f"-c idle_in_transaction_session_timeout={ms}"
        )
        if not self._fsync:
            options += " -c synchronous_commit=off"
        conninfo = make_conninfo(
            self._url,
            connect_timeout=max(2, math.ceil(self._timeout)),  # libpq's floor is 2 s
            application_name="kustom-mock",
            options=options,
            tcp_user_timeout=ms,  # data sent and not acknowledged this long: the link is gone
            **KEEPALIVE,
        )
        # autocommit: transactions are opened explicitly, one per decision.
        return psycopg.connect(conninfo, autocommit=True)

    def _session(self) -> PostgresSession:
        """This thread's session; a new connection when it has none or its own is broken."""
        session: PostgresSession | None = getattr(self._local, "session", None)
        if session is not None and not session.broken:
            return session
        if session is not None:
            self._forget(session)
        try:
            db = self._connect()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"{self.label}: {self._reason(exc)}") from None
        session = PostgresSession(db, self._clock, self._schedule)
        self._local.session = session
        with self._sessions_lock:
            self._sessions.append(session)
        return session

    def _forget(self, session: PostgresSession) -> None:
        session.db.close()
        with self._sessions_lock:
            if session in self._sessions:
                self._sessions.remove(session)

    def _migrate(self, db: psycopg.Connection[tuple[object, ...]]) -> None:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            db.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else int(str(row[0]))
            if row is None:
                db.execute("INSERT INTO schema_version VALUES (0)")

            def set_version(number: int) -> None:
                db.execute("UPDATE schema_version SET version = %s", (number,))

            migrate(db.cursor(), MIGRATIONS, version, set_version, self.label)

    def _run_here(
        self, decision: Decision[T], *, purge: bool, before_commit: Callable[[], None] | None
    ) -> T:
        """The decision on this thread's connection; once more on a fresh one if the
        connection broke before the COMMIT was sent (nothing was kept)."""
        for attempt in (1, 2):
            session = self._session()
            try:
                with session.transaction(purge=purge, before_commit=before_commit) as tx:
                    return decision(tx)
            except psycopg.OperationalError as exc:
                # Timeouts (statement, lock) leave the connection sound: not retried.
                if attempt == 1 and session.broken and not session.commit_sent:
                    continue
                raise StoreUnavailable(f"{self.label}: {self._reason(exc)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:  # after a fork, each worker starts its own
            self._executor = ThreadPoolExecutor(POOL_SIZE, thread_name_prefix="kustom-mock-store")
        return self._executor

    async def run(self, decision: Decision[T], timeout: float) -> T:
        job = _Job()

        def work() -> T:
            job.check()  # it waited in the queue past its deadline: it does not start
            return self._run_here(decision, purge=True, before_commit=job.check)

        future = asyncio.get_running_loop().run_in_executor(self._pool(), work)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            job.abandoned = True
            raise StoreUnavailable(f"{self.label}: no answer within {timeout:g} s") from None

    def run_blocking(self, decision: Decision[T], timeout: float) -> T:
        return self._run_here(decision, purge=False, before_commit=None)

    def close(self) -> None:
        """Every connection closed and the pool's threads let go (before a fork, at exit);
        the next decision opens them again."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.db.close()
        self._local = threading.local()
