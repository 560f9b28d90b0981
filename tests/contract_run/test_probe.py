"""scripts/probe: against the mock every row agrees; against a server that differs on one
fact it names that row and exits 1; configuration errors are one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kustom_contract.probe import PROBES
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT

ENV = {
    "KUSTOM_USERNAME": "M-TEST-A-4f2c",
    "KUSTOM_API_KEY": "kco_test_api_merchant_a",
    "KUSTOM_CUSTOMER_TOKEN": "tok_active",
    "KUSTOM_ALLOW_CANCEL": "1",
    "KUSTOM_CANCEL_TOKEN": "tok_fresh_probe",
}


def probe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
    return subprocess.run(
        [sys.executable, "-m", "kustom_contract.probe", "--timeout", "10"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO_ROOT,
    )


def rows(output: str) -> dict[str, str]:
    """fact -> verdict, from the printed table."""
    found = {}
    for line in output.splitlines():
        for item in PROBES:
            if line.startswith(item.fact + " "):
                found[item.fact] = line.split()[-1]
    return found


def test_every_row_agrees_with_the_mock(tmp_path: Path) -> None:
    # The playground's limit, so that the rate-limit headers are there as on Kustom's servers.
    with running_mock(tmp_path / "db.sqlite3", ["--rate-limit", "50"]) as mock:
        result = probe({**ENV, "KUSTOM_BASE_URL": mock.base_url})
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = rows(result.stdout)
    assert set(verdicts) == {p.fact for p in PROBES}
    assert set(verdicts.values()) == {"agree"}
    assert f"{len(PROBES)} agree, 0 differ, 0 skipped" in result.stdout
    assert "kco_test_api_merchant_a" not in result.stdout + result.stderr


def test_a_server_that_differs_on_one_fact_is_named(tmp_path: Path) -> None:
    with running_mock(
        tmp_path / "db.sqlite3",
        ["--fault", "refuse_discount_lines", "--rate-limit", "50"],
        module="contract_tests.faulty_mock",
    ) as mock:
        result = probe({**ENV, "KUSTOM_BASE_URL": mock.base_url})
    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = rows(result.stdout)
    assert [fact for fact, v in verdicts.items() if v == "differ"] == [
        "discount line with negative amounts"
    ]
    assert "400 BAD_VALUE" in result.stdout


def test_rows_that_need_more_are_skipped_and_say_why(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if "CANCEL" not in k and k != "KUSTOM_USERNAME"}
    with running_mock(tmp_path / "db.sqlite3", ["--rate-limit", "50"]) as mock:
        result = probe({**env, "KUSTOM_BASE_URL": mock.base_url})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not run (needs KUSTOM_USERNAME)" in result.stdout
    assert "3 skipped" in result.stdout


def test_configuration_errors_are_one_line_and_exit_2() -> None:
    for env, fragment in (
        ({}, "set KUSTOM_BASE_URL"),
        ({"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **ENV}, "KUSTOM_LIVE=1"),
        ({"KUSTOM_BASE_URL": "http://127.0.0.1:9", **ENV}, "did not answer"),
    ):
        result = probe(env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr
