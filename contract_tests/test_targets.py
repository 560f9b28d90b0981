"""The same contract run passes against this project's mock started on its own, fails against
Prism's mock of the same spec, and never sends traffic off this machine unless told to."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from contract_tests.target import TargetError, target_from_env
from contract_tests.test_faults import run_contract
from kustom_devtools.mock_process import running_mock
from kustom_devtools.paths import REPO_ROOT
from kustom_devtools.prism import running_prism

MOCK_ENV = {
    "KUSTOM_USERNAME": "M-TEST-A",
    "KUSTOM_API_KEY": "kco_test_api_merchant_a",
    "KUSTOM_CUSTOMER_TOKEN": "tok_active",
}


@pytest.mark.meta
def test_passes_against_the_mock_started_on_its_own(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = run_contract(tmp_path, {"KUSTOM_BASE_URL": mock.base_url, **MOCK_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"Contract run against {mock.base_url}" in output


@pytest.mark.meta
def test_fails_against_prism(tmp_path: Path) -> None:
    with running_prism() as base_url:
        result = run_contract(tmp_path, {"KUSTOM_BASE_URL": base_url, **MOCK_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "ST401" in output, "Prism accepts any credentials: the run must say so"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **MOCK_ENV}, "KUSTOM_LIVE=1"),
        ({"KUSTOM_BASE_URL": "http://127.0.0.1:4010"}, "KUSTOM_API_KEY and KUSTOM_CUSTOMER_TOKEN"),
        ({"KUSTOM_BASE_URL": "ftp://127.0.0.1", **MOCK_ENV}, "not an http(s) URL"),
    ],
)
def test_bad_targets_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        target_from_env(env)


def test_live_target_with_consent() -> None:
    target = target_from_env(
        {"KUSTOM_BASE_URL": "https://api.playground.kustom.co/", "KUSTOM_LIVE": "1", **MOCK_ENV}
    )
    assert target.base_url == "https://api.playground.kustom.co"
    assert target.approving_tokens == ("tok_active",)
    assert "kco_test_api_merchant_a" not in repr(target)
    assert not target.is_local  # so the run's session keeps the environment's proxies


def test_default_target_is_the_mock() -> None:
    target = target_from_env({})
    assert target.is_mock
    assert target.is_local
    assert target_from_env({"KUSTOM_BASE_URL": "http://localhost:4010", **MOCK_ENV}).is_local
    assert "tok_active" in target.approving_tokens


def test_a_refused_target_stops_the_run_before_any_request(tmp_path: Path) -> None:
    result = run_contract(
        tmp_path, {"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **MOCK_ENV}
    )
    assert result.returncode != 0
    assert "KUSTOM_LIVE=1" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "env", "timeout"),
    [
        ([], {}, "300.0s"),
        (["--deep"], {}, "3600.0s"),
        ([], {"KUSTOM_BASE_URL": "http://127.0.0.1:9", **MOCK_ENV}, "3600.0s"),
    ],
)
def test_long_runs_get_a_longer_timeout(
    tmp_path: Path, args: list[str], env: dict[str, str], timeout: str
) -> None:
    """A deep run (about 6 minutes) must not be cut off by the suite's 300 s per test."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
    result = subprocess.run(  # noqa: S603
        [str(REPO_ROOT / "scripts" / "contract-test"), *args, "--collect-only"],
        env={**clean, "KUSTOM_REPORTS_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert f"timeout: {timeout}" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
