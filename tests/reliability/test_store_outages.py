"""The shared sandbox when its database falters (issue 23, "Done when"): two replicas of two
workers each on one PostgreSQL, under load from several clients, while the server is paused
(SIGSTOP), crashed (``pg_ctl stop -m immediate``) and restarted, and replicas are killed with
SIGKILL. Every answer is 2xx, 4xx or 503 with Retry-After within the store's deadline; the
replicas serve again within seconds of the server's return; every acknowledged order replays
identically afterwards and every acknowledged cancel holds (with ``--fsync``, through the crash
too). A server of this module's own: the tests stop and pause it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from kustom_mock.store import HEALTH_FRESH_SECONDS
from kustom_servers.postgres import PostgresServer
from tests.mock.helpers import AUTH_A, MINIMAL_ORDER, PATH, at_once, postgres_or_skip
from tests.reliability.outage_load import (
    DEADLINE,
    SLACK,
    Answer,
    Load,
    assert_kept,
    kill_9,
    replica,
    serves_again,
)

# Within seconds of the store's return: the pool's next decision connects afresh.
BACK_WITHIN_SECONDS = 5.0


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    yield from postgres_or_skip()


def acknowledged(answer: Answer) -> bool:
    return answer.acknowledged


def unavailable(answer: Answer) -> bool:
    return answer.status == 503


def until_unhealthy(http: httpx.Client, base_url: str) -> httpx.Response:
    """The health endpoint's first 503, asked every 0.1 s (bounded: the deadline, and the
    second in which the last decision kept speaks for the store, with room to spare)."""
    deadline = time.monotonic() + HEALTH_FRESH_SECONDS + DEADLINE + 10
    while time.monotonic() < deadline:
        health = http.get(base_url + "/_health")
        if health.status_code == 503:
            return health
        assert health.status_code == 200
        time.sleep(0.1)
    raise AssertionError("the health endpoint never said the store is unavailable")


def test_a_paused_server_gets_503s_within_the_deadline_and_the_replicas_serve_on(
    postgres: PostgresServer,
) -> None:
    db = postgres.new_database()
    with replica(db) as a, replica(db) as b:
        with Load([a.base_url, b.base_url]) as load:
            load.wait_for(acknowledged, 30)
            postgres.pause()
            try:
                load.wait_for(unavailable, 6)
                # Requests that need no store are answered meanwhile, and the health endpoint
                # says the store does not answer.
                with httpx.Client(timeout=30) as http:
                    started = time.monotonic()
                    assert http.get(a.base_url + "/no/such/route", auth=AUTH_A).status_code == 404
                    assert time.monotonic() - started < SLACK
                    # A decision kept in the last second speaks for the store (cheap under a load
                    # balancer's polling): the health endpoint says 503 once none has been.
                    health = until_unhealthy(http, b.base_url)
                    assert health.json()["store"] == "unavailable"
                    assert health.headers["Retry-After"] == "1"
            finally:
                postgres.resume()
            back = serves_again(a.base_url, b.base_url)
            load.wait_for(acknowledged, 30)
        kept = assert_kept(load.answers, a.base_url)
    assert back < BACK_WITHIN_SECONDS
    assert kept >= 60


def test_a_crash_a_restart_and_kill_9_of_replicas_lose_nothing_acknowledged_with_fsync(
    postgres: PostgresServer,
) -> None:
    db = postgres.new_database()
    with contextlib.ExitStack() as replicas:
        a = replicas.enter_context(replica(db, "--fsync"))
        b = replicas.enter_context(replica(db, "--fsync"))
        with Load([a.base_url, b.base_url]) as load:
            load.wait_for(acknowledged, 30)
            kill_9(a, workers_only=True)  # both of a's workers: its supervisor replaces them
            load.wait_for(acknowledged, 30)
            postgres.stop("immediate")  # a crash: what was acknowledged must be in the log
            load.wait_for(unavailable, 4)
            postgres.start()
            back = serves_again(a.base_url, b.base_url)
            load.wait_for(acknowledged, 30)
            kill_9(b)  # a whole replica, supervisor and workers, under load
            c = replicas.enter_context(replica(db, "--fsync"))
            load.targets[:] = [a.base_url, c.base_url]
            load.wait_for(acknowledged, 30)
        kept = assert_kept(load.answers, c.base_url)
    assert back < BACK_WITHIN_SECONDS
    assert kept >= 90
    assert "Traceback" not in a.log()  # no unplanned error, the crash included


def test_after_a_restart_the_first_requests_on_every_worker_succeed(
    postgres: PostgresServer,
) -> None:
    """The server restarts while the replica is idle: each worker's pooled connections are
    dead, and the first requests on them are retried on fresh connections, not answered 500 or
    503: orders without a key (statements alone) and under one key (a transaction)."""
    db = postgres.new_database()
    with replica(db) as mock:
        order = PATH.format("tok_active")

        def burst(key: str | None) -> set[int]:
            """16 orders at once, each on a connection of its own: both workers answer, each
            with several of its pool's connections."""
            answers = at_once([mock.base_url], "POST", order, json=MINIMAL_ORDER, key=key, times=16)
            return {answer.status_code for answer in answers}

        assert burst(None) == {200}
        postgres.stop("fast")
        postgres.start()
        assert burst(None) == {200}
        postgres.stop("immediate")
        postgres.start()
        assert burst("k-after-restart") == {200}
    assert "Traceback" not in mock.log()
