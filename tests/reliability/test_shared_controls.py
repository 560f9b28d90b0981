"""The test controls' state lives in the store, not in one process: with ``--workers 2`` on one
SQLite file, a fault's count is taken exactly once in all whichever worker each request reaches,
and a clock advanced through one worker moves every worker's view (across PostgreSQL replicas:
tests/mock/test_store_postgres.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from kustom_servers.mock_process import running_mock
from tests.mock.helpers import AUTH_A
from tests.reliability.workers import both_serving, burst

FAULT_LINE = re.compile(r"kustom_mock\.access \[(\d+)\] POST \S+ 503 .* fault=status")


def test_a_faults_count_is_taken_once_across_workers(tmp_path: Path) -> None:
    with running_mock(tmp_path / "mock.sqlite3", ["--workers", "2"]) as mock:
        workers = both_serving(mock)
        with httpx.Client(base_url=mock.base_url, auth=AUTH_A, timeout=20) as http:
            assert http.post("/_mock/reset").status_code == 204
            fault = {"operation": "createOrder", "kind": "status", "status": 503, "count": 40}
            assert http.post("/_mock/faults", json=fault).status_code == 201
            statuses = [r.status_code for r in burst(mock, 100)]
            assert http.get("/_mock/faults").json() == {"faults": []}
            kept = http.get("/_mock/orders?limit=200").json()["orders"]
    log = mock.log()  # stopped: every line written
    assert sorted(statuses) == [200] * 60 + [503] * 40
    assert len(kept) == 60
    faulted_by = {int(pid) for pid in FAULT_LINE.findall(log)}
    assert faulted_by
    assert faulted_by <= workers


def test_a_clock_advanced_through_one_worker_moves_them_all(tmp_path: Path) -> None:
    with running_mock(tmp_path / "mock.sqlite3", ["--workers", "2"]) as mock:
        both_serving(mock)
        [first] = {r.content for r in burst(mock, 8, key="renewal")}
        with httpx.Client(base_url=mock.base_url, auth=AUTH_A, timeout=20) as http:
            advanced = http.post("/_mock/clock", json={"advance_seconds": 24 * 3600 + 1})
            assert advanced.status_code == 200
        answers = burst(mock, 32, key="renewal")
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1  # one new order, replayed to the rest
    assert answers[0].content != first
