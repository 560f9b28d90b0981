"""The same contract run passes against this project's mock started on its own, fails against
Prism's mock of the same spec (which accepts any credentials), and stays under a target's rate
limit when told it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_servers.mock_process import running_mock
from kustom_servers.prism import running_prism


@pytest.mark.meta
def test_passes_against_the_mock_started_on_its_own(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = quick_run(tmp_path, {"KUSTOM_BASE_URL": mock.base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"Contract run against {mock.base_url}" in output


@pytest.mark.meta
def test_fails_against_prism(tmp_path: Path) -> None:
    with running_prism() as base_url:
        result = quick_run(tmp_path, {"KUSTOM_BASE_URL": base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "ST401" in output, "Prism accepts any credentials: the run must say so"


@pytest.mark.meta
def test_a_run_against_a_rate_limited_server_stays_under_its_limit(tmp_path: Path) -> None:
    """The mock started with --rate-limit answers 429 past it: a run at full speed fails on
    them, a run limited below it does not (only the token read, to keep it short)."""
    env = {**MOCK_AS_LIVE_ENV, "KUSTOM_CUSTOMER_TOKEN": "tok_active"}
    with running_mock(tmp_path / "db.sqlite3", ["--rate-limit", "40"]) as mock:
        env["KUSTOM_BASE_URL"] = mock.base_url
        polite = quick_run(tmp_path / "polite", {**env, "KUSTOM_RATE_LIMIT": "25/s"}, ["-k", "GET"])
        rushed = quick_run(tmp_path / "rushed", env, ["-k", "GET"])
    assert polite.returncode == 0, (polite.stdout + polite.stderr)[-3000:]
    statuses = polite.stdout.split("statuses seen:", 1)[1].splitlines()[0]
    assert "200:" in statuses
    assert "429" not in statuses
    assert rushed.returncode == 1, (rushed.stdout + rushed.stderr)[-3000:]
    assert "429" in rushed.stdout
