"""The statements every SQL backend runs, written once; a ``Dialect`` says what differs.

SQLite and PostgreSQL both read ``INSERT ... ON CONFLICT``, so the statements below are the
same text for both but for the placeholder (``?`` or ``%s``). What does differ:

- the lock that serialises two requests under one idempotency key: SQLite's ``BEGIN IMMEDIATE``
  already holds the whole database, PostgreSQL takes a per-key advisory lock first;
- how a response's body is kept (SQLite: TEXT, PostgreSQL: bytea);
- which column follows the order of insertion (SQLite's rowid, PostgreSQL's seq) and whether
  orders carry an index on their age (PostgreSQL) or are purged oldest first by that column;
- how ``--reset`` forgets everything (SQLite: a DELETE per table, PostgreSQL: one TRUNCATE).

``Write`` is the transaction itself, on one ``Session`` (a connection and its cursor): the
session's lock, ``BEGIN``, a purge when one is due, then ``COMMIT`` (``ROLLBACK`` on an
exception).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from kustom_mock.faults import ArmedFault, FaultAction, FaultKind, FaultTake, NewFault
from kustom_mock.store.base import (
    KeptOrder,
    NewOrder,
    Purged,
    PurgeSchedule,
    StoredResponse,
    StoreError,
)
from kustom_mock.tokens import TokenState

_PURGED_BY_AGE = ("idempotency", "flaky_attempts")  # each with an index on created_at
# What a request keeps, by the time it was kept: what the clock of /_mock/clock makes older.
_AGED = ("idempotency", "orders", "flaky_attempts")
# Every table, and each with a merchant_id column (all but tokens also hold a merchant's rows
# by it; a token's row is its owner's).
EVERY_TABLE = ("tokens", "orders", "idempotency", "flaky_attempts", "faults", "clocks")
_FAULT_COLUMNS = "fault_id, operation, customer_token, remaining, kind, status, ms, retry_after"
_ORDER_COLUMNS = (
    "order_id, customer_token, idempotency_key, created_at, summary, response, body, body_bytes"
)


class Cursor(Protocol):
    """What the statements need of a DB-API cursor (sqlite3's, psycopg's)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, query: str, params: Sequence[Any] = ..., /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class Dialect:
    placeholder: str  # how a statement marks a parameter: "?" (sqlite3) or "%s" (psycopg)
    insertion_order: str  # the column that follows the order in which orders were inserted
    orders_indexed_by_age: bool  # orders has an index on created_at
    # The statement that serialises decisions under one (merchant, key), given the pair as
    # one string; None where the transaction holds the whole database already.
    key_lock: str | None
    body_in: Callable[[bytes], Any]  # a response's body as stored
    body_out: Callable[[Any], bytes]  # and as read back
    # The statements that empty every table (``--reset``), run in order in one transaction.
    forget_everything: tuple[str, ...]

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)


class SQLTransaction:
    """The Transaction operations on one cursor, inside the transaction ``Write`` opens."""

    def __init__(self, cursor: Cursor, clock: Callable[[], float], dialect: Dialect) -> None:
        self._cursor = cursor  # one cursor for every statement
        # Whether the decision sent a write that a second run would repeat (an order, a kept
        # answer): outside a transaction (see Write) it may stand although the decision failed.
        # A claim and a cancel are the same whether run once or twice (a flaky attempt comes
        # only with a key, inside a transaction).
        self.unrepeatable = False
        self._clock = clock
        self._dialect = dialect
        self._forget_everything = dialect.forget_everything
        sql = dialect.sql
        order = dialect.insertion_order
        self._key_lock = dialect.key_lock
        self._body_in = dialect.body_in
        self._body_out = dialect.body_out
        self._find_response = sql(
            "SELECT fingerprint, status, body, headers FROM idempotency "
            "WHERE merchant_id = ? AND idempotency_key = ? AND created_at >= ?"
        )
        # An expired record under the same key is replaced (the key's lock is held).
        self._save_response = sql(
            "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (merchant_id, idempotency_key) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, created_at = excluded.created_at, "
            "status = excluded.status, body = excluded.body, headers = excluded.headers"
        )
        self._save_order = sql(
            "INSERT INTO orders (order_id, merchant_id, customer_token, idempotency_key, "
            "created_at, summary, response, body, body_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        self._token = sql("SELECT merchant_id, status FROM tokens WHERE token = ?")
        self._claim_token = sql(
            "INSERT INTO tokens VALUES (?, ?, ?, ?) ON CONFLICT (token) DO NOTHING"
        )
        self._set_token_status = sql("UPDATE tokens SET status = ?, updated_at = ? WHERE token = ?")
        self._forget_flaky_attempt = sql(
            "DELETE FROM flaky_attempts WHERE merchant_id = ? AND idempotency_key = ? "
            "AND created_at < ?"
        )
        self._add_flaky_attempt = sql(
            "INSERT INTO flaky_attempts VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        )
        self._purge = {
            table: sql(f"DELETE FROM {table} WHERE created_at < ?")  # noqa: S608 (fixed names)
            for table in (*_PURGED_BY_AGE, "orders")
        }
        self._first_kept_order = sql(
            f"SELECT {order} FROM orders WHERE created_at >= ? ORDER BY {order} LIMIT 1"  # noqa: S608 (fixed names)
        )
        self._purge_orders_before = sql(
            f"DELETE FROM orders WHERE {order} < ? AND created_at < ?"  # noqa: S608 (fixed names)
        )
        columns = "order_id, merchant_id, customer_token, idempotency_key, summary, response"
        self._orders = f"SELECT {columns} FROM orders ORDER BY {order}"  # noqa: S608 (fixed names)
        self._orders_of = sql(
            f"SELECT {columns} FROM orders WHERE merchant_id = ? ORDER BY {order}"  # noqa: S608 (fixed names)
        )
        # By merchant, and by merchant and token (the filter of GET /_mock/orders, /tokens).
        orders_of = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE merchant_id = ? AND created_at >= ?"  # noqa: S608 (fixed names)
        newest = f" ORDER BY {order} DESC LIMIT ?"
        self._merchant_orders = {
            False: sql(orders_of + newest),
            True: sql(orders_of + " AND customer_token = ?" + newest),
        }
        tokens_of = "SELECT token, status FROM tokens WHERE merchant_id = ?"
        self._merchant_tokens = {
            False: sql(tokens_of + " ORDER BY token LIMIT ?"),
            True: sql(tokens_of + " AND token = ? ORDER BY token LIMIT ?"),
        }
        # The faults armed for a merchant's operation, oldest first (at most MAX_ARMED); the
        # count of the one a request takes goes by a conditional UPDATE, so that two processes
        # outside a transaction never take the same one.
        self._find_faults = sql(
            f"SELECT {_FAULT_COLUMNS} FROM faults WHERE merchant_id = ? AND operation = ? "  # noqa: S608 (fixed names)
            f"AND remaining > 0 ORDER BY {order}"
        )
        self._take_fault = sql(
            "UPDATE faults SET remaining = remaining - 1 WHERE fault_id = ? AND remaining > 0"
        )
        self._drop_spent_fault = sql("DELETE FROM faults WHERE fault_id = ? AND remaining <= 0")
        self._arm_fault = sql(
            "INSERT INTO faults (fault_id, merchant_id, operation, customer_token, remaining, "
            "kind, status, ms, retry_after, armed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        self._armed_faults = sql(
            f"SELECT {_FAULT_COLUMNS} FROM faults WHERE merchant_id = ? AND remaining > 0 "  # noqa: S608 (fixed names)
            f"ORDER BY {order}"
        )
        self._disarm_faults = sql("DELETE FROM faults WHERE merchant_id = ?")
        self._clock_offset = sql("SELECT offset_seconds FROM clocks WHERE merchant_id = ?")
        self._advance_clock = sql(
            "INSERT INTO clocks VALUES (?, ?) ON CONFLICT (merchant_id) DO UPDATE SET "
            "offset_seconds = clocks.offset_seconds + excluded.offset_seconds"
        )
        self._age = [
            sql(f"UPDATE {table} SET created_at = created_at - ? WHERE merchant_id = ?")  # noqa: S608 (fixed names)
            for table in _AGED
        ]
        self._forget_merchant = [
            sql(f"DELETE FROM {table} WHERE merchant_id = ?")  # noqa: S608 (fixed names)
            for table in EVERY_TABLE
        ]

    def find_response(self, merchant_id: str, key: str, retention: float) -> StoredResponse | None:
        if self._key_lock is not None:
            # The lock in its own statement: the lookup then sees what the holder committed.
            self._cursor.execute(self._key_lock, (f"{merchant_id}\n{key}",))
        row = self._cursor.execute(
            self._find_response, (merchant_id, key, self._clock() - retention)
        ).fetchone()
        if row is None:
            return None
        return StoredResponse(row[0], row[1], self._body_out(row[2]), json.loads(row[3]))

    def save_response(self, merchant_id: str, key: str, response: StoredResponse) -> None:
        self.unrepeatable = True
        self._cursor.execute(
            self._save_response,
            (
                merchant_id,
                key,
                response.fingerprint,
                self._clock(),
                response.status,
                self._body_in(response.body),
                json.dumps(response.headers),
            ),
        )

    def save_order(self, order: NewOrder) -> None:
        self.unrepeatable = True
        self._cursor.execute(
            self._save_order,
            (
                order.order_id,
                order.merchant_id,
                order.token,
                order.key,
                self._clock(),
                order.summary.decode(),
                order.response.decode(),
                order.body,
                order.body_bytes,
            ),
        )

    def token(self, token: str) -> TokenState | None:
        row = self._cursor.execute(self._token, (token,)).fetchone()
        return None if row is None else TokenState(token, row[0], row[1])

    def claim_token(self, token: str, merchant_id: str, status: str) -> TokenState:
        """The token's state, created with this owner and status if it has none yet."""
        self._cursor.execute(self._claim_token, (token, merchant_id, status, self._clock()))
        state = self.token(token)
        assert state is not None  # just inserted, or already there
        return state

    def set_token_status(self, token: str, status: str) -> None:
        self._cursor.execute(self._set_token_status, (status, self._clock(), token))

    def forget_everything(self) -> None:
        self.unrepeatable = True
        for statement in self._forget_everything:
            self._cursor.execute(statement)

    def purge_expired(self, cutoff: float) -> Purged:
        """Drop idempotency records, orders and flaky attempts older than ``cutoff``.

        Orders without an index on created_at (SQLite) go oldest first, up to the first one
        still in the window (found by walking the insertion order from the start, so a purge
        reads what it deletes and one row more). Should the clock have stepped back, a few
        expired orders wait for a later purge.
        """
        records, attempts = (
            self._cursor.execute(self._purge[table], (cutoff,)).rowcount for table in _PURGED_BY_AGE
        )
        if self._dialect.orders_indexed_by_age:
            orders = self._cursor.execute(self._purge["orders"], (cutoff,)).rowcount
        else:
            kept = self._cursor.execute(self._first_kept_order, (cutoff,)).fetchone()
            if kept is None:
                orders = self._cursor.execute(self._purge["orders"], (cutoff,)).rowcount
            else:
                orders = self._cursor.execute(self._purge_orders_before, (kept[0], cutoff)).rowcount
        return Purged(records, orders, attempts)

    def first_flaky_attempt(self, merchant_id: str, key: str, retention: float) -> bool:
        """True the first time a key is seen for tok_flaky (within the retention window)."""
        self._cursor.execute(
            self._forget_flaky_attempt, (merchant_id, key, self._clock() - retention)
        )
        cursor = self._cursor.execute(self._add_flaky_attempt, (merchant_id, key, self._clock()))
        return bool(cursor.rowcount == 1)

    def orders(self, merchant_id: str | None) -> list[dict[str, Any]]:
        if merchant_id is None:
            rows = self._cursor.execute(self._orders, ()).fetchall()
        else:
            rows = self._cursor.execute(self._orders_of, (merchant_id,)).fetchall()
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

    def merchant_orders(
        self, merchant_id: str, token: str | None, since: float, limit: int
    ) -> list[KeptOrder]:
        params = (merchant_id, since) if token is None else (merchant_id, since, token)
        rows = self._cursor.execute(
            self._merchant_orders[token is not None], (*params, limit)
        ).fetchall()
        return [
            KeptOrder(r[0], r[1], r[2], r[3], r[4].encode(), r[5].encode(), r[6], r[7])
            for r in rows
        ]

    def merchant_tokens(self, merchant_id: str, token: str | None, limit: int) -> list[TokenState]:
        params = (merchant_id,) if token is None else (merchant_id, token)
        rows = self._cursor.execute(
            self._merchant_tokens[token is not None], (*params, limit)
        ).fetchall()
        return [TokenState(r[0], merchant_id, r[1]) for r in rows]

    def take_fault(self, merchant_id: str, operation: str, token: str) -> FaultTake:
        while True:  # again only when another process took the last count meanwhile
            rows = self._cursor.execute(self._find_faults, (merchant_id, operation)).fetchall()
            matching = (f for f in map(_armed_fault, rows) if f.customer_token in (None, token))
            fault = next(matching, None)
            if fault is None:
                return FaultTake(None, armed=bool(rows))
            if self._cursor.execute(self._take_fault, (fault.fault_id,)).rowcount == 1:
                self.unrepeatable = True  # a count taken must not be taken twice
                if fault.remaining == 1:
                    self._cursor.execute(self._drop_spent_fault, (fault.fault_id,))
                return FaultTake(fault, armed=True)

    def arm_fault(self, fault_id: str, fault: NewFault) -> None:
        action = fault.action
        self._cursor.execute(
            self._arm_fault,
            (
                fault_id,
                fault.merchant_id,
                fault.operation,
                fault.customer_token,
                fault.count,
                action.kind.value,
                action.status,
                action.ms,
                action.retry_after,
                self._clock(),
            ),
        )

    def armed_faults(self, merchant_id: str) -> list[ArmedFault]:
        rows = self._cursor.execute(self._armed_faults, (merchant_id,)).fetchall()
        return [_armed_fault(row) for row in rows]

    def disarm_faults(self, merchant_id: str) -> int:
        return int(self._cursor.execute(self._disarm_faults, (merchant_id,)).rowcount)

    def clock_offset(self, merchant_id: str) -> float:
        row = self._cursor.execute(self._clock_offset, (merchant_id,)).fetchone()
        return 0.0 if row is None else float(row[0])

    def advance_clock(self, merchant_id: str, seconds: float) -> None:
        self._cursor.execute(self._advance_clock, (merchant_id, seconds))
        for statement in self._age:
            self._cursor.execute(statement, (seconds, merchant_id))

    def forget_merchant(self, merchant_id: str) -> None:
        for statement in self._forget_merchant:
            self._cursor.execute(statement, (merchant_id,))


def _armed_fault(row: Sequence[Any]) -> ArmedFault:
    """A row of _FAULT_COLUMNS."""
    action = FaultAction(FaultKind(row[4]), status=row[5], ms=row[6], retry_after=row[7])
    return ArmedFault(row[0], row[1], row[2], int(row[3]), action)


class Session:
    """One connection with its one cursor and the transaction operations on it, used by one
    transaction at a time (``lock``). SQLite has one per process; PostgreSQL one per connection
    of its pool, and one for set-up and inspection."""

    cursor: Cursor
    tx: SQLTransaction

    def __init__(self, schedule: PurgeSchedule) -> None:
        self.schedule = schedule
        self.lock = threading.Lock()
        # Whether the last transaction's COMMIT was sent: after a failure, a transaction whose
        # COMMIT was never sent did not happen and may run again; one whose COMMIT was sent may
        # have been kept.
        self.commit_sent = False

    def transaction(self, *, purge: bool, atomic: bool = True) -> Write:
        """One write transaction, committed (or rolled back) before the lock is let go;
        ``purge``: purge expired rows first when a purge is due; ``atomic`` False: each
        statement on its own (a request without an idempotency key: see Write)."""
        return Write(self, purge=purge, atomic=atomic)

    def kept_anything(self, *, atomic: bool) -> bool:
        """After a failure: whether the decision may have been kept, in whole or in part (so
        it must not run again)."""
        return self.commit_sent if atomic else self.tx.unrepeatable

    def begin(self) -> SQLTransaction:
        """Open the transaction (the lock is held) and hand out its operations."""
        raise NotImplementedError

    def statements(self) -> SQLTransaction:
        """The operations without a transaction around them (the lock is held)."""
        raise NotImplementedError

    def in_transaction(self) -> bool:
        """Whether a transaction is still open (to be rolled back)."""
        raise NotImplementedError


class Write:
    """``with session.transaction() as tx``: the lock, ``begin()``, a purge when one is due,
    then ``COMMIT`` (``ROLLBACK`` on an exception). A class rather than a generator-based
    context manager: this runs for every request, and the generator's machinery cost 3-5 µs.

    Not ``atomic``: no BEGIN and no COMMIT, each statement its own transaction. For a request
    without an idempotency key this decides the same: its reads and its one write (an order, a
    cancel, a fresh token's claim, each a single statement) are each of the latest state, so it
    is as if the request ran at the moment of its write, which falls within the request; and
    nothing but the key's record would have to be kept with it. It spares SQLite a lock and
    PostgreSQL two round trips of four.
    """

    __slots__ = ("_atomic", "_purge", "_session")

    def __init__(self, session: Session, *, purge: bool, atomic: bool) -> None:
        self._session = session
        self._purge = purge
        self._atomic = atomic

    def __enter__(self) -> SQLTransaction:
        session = self._session
        session.lock.acquire()
        session.commit_sent = False
        try:
            tx = session.begin() if self._atomic else session.statements()
            cutoff = session.schedule.due() if self._purge else None
            if cutoff is not None:
                tx.purge_expired(cutoff)
            tx.unrepeatable = False
        except BaseException:
            self._end(failed=True)
            raise
        return tx

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._end(failed=exc_type is not None)

    def _end(self, *, failed: bool) -> None:
        session = self._session
        try:
            if not failed and self._atomic:
                session.commit_sent = True
                session.cursor.execute("COMMIT")
        finally:
            try:
                if session.in_transaction():  # an exception, or a COMMIT that failed
                    session.cursor.execute("ROLLBACK")
            except Exception:  # noqa: S110 (the connection is gone: so is its transaction)
                pass
            finally:
                session.lock.release()


def migrate(
    cursor: Cursor,
    migrations: Sequence[str],
    version: int,
    set_version: Callable[[int], None],
    label: str,
) -> None:
    """Take a database at schema ``version`` to the newest, one migration at a time (inside
    the caller's transaction); refuse one written by a newer mock."""
    if version > len(migrations):
        raise StoreError(
            f"{label} was written by a newer mock (schema {version}, "
            f"this one knows {len(migrations)})"
        )
    for number, script in enumerate(migrations[version:], start=version + 1):
        for statement in script.split(";"):
            if statement.strip():
                cursor.execute(statement)
        set_version(number)
