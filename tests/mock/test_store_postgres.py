"""The mock on PostgreSQL (``--db postgresql://...``): the same guarantees as on SQLite, held
across processes that share the database. A real server, started by the session's fixture."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing

import httpx
import psycopg
import pytest

from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.store import Store, StoreError
from kustom_mock.store.postgres import POOL_SIZE, SCHEMA_VERSION, redacted
from kustom_servers.mock_process import RunningMock, running_mock
from kustom_servers.postgres import PostgresServer
from tests.mock.helpers import (
    AUTH_A,
    FULL_ORDER,
    MINIMAL_ORDER,
    PATH,
    STATUS_PATH,
    TOKEN_PATH,
    at_once,
    checked_client,
)


def test_in_process_replay_conflict_and_cancel(pg_url: str) -> None:
    for client in checked_client(create_app(MockConfig(store=StoreConfig(pg_url)))):
        first = client.create(key="k-1")
        again = client.create(key="k-1")
        assert first.status_code == 200
        assert again.content == first.content
        assert again.headers["Idempotent-Replayed"] == "true"
        assert client.create(body=MINIMAL_ORDER, key="k-1").status_code == 409
        assert client.create("tok_flaky", key="k-f").status_code == 503
        assert client.create("tok_flaky", key="k-f").status_code == 200
        assert client.cancel("tok_fresh_pg").status_code == 202
        assert client.read("tok_fresh_pg").json()["status"] == "CANCELLED"
        assert client.create("tok_fresh_pg").json()["error_code"] == "TOKEN_CANCELED"
        assert len(client.app.store.orders()) == 2
        client.app.store.close()


def test_a_connection_the_server_dropped_is_replaced_and_the_decision_retried(
    pg_url: str,
) -> None:
    """Every connection of the app's pool ended by the server (as a restart does): the next
    requests succeed, each retried once on a fresh connection, none answered 500 or 503."""
    for client in checked_client(create_app(MockConfig(store=StoreConfig(pg_url)))):
        assert client.create(key="k-before").status_code == 200
        with psycopg.connect(pg_url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'kustom-mock'"
            ).fetchone()
        assert ended is not None
        assert ended[0] >= 1
        for index in range(8):
            assert client.create(key=f"k-after-{index}").status_code == 200
        assert client.create(key="k-before").headers["Idempotent-Replayed"] == "true"
        client.app.store.close()


def test_state_survives_a_restart_and_reset_forgets_it(pg_url: str) -> None:
    for client in checked_client(create_app(MockConfig(store=StoreConfig(pg_url)))):
        first = client.create(key="k-restart")
        client.cancel("tok_fresh_restart")
        client.app.store.close()
    for client in checked_client(create_app(MockConfig(store=StoreConfig(pg_url)))):
        assert client.create(key="k-restart").content == first.content
        assert client.app.store.token_status("tok_fresh_restart") == "CANCELLED"
        client.app.store.close()
    store = create_app(MockConfig(store=StoreConfig(pg_url, reset=True))).store
    try:
        assert store.orders() == []
        assert store.token_status("tok_fresh_restart") is None
    finally:
        store.close()


def test_reset_truncates_so_it_waits_for_another_replicas_transaction(pg_url: str) -> None:
    """--reset on PostgreSQL is one TRUNCATE: its ACCESS EXCLUSIVE lock waits for a replica's
    open transaction on the tables (DELETEs would not wait: they ran beside it)."""
    for client in checked_client(create_app(MockConfig(store=StoreConfig(pg_url)))):
        client.create(key="k-before-reset")
        client.app.store.close()
    reset_done = threading.Event()
    errors: list[BaseException] = []

    def reset() -> None:
        try:
            create_app(MockConfig(store=StoreConfig(pg_url, reset=True))).store.close()
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)
        finally:
            reset_done.set()

    with psycopg.connect(pg_url) as replica:
        replica.execute("SELECT count(*) FROM kustom_mock.orders")  # a transaction, still open
        thread = threading.Thread(target=reset)
        thread.start()
        waiting = False
        deadline = time.monotonic() + 10
        with psycopg.connect(pg_url, autocommit=True) as observer:
            while not reset_done.is_set() and time.monotonic() < deadline:
                row = observer.execute(
                    "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted "
                    "AND mode = 'AccessExclusiveLock' AND relation = 'kustom_mock.orders'::regclass"
                ).fetchone()
                waiting = row is not None and bool(row[0])
                if waiting:
                    break
                time.sleep(0.02)
        assert waiting, "the reset did not wait for the open transaction"
        assert not reset_done.is_set()
        replica.commit()
        thread.join(10)
    assert reset_done.is_set()
    assert not errors, errors
    store = Store(pg_url)
    try:
        assert store.orders() == []
    finally:
        store.close()


def test_expired_records_and_orders_are_purged_in_the_background(pg_url: str) -> None:
    now = [1_000_000.0]
    app = create_app(
        MockConfig(store=StoreConfig(pg_url, retention_seconds=600)), clock=lambda: now[0]
    )
    for client in checked_client(app):
        client.create(key="old")
        client.create("tok_flaky", key="old-flaky")
        now[0] += 601  # past the window and past the purge interval (60 s)
        client.create(key="new")
        orders = app.store.orders()
        assert [o["idempotency_key"] for o in orders] == ["new"]
        with psycopg.connect(pg_url) as db:
            keys = db.execute("SELECT idempotency_key FROM kustom_mock.idempotency").fetchall()
            flaky = db.execute("SELECT count(*) FROM kustom_mock.flaky_attempts").fetchone()
        assert keys == [("new",)]
        assert flaky == (0,)
        app.store.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(pg_url: str) -> None:
    Store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as db:
        version = db.execute("SELECT version FROM kustom_mock.schema_version").fetchone()
        assert version == (SCHEMA_VERSION,)
        db.execute("UPDATE kustom_mock.schema_version SET version = version + 1")
    with pytest.raises(StoreError, match="newer mock"):
        Store(pg_url)


def test_a_bad_url_is_one_line_and_exit_2_without_the_password() -> None:
    with socket_port() as port:
        url = f"postgresql://someone:s3cret-pw@127.0.0.1:{port}/nowhere"
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "kustom_mock", "--port", "0", "--db", url],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 2
    assert "s3cret-pw" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "postgresql://someone:***@127.0.0.1" in lines[0]


def test_the_ready_line_and_the_log_never_show_the_password(pg_url: str) -> None:
    """The test server trusts loopback, so a URL with a password connects all the same."""
    url = pg_url.replace("kustom@", "kustom:pw-not-shown@")
    with running_mock(url) as mock, httpx.Client(auth=AUTH_A, timeout=10) as http:
        assert http.post(mock.base_url + PATH.format("tok_active"), json=MINIMAL_ORDER).is_success
    assert "pw-not-shown" not in mock.log()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "kustom_mock", "--port", "0", "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    assert "listening on http://127.0.0.1:" in ready
    assert "kustom:***@" in ready
    assert "pw-not-shown" not in ready


def test_redacted_hides_passwords_in_the_netloc_and_the_query() -> None:
    assert redacted("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    assert redacted("postgresql://h/db?password=pw&sslmode=off") == (
        "postgresql://h/db?password=***&sslmode=off"
    )
    assert redacted("postgresql://u@h/db") == "postgresql://u@h/db"


class socket_port:
    """A loopback port that nothing listens on (bound, not listening, for the duration)."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        return int(self._sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def test_two_processes_64_requests_under_one_key_make_one_order(pg_url: str) -> None:
    with running_mock(pg_url) as a, running_mock(pg_url) as b:
        path, urls = PATH.format("tok_active"), [b.base_url, a.base_url]
        responses = at_once(urls, "POST", path, json=FULL_ORDER, key="k-shared-64", timeout=30)
    assert [r.status_code for r in responses] == [200] * 64
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["Klarna-Correlation-Id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 63
    with closing(Store(pg_url)) as store:
        assert len(store.orders()) == 1


def test_a_cancel_through_one_process_is_seen_by_the_other(pg_url: str) -> None:
    with (
        running_mock(pg_url) as a,
        running_mock(pg_url) as b,
        httpx.Client(auth=AUTH_A, timeout=10) as http,
    ):
        token = "tok_fresh_shared_cancel"
        assert http.get(b.base_url + TOKEN_PATH.format(token)).json()["status"] == "ACTIVE"
        cancel = http.patch(a.base_url + STATUS_PATH.format(token), json={"status": "CANCELLED"})
        assert cancel.status_code == 202
        assert http.get(b.base_url + TOKEN_PATH.format(token)).json()["status"] == "CANCELLED"
        order = http.post(b.base_url + PATH.format(token), json=MINIMAL_ORDER)
        assert order.status_code == 403
        assert order.json()["error_code"] == "TOKEN_CANCELED"


def test_the_test_controls_state_is_shared_by_replicas(pg_url: str) -> None:
    """A fault armed through one replica is taken through the other, once; a clock advanced
    through one moves the other's view; a reset through one forgets what the other kept."""
    day = 24 * 3600
    with (
        running_mock(pg_url) as a,
        running_mock(pg_url) as b,
        httpx.Client(auth=AUTH_A, timeout=10, headers={"Klarna-Idempotency-Key": "k-r"}) as http,
    ):

        def order(replica: RunningMock) -> httpx.Response:
            return http.post(replica.base_url + PATH.format("tok_active"), json=MINIMAL_ORDER)

        fault = {"operation": "createOrder", "kind": "status", "status": 429, "count": 2}
        assert http.post(a.base_url + "/_mock/faults", json=fault).status_code == 201
        assert [order(r).status_code for r in (b, a, b)] == [429, 429, 200]
        assert order(a).headers["Idempotent-Replayed"] == "true"
        advanced = http.post(b.base_url + "/_mock/clock", json={"advance_seconds": day + 1})
        assert advanced.status_code == 200
        assert http.get(a.base_url + "/_mock/clock").json() == {"offset_seconds": day + 1}
        assert "Idempotent-Replayed" not in order(a).headers
        assert len(http.get(b.base_url + "/_mock/orders").json()["orders"]) == 1
        assert http.post(a.base_url + "/_mock/reset").status_code == 204
        assert http.get(b.base_url + "/_mock/orders").json() == {"orders": []}
        assert http.get(b.base_url + "/_mock/clock").json() == {"offset_seconds": 0}


def test_kill_9_of_one_process_under_load_loses_no_acknowledged_order(pg_url: str) -> None:
    """8 connections post orders under fresh keys to two processes; one is killed mid-load.
    Every order acknowledged by either is in the database once; no key has two orders."""
    acknowledged: dict[str, str] = {}  # idempotency key -> order id
    lock = threading.Condition()

    def acknowledged_at_least(count: int) -> bool:
        """Wait for the count, not for a time (a busy machine is slow); False past a minute."""
        with lock:
            return lock.wait_for(lambda: len(acknowledged) >= count, timeout=60)

    with running_mock(pg_url) as victim, running_mock(pg_url) as survivor:
        stop = threading.Event()

        def load(base_url: str) -> None:
            with httpx.Client(base_url=base_url, auth=AUTH_A, timeout=5) as http:
                deadline = time.monotonic() + 90  # a bound on a test gone wrong, not a pace
                while not stop.is_set() and time.monotonic() < deadline:
                    key = str(uuid.uuid4())
                    try:
                        response = http.post(
                            PATH.format("tok_active"),
                            json=MINIMAL_ORDER,
                            headers={"Klarna-Idempotency-Key": key},
                        )
                    except httpx.HTTPError:
                        continue  # the killed process: not acknowledged
                    if response.status_code == 200:
                        with lock:
                            acknowledged[key] = response.json()["order_id"]
                            lock.notify_all()

        threads = [
            threading.Thread(target=load, args=((victim if i % 2 else survivor).base_url,))
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        assert acknowledged_at_least(21), "the load should have placed orders"
        os.kill(victim.process.pid, signal.SIGKILL)
        with lock:
            before = len(acknowledged)
        assert acknowledged_at_least(before + 8), "the survivor should go on placing orders"
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        assert victim.process.wait(timeout=10) == -signal.SIGKILL
    with closing(Store(pg_url)) as store:
        orders = store.orders()
    stored = {o["idempotency_key"]: o["order_id"] for o in orders}
    assert len(stored) == len(orders), "a key with two orders"
    assert len(acknowledged) > 20, "the load should have placed orders"
    missing = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
    assert not missing


def test_requests_past_their_deadline_leave_the_pool_as_it_was(
    postgres: PostgresServer, pg_url: str
) -> None:
    """With the server paused, three times as many orders as the pool has connections: each is
    answered 503 at its deadline (those that had a connection and those still waiting for one),
    and once the server is back the process holds at most POOL_SIZE connections for requests
    (and one for set-up), and serves."""
    app = create_app(MockConfig(store=StoreConfig(pg_url, timeout_seconds=0.5)))

    async def burst(prefix: str) -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        PATH.format("tok_active"),
                        json=MINIMAL_ORDER,
                        auth=AUTH_A,
                        headers={"Klarna-Idempotency-Key": f"{prefix}-{index}"},
                    )
                    for index in range(3 * POOL_SIZE)
                )
            )
        return [answer.status_code for answer in answers]

    def connections() -> int:
        with psycopg.connect(pg_url, autocommit=True) as observer:
            row = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kustom-mock'"
            ).fetchone()
        assert row is not None
        return int(row[0])

    try:
        assert asyncio.run(burst("warm")) == [200] * (3 * POOL_SIZE)
        postgres.pause()
        try:
            statuses = asyncio.run(burst("paused"))
        finally:
            postgres.resume()
        assert statuses == [503] * (3 * POOL_SIZE)
        assert asyncio.run(burst("after")) == [200] * (3 * POOL_SIZE)
        assert connections() <= POOL_SIZE + 1
    finally:
        app.store.close()
