"""Bounded waits on SQLite (issue 23): with the database file locked by another process, every
request that needs the store is answered 503 with Retry-After within the store's deadline, each
on its own (not one after another), the requests that need no store are answered meanwhile, and
the health endpoint says which; once the lock goes, the mock serves again."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.store import HEALTH_FRESH_SECONDS, Store
from kustom_servers.mock_process import running_mock
from tests.mock.helpers import (
    AUTH_A,
    FULL_ORDER,
    PATH,
    TOKEN_PATH,
    assert_error_shape,
    checked_client,
)

DEADLINE = 1.0  # --store-timeout
ORDERS = 12  # queued together behind the lock


async def _while_locked(base_url: str) -> tuple[list[tuple[httpx.Response, float]], list[bool]]:
    """ORDERS orders at once, then a 404 route, a 401 and a token read; for the last three,
    whether any order had been answered by the time they were."""
    limits = httpx.Limits(max_connections=ORDERS + 4)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:

        async def order(index: int) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            response = await http.post(
                PATH.format("tok_active"),
                json=FULL_ORDER,
                auth=AUTH_A,
                headers={"Klarna-Idempotency-Key": f"locked-{index}"},
            )
            return response, time.monotonic() - started

        orders = [asyncio.ensure_future(order(i)) for i in range(ORDERS)]
        await asyncio.sleep(0)  # the orders are on their way
        not_found = await http.get("/no/such/route", auth=AUTH_A)
        unauthorised = await http.post(PATH.format("tok_active"), json=FULL_ORDER)
        early = [not any(task.done() for task in orders)]
        assert not_found.status_code == 404
        assert unauthorised.status_code == 401
        early.append(not any(task.done() for task in orders))
        return await asyncio.gather(*orders), early


def test_a_locked_database_gets_503_with_retry_after_within_the_deadline(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    with (
        running_mock(db, ["--store-timeout", str(DEADLINE)]) as mock,
        httpx.Client(base_url=mock.base_url, timeout=30) as http,
    ):
        assert http.get("/_health").json() == {"mock": "up", "store": "up"}
        with closing(sqlite3.connect(db, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            answers, early = asyncio.run(_while_locked(mock.base_url))
            health = http.get("/_health")
            answered = time.monotonic()
            other.execute("ROLLBACK")
        after = http.post(PATH.format("tok_active"), json=FULL_ORDER, auth=AUTH_A)
        # The last failure stands for its second, then a probe finds the store again.
        while (healthy := http.get("/_health")).status_code == 503:
            assert time.monotonic() < answered + HEALTH_FRESH_SECONDS + DEADLINE + 10
            time.sleep(0.1)
    # The requests that need no store were answered while every order still waited.
    assert early == [True, True]
    for response, elapsed in answers:
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "1"
        assert assert_error_shape(response)["error_code"] == "SERVICE_UNAVAILABLE"
        # Each within the deadline, give or take the machine: not 1, 2, 3 ... s in a queue.
        assert DEADLINE * 0.9 <= elapsed < DEADLINE + 1.5, elapsed
    assert health.status_code == 503
    assert health.headers["Retry-After"] == "1"
    assert health.json()["store"] == "unavailable"
    assert "locked" in health.json()["reason"]
    assert after.status_code == 200
    assert healthy.status_code == 200
    assert "the store is unavailable" in mock.log()
    assert "Traceback" not in mock.log()
    with closing(Store(db)) as store:  # the 503s kept nothing, the last order is kept
        assert [o["idempotency_key"] for o in store.orders()] == [None]


def test_health_needs_no_credentials_and_takes_get_and_head_only(tmp_path: Path) -> None:
    with (
        running_mock(tmp_path / "mock.sqlite3") as mock,
        httpx.Client(base_url=mock.base_url, timeout=10) as http,
    ):
        assert http.get("/_health").status_code == 200
        head = http.head("/_health")
        assert head.status_code == 200
        assert head.content == b""
        post = http.post("/_health", json={})
        assert post.status_code == 405
        assert post.headers["Allow"] == "GET, HEAD"
        assert_error_shape(post)
        # The API's own paths still want credentials.
        assert http.get(TOKEN_PATH.format("tok_active")).status_code == 401


def test_in_process_the_503_keeps_the_spec_and_the_lock_s_end_serves_again(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    config = MockConfig(store=StoreConfig(str(db), timeout_seconds=0.2))
    for client in checked_client(create_app(config)):  # checks each answer against the spec
        with closing(sqlite3.connect(db, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            refused = client.create(key="k-locked")
            read = client.read("tok_active")
            other.execute("ROLLBACK")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "1"
        # A read without a key takes no write lock (WAL lets it read beside the writer).
        assert read.status_code == 200
        assert client.create(key="k-locked").headers.get("Idempotent-Replayed") is None
        assert client.create(key="k-locked").headers["Idempotent-Replayed"] == "true"
        client.app.store.close()


def test_health_asks_the_store_at_most_once_a_second_however_often_it_is_asked() -> None:
    """A load balancer's polling costs the store nothing while requests are answered, and one
    probe for every caller at once otherwise (the probes are counted at the store's backend)."""
    app = create_app()
    backend = app.store.backend
    asked = []
    run = backend.run

    async def counted(*args: Any, **kwargs: Any) -> Any:
        asked.append(1)
        return await run(*args, **kwargs)

    backend.run = counted  # type: ignore[method-assign]

    async def health(times: int) -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as http:
            answers = await asyncio.gather(*(http.get("/_health") for _ in range(times)))
        return [answer.status_code for answer in answers]

    try:
        assert asyncio.run(health(20)) == [200] * 20
        probed = time.monotonic()
        assert len(asked) == 1  # one probe shared by the 20
        assert asyncio.run(health(20)) == [200] * 20
        # Its answer stands for a second (a machine that stalled past it probes once more).
        assert len(asked) == (1 if time.monotonic() - probed < HEALTH_FRESH_SECONDS else 2)
    finally:
        app.store.close()
