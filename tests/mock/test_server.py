"""The mock as a real process: start, access log, signals, kill -9 and restart, CLI errors."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from kustom_mock.cli import build_app, parse_config
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.mock.helpers import AUTH_A, FULL_ORDER, PATH, assert_conforms, at_once

API_KEY = AUTH_A[1]


def post(base_url: str, key: str | None = None, token: str = "tok_active") -> httpx.Response:
    headers = {"Klarna-Idempotency-Key": key} if key else {}
    return httpx.post(
        base_url + PATH.format(token), json=FULL_ORDER, auth=AUTH_A, headers=headers, timeout=10
    )


def test_serves_logs_and_stops_on_sigterm(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        assert mock.base_url.startswith("http://127.0.0.1:")
        response = assert_conforms(post(mock.base_url, key="k-log"))
        assert response.status_code == 200
        bad = httpx.post(
            mock.base_url + PATH.format("tok_active"), json={}, auth=("M-TEST-A-4f2c", "nope")
        )
        assert bad.status_code == 401
        mock.process.send_signal(signal.SIGTERM)
        assert mock.process.wait(timeout=10) == 0
        log = mock.log()
    lines = [line for line in log.splitlines() if "kustom_mock.access" in line]
    assert len(lines) == 2
    assert "POST /customer-token/v1/tokens/tok_ac…#" in lines[0]
    assert "/order 200 " in lines[0]
    assert "tok_active" not in log  # a customer token can charge a customer: only shortened
    assert f"cid={response.headers['Klarna-Correlation-Id']}" in lines[0]
    assert "ms cid=" in lines[1]
    assert " 401 " in lines[1]
    assert API_KEY not in log
    assert "nope" not in log
    assert "Authorization" not in log
    assert "Running shoe" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("flags", [[], ["--workers", "2"]], ids=["one process", "two workers"])
def test_a_sigterm_the_moment_it_is_ready_stops_it_gracefully(
    tmp_path: Path, flags: list[str]
) -> None:
    """A caller that waits for the ready line and stops the mock at once gets exit 0, not a
    process killed by the signal (the handlers are in before the line is printed)."""
    for attempt in range(3):
        with running_mock(tmp_path / f"db{attempt}.sqlite3", flags) as mock:
            mock.process.send_signal(signal.SIGTERM)
            assert mock.process.wait(timeout=30) == 0, mock.log()[-2000:]


def test_stops_on_sigint(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3", stop_signal=signal.SIGINT) as mock:
        assert post(mock.base_url).status_code == 200
        mock.process.send_signal(signal.SIGINT)
        assert mock.process.wait(timeout=10) == 0


def test_acknowledged_orders_survive_kill_9(tmp_path: Path) -> None:
    """Load from 8 connections, kill -9 mid-stream, restart on the same file: every order the
    server acknowledged is replayed under its key, and no key has two orders."""
    db = tmp_path / "db.sqlite3"
    acknowledged: dict[str, str] = {}
    with running_mock(db) as mock:

        def worker(first: int) -> None:
            with httpx.Client(base_url=mock.base_url, auth=AUTH_A, timeout=10) as client:
                for i in range(first, first + 100):
                    try:
                        response = client.post(
                            PATH.format("tok_active"),
                            json=FULL_ORDER,
                            headers={"Klarna-Idempotency-Key": f"k-{i}"},
                        )
                    except httpx.HTTPError:
                        return  # cut off by the kill: not acknowledged
                    if response.status_code == 200:
                        acknowledged[f"k-{i}"] = response.json()["order_id"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(worker, w * 100) for w in range(8)]
            deadline = time.monotonic() + 10
            while len(acknowledged) < 50 and time.monotonic() < deadline:
                time.sleep(0.005)
            mock.process.kill()
            mock.process.wait(timeout=10)
            for future in futures:
                future.result(timeout=20)
    assert 50 <= len(acknowledged) < 800, "the kill should land mid-stream"
    with running_mock(db) as mock, httpx.Client(base_url=mock.base_url, auth=AUTH_A) as client:
        for key, order_id in acknowledged.items():
            replay = client.post(
                PATH.format("tok_active"), json=FULL_ORDER, headers={"Klarna-Idempotency-Key": key}
            )
            assert replay.status_code == 200
            assert replay.json()["order_id"] == order_id
            assert replay.headers["Idempotent-Replayed"] == "true"
    from kustom_mock.store import Store

    orders = Store(db).orders()
    assert len({o["idempotency_key"] for o in orders}) == len(orders), "an order was doubled"
    assert {o["order_id"] for o in orders} >= set(acknowledged.values())


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kustom_mock", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: kustom-mock ")  # installed, it names itself
    assert "KUSTOM_MOCK_DB" in result.stdout
    for flag in (
        "--store-timeout",
        "--host",
        "--port",
        "--db",
        "--fixtures",
        "--retention-hours",
        "--spec",
        "--fsync",
        "--log-level",
        "--workers",
        "--max-connections",
        "--header-timeout",
    ):
        assert flag in result.stdout


def test_bad_fixtures_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "f.yaml"
    bad.write_text("merchants: []\ntokens: [{token: t}]\n")
    result = run_cli("--fixtures", str(bad), "--port", "0")
    assert result.returncode == 2
    assert "f.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_exits_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port), "--db", ":memory:")
    assert result.returncode == 1
    assert "cannot listen" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1"])
def test_bad_retention_is_refused(value: str) -> None:
    result = run_cli("--retention-hours", value)
    assert result.returncode == 2
    assert "--retention-hours" in result.stderr


@pytest.mark.parametrize(("argv", "synchronous"), [([], 0), (["--fsync"], 1)])
def test_fsync_flag_sets_sqlite_synchronous(
    tmp_path: Path, argv: list[str], synchronous: int
) -> None:
    """Without --fsync nothing is fsynced (OFF = 0); with it, NORMAL = 1 (docs/mock.md, "Flags")."""
    app = build_app(parse_config(["--db", str(tmp_path / "m.sqlite3"), *argv]))
    assert app is not None
    try:
        assert app.store.pragma("synchronous") == synchronous
    finally:
        app.store.close()


def test_without_db_it_keeps_state_in_a_temporary_directory_it_names_and_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consumer's test run (issue 25): nothing kept in the directory it was started from, nor
    after it stops; the file named in the ready line serves --workers too."""
    monkeypatch.delenv("KUSTOM_MOCK_DB", raising=False)
    with running_mock(None, ["--workers", "2"], cwd=tmp_path) as mock:
        db = Path(mock.ready_line.split("(db: ")[1].rstrip(")"))
        assert db.name == "mock.sqlite3"
        assert db.parent.parent == Path(tempfile.gettempdir())
        assert db.exists()
        orders = at_once(
            [mock.base_url], "POST", PATH.format("tok_active"), json=FULL_ORDER, key=None, times=8
        )
        assert {r.status_code for r in orders} == {200}
    assert mock.process.returncode == 0
    assert not db.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_scripts_mock_keeps_its_state_in_the_repository(tmp_path: Path) -> None:
    """scripts/mock sets KUSTOM_MOCK_DB to .state/mock.sqlite3 unless the caller set it."""
    db = tmp_path / "chosen.sqlite3"
    with running_mock(None, launcher=[str(REPO_ROOT / "scripts" / "mock")]) as mock:
        assert "(db: .state/mock.sqlite3)" in mock.ready_line
    env = {**os.environ, "KUSTOM_MOCK_DB": str(db)}
    with running_mock(None, launcher=[str(REPO_ROOT / "scripts" / "mock")], env=env) as mock:
        assert f"(db: {db})" in mock.ready_line
    assert db.exists()
