"""Concurrency under one key over real sockets, and the API key never in a log of a full run."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from kustom_contract.in_subprocess import run_contract
from kustom_mock.store import Store
from kustom_servers.mock_process import running_mock
from tests.mock.helpers import AUTH_A, FULL_ORDER, PATH, STATUS_PATH, at_once


def test_64_concurrent_cancels_of_one_token_under_one_key(tmp_path: Path) -> None:
    """One state change, 64 identical answers (63 replays), the state kept in the database."""
    db = tmp_path / "mock.sqlite3"
    with running_mock(db) as mock:
        cancel = {"status": "CANCELLED"}
        path = STATUS_PATH.format("tok_fresh_burst")
        responses = at_once([mock.base_url], "PATCH", path, json=cancel, key="c-64")
    assert [r.status_code for r in responses] == [202] * 64
    assert {r.content for r in responses} == {b""}
    assert len({r.headers["Klarna-Correlation-Id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 63
    with closing(Store(db)) as store:
        assert store.token_status("tok_fresh_burst") == "CANCELLED"


def test_64_concurrent_requests_under_one_key(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    with running_mock(db) as mock:
        path = PATH.format("tok_active")
        responses = at_once([mock.base_url], "POST", path, json=FULL_ORDER, key="k-64")
    assert [r.status_code for r in responses] == [200] * 64
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 63
    with closing(Store(db)) as store:
        assert len(store.orders()) == 1


def test_the_api_key_never_reaches_the_logs_of_a_full_run(tmp_path: Path) -> None:
    """A contract run (valid, invalid and credential-less requests, wrong keys included):
    neither the mock's log nor the run's output holds the key."""
    reports = tmp_path / "reports"
    result = run_contract({}, reports_dir=reports)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (reports / "contract-mock.log").read_text()
    assert log.count("kustom_mock.access") > 300, "the run should have been logged"
    key = AUTH_A[1]
    assert key not in log
    assert key not in result.stdout + result.stderr
    assert "Authorization" not in log
    for report in reports.rglob("*.json"):
        assert key not in report.read_text()
