"""scripts/contract-test as a user meets it: its own --help, flags in any position, one clear
line and exit 2 for a configuration mistake or a dead target (before any case is generated),
longer timeouts for long runs, and progress lines on a long run."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from kustom_contract.command import check_environment, parse, pytest_command
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV
from kustom_contract.stats import Progress, RunStats
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "contract-test"
MOCK_ENV = MOCK_AS_LIVE_ENV


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
    return subprocess.run(  # noqa: S603
        [str(SCRIPT), *args],
        env={**clean, "KUSTOM_REPORTS_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_its_own_flags_and_every_variable(tmp_path: Path) -> None:
    result = run(["-x", "--help"], {}, tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "usage: scripts/contract-test [--quick | --deep] [--help] [pytest arguments]"
    for name in (
        "--quick",
        "--deep",
        "KUSTOM_BASE_URL",
        "KUSTOM_RATE_LIMIT",
        "KUSTOM_ORDER_BUDGET",
    ):
        assert name in result.stdout
    assert "Every other argument goes to pytest" in result.stdout
    # Every report it writes, and the exit codes pytest's own that come through.
    for report in (
        "contract-junit.xml",
        "contract-summary.json",
        "contract-coverage.json",
        "contract-mock.log",
    ):
        assert report in result.stdout
    assert "4 a usage error, 5 no tests collected" in result.stdout
    # Every KUSTOM_ variable the run reads is in the help.
    sources = [
        *(REPO_ROOT / "src" / "kustom_contract").glob("*.py"),
        *(REPO_ROOT / "contract_tests").glob("*.py"),
    ]
    read = {name for path in sources for name in re.findall(r"KUSTOM_[A-Z_]+", path.read_text())}
    assert len(read) >= 10
    # The project's own seams: the benchmarks' dry run, a run's id for its several processes.
    internal = {"KUSTOM_CONTRACT_DRY", "KUSTOM_CONTRACT_RUN_ID"}
    missing = sorted(name for name in read - internal if name not in result.stdout)
    assert not missing, missing


@pytest.mark.parametrize(
    ("args", "env", "first_line"),
    [
        (
            [],
            {"KUSTOM_CONTRACT_DEPTH": "huge"},
            "scripts/contract-test: KUSTOM_CONTRACT_DEPTH must be one of quick, default, deep, not 'huge'",
        ),
        (
            ["--quick", "-x", "--deep"],
            {},
            "scripts/contract-test: --quick and --deep exclude each other: give one",
        ),
        (
            [],
            {"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **MOCK_ENV},
            "scripts/contract-test: https://api.playground.kustom.co is not on this machine: set KUSTOM_LIVE=1 to send it real requests",
        ),
        (
            [],
            {"KUSTOM_BASE_URL": "http://127.0.0.1:9"},
            "scripts/contract-test: KUSTOM_BASE_URL is set, so KUSTOM_API_KEY and KUSTOM_CUSTOMER_TOKEN must be set too",
        ),
        (
            [],
            {"KUSTOM_BASE_URL": "http://127.0.0.1:9", **MOCK_ENV},
            "scripts/contract-test: KUSTOM_BASE_URL http://127.0.0.1:9 refused the connection for GET /: check the server and the URL",
        ),
        (
            [],
            {"KUSTOM_ORDER_BUDGET": "lots"},
            "scripts/contract-test: KUSTOM_ORDER_BUDGET must be a whole number, not 'lots'",
        ),
        (
            [],
            {"KUSTOM_REQUEST_TIMEOUT": "0"},
            "scripts/contract-test: KUSTOM_REQUEST_TIMEOUT must be a number of seconds above 0, not '0'",
        ),
        (
            [],
            {"KUSTOM_RUN_TIMEOUT": "soon"},
            "scripts/contract-test: KUSTOM_RUN_TIMEOUT must be a number of seconds above 0, not 'soon'",
        ),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], first_line: str
) -> None:
    result = run(args, env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [first_line]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "timeout"),
    [
        (["--collect-only"], "300.0s"),
        (["--collect-only", "--deep"], "3600.0s"),
        (["--deep", "--collect-only"], "3600.0s"),
    ],
)
def test_flags_in_any_position_and_long_runs_get_an_hour(
    tmp_path: Path, args: list[str], timeout: str
) -> None:
    """A deep run must not be cut off by the suite's 300 s per test, wherever --deep stands."""
    result = run(args, {}, tmp_path)
    assert f"timeout: {timeout}" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]


def test_a_run_against_another_server_gets_an_hour(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = run(["--collect-only"], {"KUSTOM_BASE_URL": mock.base_url, **MOCK_ENV}, tmp_path)
    assert "timeout: 3600.0s" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]


def test_a_blank_base_url_is_the_spawned_mock_for_the_command_as_for_the_run() -> None:
    """The command reads the target the run reads: a blank KUSTOM_BASE_URL is no target, so
    the client-in-the-loop tests run and no long timeout is set."""
    env = {"KUSTOM_BASE_URL": " "}
    command = pytest_command(parse([]), check_environment(env))
    assert "contract_tests/test_client_in_the_loop.py" in command
    assert "--timeout=3600" not in command
    deep = {**env, "KUSTOM_CONTRACT_DEPTH": "deep"}
    assert "--timeout=3600" in pytest_command(parse([]), check_environment(deep))


def test_progress_lines_at_least_every_ten_seconds() -> None:
    now = [100.0]
    lines: list[str] = []
    stats = RunStats(started=100.0)
    stats.on_record = Progress(stats, lines.append, clock=lambda: now[0]).tick
    for _ in range(5):
        stats.record("createOrder", "fuzzing", "positive", 200)
    assert lines == []
    now[0] = 110.5
    stats.record("createOrder", "fuzzing", "positive", 200)
    assert lines == ["progress: 6 cases, 0 failures, fuzzing (createOrder), 1 cases/s, after 10 s"]
    stats.record("createOrder", "fuzzing", "positive", 200)
    assert len(lines) == 1  # not again before another ten seconds
