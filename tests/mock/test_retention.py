"""Storage that does not grow forever: what is past the retention window is purged as requests
come, and an order is kept as a bounded summary whatever its size."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.orders import encoded, realistic_order
from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.store import DEFAULT_PURGE_EVERY_SECONDS
from tests.mock.helpers import checked_client


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_expired_records_orders_and_flaky_attempts_are_purged_by_later_requests(
    tmp_path: Path,
) -> None:
    db = tmp_path / "mock.sqlite3"
    now = [1_000_000.0]
    app = create_app(
        MockConfig(store=StoreConfig(str(db), retention_seconds=600)), clock=lambda: now[0]
    )
    for client in checked_client(app):
        client.create(key="old")
        client.create("tok_flaky", key="old-flaky")
        now[0] += 30  # within the window and before the next purge: nothing goes
        client.create(key="middle")
        assert _count(db, "idempotency") == 2  # the 503 is not stored
        assert _count(db, "flaky_attempts") == 1
        now[0] += 600  # "old" is past the window now; a purge is due
        client.create(key="new")
        assert [o["idempotency_key"] for o in app.store.orders()] == ["middle", "new"]
        assert _count(db, "idempotency") == 2
        assert _count(db, "flaky_attempts") == 0
        app.store.close()


def test_purges_run_once_per_interval_not_per_request(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    now = [1_000_000.0]
    app = create_app(
        MockConfig(store=StoreConfig(str(db), retention_seconds=10)), clock=lambda: now[0]
    )
    for client in checked_client(app):
        client.create(key="a")
        now[0] += DEFAULT_PURGE_EVERY_SECONDS + 1  # "a" expires; the purge runs now
        client.create(key="b")
        now[0] += 11  # "b" expires, but the next purge is not due yet
        client.create(key="c")
        assert _count(db, "idempotency") == 2
        now[0] += DEFAULT_PURGE_EVERY_SECONDS
        client.create(key="d")
        assert [o["idempotency_key"] for o in app.store.orders()] == ["d"]
        app.store.close()


def test_a_stream_of_large_orders_keeps_the_database_small(tmp_path: Path) -> None:
    """40 orders of about 1 MB each, every one under its own key: the database and its log stay
    under 8 MiB (a tenth of what keeping the requests would take); each order is a summary."""
    db = tmp_path / "mock.sqlite3"
    order = realistic_order(1000)  # the most lines an order may have
    for line in order["order_lines"]:
        line["product_url"] += "?ref=" + "x" * 500
    body = encoded(order)
    assert len(body) > 1_000_000
    for client in checked_client(create_app(MockConfig(store=StoreConfig(str(db))))):
        for i in range(40):
            response = client.create(key=f"big-{i}", content=body)
            assert response.status_code == 200
        orders = client.app.store.orders()
        client.app.store.close()
    assert len(orders) == 40
    assert orders[0]["summary"] == {
        "purchase_currency": "EUR",
        "order_amount": orders[0]["summary"]["order_amount"],
        "order_lines": 1000,
    }
    size = sum(p.stat().st_size for p in tmp_path.glob("mock.sqlite3*"))
    assert size < 8 * 1024 * 1024, f"{size} bytes on disk for 40 orders"


def test_a_version_2_database_is_migrated_with_its_orders(tmp_path: Path) -> None:
    """Schema 3 rebuilt the orders table (no index on order_id): old orders are kept, in
    order, and the file's version is the current one."""
    from kustom_mock.store.sqlite import MIGRATIONS, SCHEMA_VERSION

    db = tmp_path / "v2.sqlite3"
    with sqlite3.connect(db) as conn:
        for script in MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        for n in range(3):
            conn.execute(
                "INSERT INTO orders VALUES (?, 'M-TEST-A', 'tok_active', ?, 1.0, '{}', '{}')",
                (f"order-{n}", f"key-{n}"),
            )
    app = create_app(MockConfig(store=StoreConfig(str(db))))
    try:
        assert [o["order_id"] for o in app.store.orders()] == ["order-0", "order-1", "order-2"]
        assert app.store.pragma("user_version") == SCHEMA_VERSION == 4
    finally:
        app.store.close()
