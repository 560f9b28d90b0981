"""Everything the contract run counts or remembers while it runs, in one object: ``RunState``,
in one process or shared by the processes of one run (scripts/contract-test spreads a run over
the machine's cores, kustom_contract/spread.py).

What must hold across processes is kept in a ``Tally`` (counters, sets of strings and notes):
in this process (``LocalTally``), or in one SQLite file of the run that every process opens
(``SharedTally``). The order ledger (an order budget spent once, the orders placed counted
once) is kept in it, and the history of exchanges the spec's prose is held to (cancelled
tokens, tokens' owners, idempotency keys) in a ``SharedMemory`` beside it, so that a token
cancelled in one process is known in another. The statistics stay per process and are summed
at the end (kustom_contract/stats.py); the rate limit is Schemathesis' limiter over a bucket
in the same folder (``shared_limiter``).

Another part of the run that must count across processes takes the run's tally and uses
names of its own (``tally.add("my-counter")``, ``tally.add_member("my-set", value)``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pyrate_limiter import Limiter, Rate
from pyrate_limiter.buckets.sqlite_bucket import SQLiteBucket
from schemathesis.core.rate_limit import parse_units

from kustom_conformance import Conformance, History, KeyRecord, Memory, TokenRecord
from kustom_contract.coverage import Coverage
from kustom_contract.stats import RunStats

TALLY_FILE = "tally.sqlite3"
RATE_FILE = "rate.sqlite3"
# A process waits this long for another's write to finish (each is one short statement).
LOCK_SECONDS = 30.0


class Tally(Protocol):
    """Counters, sets of strings and notes (the latest text under a name) of one run."""

    def add(self, counter: str, n: int = 1) -> int:
        """Add ``n`` to ``counter`` (0 at first); its new value."""
        ...

    def take(self, counter: str, limit: int) -> bool:
        """Add one to ``counter`` if it is below ``limit``, at once for every process."""
        ...

    def count(self, counter: str) -> int: ...

    def add_member(self, name: str, value: str) -> bool:
        """Put ``value`` in the set ``name``; False if it was there."""
        ...

    def members(self, name: str) -> frozenset[str]: ...

    def note(self, name: str, text: str) -> None: ...

    def notes(self, prefix: str) -> dict[str, str]:
        """The notes whose name starts with ``prefix``."""
        ...


class LocalTally:
    """A Tally in this process."""

    def __init__(self) -> None:
        self._counters: Counter[str] = Counter()
        self._sets: dict[str, set[str]] = {}
        self._notes: dict[str, str] = {}

    def add(self, counter: str, n: int = 1) -> int:
        self._counters[counter] += n
        return self._counters[counter]

    def take(self, counter: str, limit: int) -> bool:
        if self._counters[counter] >= limit:
            return False
        self._counters[counter] += 1
        return True

    def count(self, counter: str) -> int:
        return self._counters[counter]

    def add_member(self, name: str, value: str) -> bool:
        members = self._sets.setdefault(name, set())
        if value in members:
            return False
        members.add(value)
        return True

    def members(self, name: str) -> frozenset[str]:
        return frozenset(self._sets.get(name, ()))

    def note(self, name: str, text: str) -> None:
        self._notes[name] = text

    def notes(self, prefix: str) -> dict[str, str]:
        return {name: text for name, text in self._notes.items() if name.startswith(prefix)}


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit: each statement is its own transaction, taken under SQLite's file lock, which
    # is what makes a counter's add and take atomic across processes.
    connection = sqlite3.connect(path, timeout=LOCK_SECONDS, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")  # the run's own scratch file: no fsync
    return connection


class SharedTally:
    """A Tally in ``folder``/tally.sqlite3, shared by the processes that open the same folder."""

    def __init__(self, folder: Path) -> None:
        self.db = _connect(folder / TALLY_FILE)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS members (name TEXT, value TEXT, PRIMARY KEY (name, value));"
            "CREATE TABLE IF NOT EXISTS notes (name TEXT PRIMARY KEY, text TEXT NOT NULL);"
        )

    def add(self, counter: str, n: int = 1) -> int:
        row = self.db.execute(
            "INSERT INTO counters VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = n + ? "
            "RETURNING n",
            (counter, n, n),
        ).fetchone()
        return int(row[0])

    def take(self, counter: str, limit: int) -> bool:
        if limit < 1:
            return False
        row = self.db.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1 "
            "WHERE n < ? RETURNING n",
            (counter, limit),
        ).fetchone()
        return row is not None

    def count(self, counter: str) -> int:
        row = self.db.execute("SELECT n FROM counters WHERE name = ?", (counter,)).fetchone()
        return 0 if row is None else int(row[0])

    def add_member(self, name: str, value: str) -> bool:
        cursor = self.db.execute("INSERT OR IGNORE INTO members VALUES (?, ?)", (name, value))
        return cursor.rowcount == 1

    def members(self, name: str) -> frozenset[str]:
        rows = self.db.execute("SELECT value FROM members WHERE name = ?", (name,))
        return frozenset(value for (value,) in rows)

    def note(self, name: str, text: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO notes VALUES (?, ?)", (name, text))

    def notes(self, prefix: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT name, text FROM notes WHERE substr(name, 1, ?) = ?", (len(prefix), prefix)
        )
        return dict(rows.fetchall())


class SharedMemory:
    """A kustom_conformance Memory in the run's tally file: what one process learned about a
    token or a key, every process knows. Unbounded, as the run's own scratch file is: it holds
    digests, one row per key and token the run used."""

    def __init__(self, folder: Path) -> None:
        self.db = _connect(folder / TALLY_FILE)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS keys (merchant TEXT, key TEXT, record TEXT NOT NULL,"
            " PRIMARY KEY (merchant, key));"
            "CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, owner TEXT NOT NULL,"
            " cancelled INTEGER NOT NULL);"
        )

    @staticmethod
    def _record(text: str) -> KeyRecord:
        return KeyRecord(**json.loads(text))

    def key(self, merchant: str, key: str) -> KeyRecord | None:
        row = self.db.execute(
            "SELECT record FROM keys WHERE merchant = ? AND key = ?", (merchant, key)
        ).fetchone()
        return None if row is None else self._record(row[0])

    def others_key(self, merchant: str, key: str) -> KeyRecord | None:
        row = self.db.execute(
            "SELECT record FROM keys WHERE key = ? AND merchant != ? LIMIT 1", (key, merchant)
        ).fetchone()
        return None if row is None else self._record(row[0])

    def keep_key(self, merchant: str, key: str, record: KeyRecord) -> None:
        text = json.dumps(record.__dict__)
        self.db.execute("INSERT OR REPLACE INTO keys VALUES (?, ?, ?)", (merchant, key, text))

    def forget_key(self, merchant: str, key: str) -> None:
        self.db.execute("DELETE FROM keys WHERE merchant = ? AND key = ?", (merchant, key))

    def token(self, token: str) -> TokenRecord | None:
        row = self.db.execute(
            "SELECT owner, cancelled FROM tokens WHERE token = ?", (token,)
        ).fetchone()
        return None if row is None else TokenRecord(row[0], bool(row[1]))

    def keep_token(self, token: str, record: TokenRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)",
            (token, record.owner, int(record.cancelled)),
        )


def shared_limiter(folder: Path, rate: str) -> Limiter:
    """Schemathesis' limiter for ``rate`` (its own "N/s" syntax), over a bucket in ``folder``
    that every process of the run draws from (pyrate-limiter's SQLite bucket, under a file
    lock), so that the run as a whole keeps to the rate."""
    limit, interval = parse_units(rate)
    bucket = SQLiteBucket.init_from_file(
        [Rate(limit, interval)], db_path=str(folder / RATE_FILE), use_file_lock=True
    )
    return Limiter(bucket)


ORDER_REQUESTS = "extra_order_requests"
ORDERS_PLACED = "orders_placed"
ORDER_IDS = "order_ids"


@dataclass
class Ledger:
    """What the checks sent, and the orders the run placed (2xx answers to createOrder), kept in
    the run's tally: the budget is spent once however many processes spend it."""

    budget: int | None = None  # extra order requests allowed; None: no limit
    tally: Tally = field(default_factory=LocalTally)

    @property
    def extra_order_requests(self) -> int:
        return self.tally.count(ORDER_REQUESTS)

    @property
    def orders_placed(self) -> int:
        return self.tally.count(ORDERS_PLACED)

    def spend_order_request(self) -> bool:
        """Take one extra order request from the budget; False when it is spent."""
        if self.budget is None:
            self.tally.add(ORDER_REQUESTS)
            return True
        return self.tally.take(ORDER_REQUESTS, self.budget)

    def note_order_answer(self, status: int, body: Any) -> None:
        """Count an order that a 2xx answer created (a replay's order_id counts once)."""
        if not 200 <= status < 300:
            return
        order_id = body.get("order_id") if isinstance(body, dict) else None
        if not isinstance(order_id, str) or self.tally.add_member(ORDER_IDS, order_id):
            self.tally.add(ORDERS_PLACED)


@dataclass
class RunState:
    stats: RunStats
    ledger: Ledger
    history: History
    tally: Tally  # the run's: for whatever else must count across its processes
    coverage: Coverage = field(default_factory=Coverage)  # written per process, then merged


def new_state(
    stats: RunStats, conformance: Conformance, budget: int | None, shared: Path | None
) -> RunState:
    """The state of a run in this process alone, or of one whose processes share the folder
    ``shared``."""
    if shared is None:
        tally: Tally = LocalTally()
        memory: Memory | None = None
    else:
        tally = SharedTally(shared)
        memory = SharedMemory(shared)
    return RunState(stats, Ledger(budget, tally), History(conformance, memory), tally)
