"""PostgreSQL storage (``--db postgresql://...``): what several mock processes, on one machine
or many, share so that a retry landing on another replica replays instead of ordering twice.

Every decision in one transaction committed before the response is sent (so an acknowledged
order survives kill -9 of the mock), on a connection from a small pool (POOL_SIZE per process),
run on the event loop through the bridge (store/bridge.py): synchronous psycopg, cheap, whose
waits for the server go to the loop when the answer is not there at once, so a request waiting
on the server (paused, restarting, a lock) never holds up the others, and a process's requests
overlap on the server. A request without an idempotency key is its statements alone (an order:
the token, then the order; store/sql.py, Write, says why), one with a key a transaction.

Bounded waits: the request waits for a connection and for every answer until its deadline
(``--store-timeout``), then is answered 503; the connection it was using is closed, never
reused, so its transaction is rolled back unless its COMMIT had been sent (then the outcome is
unknown: the 503 says retry, and a retry under the same key replays what was kept). A new
connection is opened in a thread (libpq's connect blocks), within the same deadline. The server
is told the same bound (``statement_timeout``, ``lock_timeout``,
``idle_in_transaction_session_timeout``) so that it gives up too, and the connection has TCP
keepalives and ``tcp_user_timeout`` so that a server that vanished is noticed. A connection
found broken (the server restarted, the link dropped) is replaced, with every idle one (after a
restart they are all dead), and a decision that broke before anything could have been kept
runs once more on a fresh connection, so the first request after a restart is answered as usual.
Set-up and inspection (migrations, the fixtures, ``Store.orders()``) use one connection of their
own, outside the bridge.

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
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from kustom_mock.store.base import Decision, PurgeSchedule, StoreError, StoreUnavailable, T
from kustom_mock.store.bridge import BridgedConnection, Runner
from kustom_mock.store.sql import EVERY_TABLE, Dialect, Session, SQLTransaction, migrate

SCHEMA = "kustom_mock"
# Arbitrary constants: the advisory lock that serialises migrations, and the namespace of the
# per-key locks (pg_advisory_xact_lock(int, int): class and hash).
MIGRATION_LOCK = 0x4B55_5354
KEY_LOCK_CLASS = 0x4B4D
POOL_SIZE = 4  # connections per mock process
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
    # 2: the test controls (/_mock/): an order keeps its request's body (cut at a bound; NULL
    # for the orders kept before), faults armed per merchant (taken oldest first, by seq),
    # each merchant's clock, and tokens found by owner (a merchant's token states, its reset).
    """
    ALTER TABLE orders ADD COLUMN body text, ADD COLUMN body_bytes bigint;
    CREATE TABLE faults (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        fault_id text NOT NULL UNIQUE,
        merchant_id text NOT NULL,
        operation text NOT NULL,
        customer_token text,
        remaining integer NOT NULL,
        kind text NOT NULL,
        status integer,
        ms integer,
        retry_after integer,
        armed_at double precision NOT NULL
    );
    CREATE INDEX faults_by_operation ON faults (merchant_id, operation);
    CREATE TABLE clocks (
        merchant_id text PRIMARY KEY,
        offset_seconds double precision NOT NULL
    );
    CREATE INDEX tokens_by_owner ON tokens (merchant_id);
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
    """The synchronous connection for set-up and inspection (run_blocking)."""

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
        self._runner: Runner | None = None

    @property
    def runner(self) -> Runner:
        """Its decisions' greenlet (store/bridge.py), made in the event loop's thread that
        uses it (a greenlet belongs to one thread; the connection may be opened in another)."""
        if self._runner is None:
            self._runner = Runner()
        return self._runner

    @property
    def broken(self) -> bool:
        return self.db.broken or self.db.closed

    def begin(self) -> SQLTransaction:
        self.cursor.execute("BEGIN")
        return self.tx

    def statements(self) -> SQLTransaction:
        return self.tx  # the connection is in autocommit mode

    def in_transaction(self) -> bool:
        return self.db.info.transaction_status in (
            TransactionStatus.INTRANS,
            TransactionStatus.INERROR,
        )


class _Pool:
    """Up to ``size`` sessions (connections) for the decisions of one event loop. A list and a
    semaphore rather than psycopg_pool: the mock's connections wait through the bridge, and
    what it needs beyond a list is to drop every idle connection at once after one is found
    broken, and to close them from any thread (a fork, an exit)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._idle: list[PostgresSession] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def lease(self, connect: Callable[[], Awaitable[PostgresSession]]) -> PostgresSession:
        """A session with its slot held until ``release``: an idle one, or a new one from
        ``connect()``. Whatever the wait or ``connect`` raise, the slot is not held."""
        loop = asyncio.get_running_loop()
        if self._slots is None or loop is not self._loop:  # first use, or another loop's
            self.drop_idle()
            self._slots, self._loop = asyncio.Semaphore(self._size), loop
        slots = self._slots
        await slots.acquire()
        try:
            while self._idle:
                session = self._idle.pop()
                if not session.broken:
                    return session
                _close(session)
            return await connect()
        except BaseException:
            slots.release()
            raise

    def release(self, session: PostgresSession, *, reuse: bool) -> None:
        if reuse and not session.broken and not session.in_transaction():
            self._idle.append(session)
        else:
            _close(session)
        if self._slots is not None:
            self._slots.release()

    def drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for session in idle:
            _close(session)


def _close(session: PostgresSession) -> None:
    """Close without a round trip: the connection may be mid-statement."""
    session.db.pgconn.finish()
    session.db.close()


class PostgresBackend:
    """Each decision on a session of the pool, serialised with any other under the same
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
        self._conninfo = self._make_conninfo()
        self._admin: PostgresSession | None = None
        self._admin_lock = threading.Lock()
        self._pool = _Pool(POOL_SIZE)
        try:
            self._migrate(self._admin_session().db)
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

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"{self.label}: {self._reason(exc)}")

    def _make_conninfo(self) -> str:
        """The URL with the deadline told to the server: it gives up on a statement, a lock or a
        transaction left idle past it (the mock has given up by then)."""
        ms = max(1, int(self._timeout * 1000))
        options = (
            f"-c search_path={SCHEMA} -c statement_timeout={ms} -c lock_timeout={ms} "
            f"-c idle_in_transaction_session_timeout={ms}"
        )
        if not self._fsync:
            options += " -c synchronous_commit=off"
        try:
            return make_conninfo(
                self._url,
                connect_timeout=max(2, math.ceil(self._timeout)),  # libpq's floor is 2 s
                application_name="kustom-mock",
                options=options,
                tcp_user_timeout=ms,  # data sent and not acknowledged this long: the link is gone
                **KEEPALIVE,
            )
        except psycopg.ProgrammingError as exc:  # a URL libpq cannot read
            raise self._error(exc) from None

    def _connect(self) -> PostgresSession:
        try:
            # autocommit: a transaction is opened explicitly, one per keyed decision.
            db = BridgedConnection.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            raise self._unavailable(exc) from None
        return PostgresSession(db, self._clock, self._schedule)

    def _admin_session(self) -> PostgresSession:
        """The connection for set-up and inspection (the caller holds _admin_lock, or is the
        constructor)."""
        if self._admin is None or self._admin.broken:
            if self._admin is not None:
                self._admin.db.close()
            self._admin = self._connect()
        return self._admin

    def _migrate(self, db: psycopg.Connection[tuple[Any, ...]]) -> None:
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

    async def run(self, decision: Decision[T], timeout: float, *, atomic: bool = True) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        late = f"{self.label}: no answer within {timeout:g} s"
        for attempt in (1, 2):
            reuse = False
            try:
                async with asyncio.timeout_at(deadline):
                    session = await self._pool.lease(self._connect_within)
            except TimeoutError:
                raise StoreUnavailable(late) from None
            db = session.db
            assert isinstance(db, BridgedConnection)

            def abandon(db: BridgedConnection = db) -> None:
                db.abandoned = True

            def work(session: PostgresSession = session) -> T:
                with session.transaction(purge=True, atomic=atomic) as tx:
                    return decision(tx)

            try:
                result = await session.runner.run(work, deadline, abandon, late)
                reuse = True
                return result
            except psycopg.OperationalError as exc:
                if session.broken:
                    self._pool.drop_idle()  # after a restart every idle connection is dead too
                # Timeouts (statement, lock) leave the connection sound: not retried.
                if (
                    attempt == 1
                    and session.broken
                    and not db.abandoned
                    and not session.kept_anything(atomic=atomic)
                ):
                    continue
                raise self._unavailable(exc) from None
            except StoreUnavailable:
                raise  # the deadline, met in the bridge: the connection is closed below
            except Exception:
                reuse = True  # the decision's own answer (a refusal), or a bug: rolled back
                raise
            finally:
                self._pool.release(session, reuse=reuse and not db.abandoned)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _connect_within(self) -> PostgresSession:
        """A new session, opened in a thread (libpq's connect blocks); one that comes after its
        request stopped waiting is closed when it comes."""
        future = asyncio.get_running_loop().run_in_executor(None, self._connect)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            future.add_done_callback(_close_late)
            raise

    def run_blocking(self, decision: Decision[T], timeout: float) -> T:
        with self._admin_lock:
            for attempt in (1, 2):
                session = self._admin_session()
                try:
                    with session.transaction(purge=False) as tx:
                        return decision(tx)
                except psycopg.OperationalError as exc:
                    if attempt == 1 and session.broken and not session.commit_sent:
                        continue
                    raise self._unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Every idle connection closed (before a fork, at exit); the next decision opens
        them again."""
        self._pool.drop_idle()
        with self._admin_lock:
            if self._admin is not None:
                self._admin.db.close()
                self._admin = None


def _close_late(future: asyncio.Future[PostgresSession]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().db.close()
