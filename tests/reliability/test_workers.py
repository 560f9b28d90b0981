"""``scripts/mock --workers N`` (issue 15, item 2): N processes on one port sharing the SQLite
file: one order per idempotency key across them, both serving, and none outliving the mock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from kustom_mock.store import Store
from kustom_servers.mock_process import running_mock
from tests.processes import wait_gone
from tests.reliability.workers import both_serving, burst, serving_pids


def test_two_workers_make_one_order_for_64_concurrent_requests_under_one_key(
    tmp_path: Path,
) -> None:
    db = tmp_path / "mock.sqlite3"
    with running_mock(db, ["--workers", "2"]) as mock:
        responses = burst(mock, 64, "k-workers")
        pids = both_serving(mock, 32)  # both processes accept on the one socket
        assert mock.process.pid not in pids, "the supervisor itself served"
    assert [r.status_code for r in responses] == [200] * 64
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 63
    assert len(pids) == 2, f"served by {pids}"
    with closing(Store(db)) as store:
        assert len([o for o in store.orders() if o["idempotency_key"] == "k-workers"]) == 1


def test_workers_stop_with_sigterm_and_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    with running_mock(tmp_path / "mock.sqlite3", ["--workers", "2"]) as mock:
        first, second = sorted(both_serving(mock))
        os.kill(first, signal.SIGKILL)
        assert not wait_gone({first}, 5)
        replaced = f"worker {first} stopped (exit -9); starting another"
        for _ in range(600):  # the supervisor's line, waited for (a bound on count, 60 s)
            if replaced in mock.log():
                break
            time.sleep(0.1)
        assert {r.status_code for r in burst(mock, 16)} == {200}
        mock.process.send_signal(signal.SIGTERM)
        assert mock.process.wait(timeout=20) == 0
        workers = serving_pids(mock) - {first}
        log = mock.log()
    assert f"worker {first} stopped (exit -9); starting another" in log
    assert second in workers
    assert not wait_gone(workers, 5), "a worker outlived the mock"


def test_workers_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    with running_mock(tmp_path / "mock.sqlite3", ["--workers", "2"]) as mock:
        workers = both_serving(mock)
        mock.process.kill()
        mock.process.wait(timeout=10)
        left = wait_gone(workers, 5)
    assert workers
    assert not left, "workers kept running without their supervisor"


def test_workers_refuse_an_in_memory_database() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kustom_mock", "--workers", "2", "--db", ":memory:", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert ":memory:" in result.stderr
    assert "listening" not in result.stdout
