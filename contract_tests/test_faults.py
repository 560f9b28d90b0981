"""The contract run bites: against the mock with one fault injected, it fails, each time.

Each fault runs the real contract run (contract_tests/test_contract.py, quick depth) in a
subprocess against the mock spawned with that fault.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from contract_tests.faults import FAULTS
from kustom_devtools.contract_run import run_contract as run_contract_in_subprocess

pytestmark = pytest.mark.meta

# The Schemathesis finding (its failure code) each fault must produce.
EXPECTED = {
    "server_error": "ST101",  # server error
    "undocumented_status": "ST103",  # status not documented
    "enum_violation": "ST108",  # response violates its schema
    "missing_field": "ST108",
    "accept_invalid": "ST201",  # schema-violating request accepted
    "ignore_credentials": "ST401",  # authentication ignored
    "cancel_does_not_stick": "token_state",  # the run's own check (contract_tests/checks.py)
    "cancelled_token_orders": "token_state",
    "refuse_discount_lines": "ST202",  # schema-valid request rejected
}


def run_contract(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_contract_in_subprocess(env, reports_dir=tmp_path / "reports")


def test_every_fault_has_an_expectation() -> None:
    assert sorted(EXPECTED) == FAULTS


@pytest.mark.parametrize("fault", FAULTS)
def test_the_contract_run_fails_on_each_fault(tmp_path: Path, fault: str) -> None:
    result = run_contract(tmp_path, {"KUSTOM_CONTRACT_FAULT": fault})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert EXPECTED[fault] in output, output[-3000:]
    assert f"with fault '{fault}'" in output
    assert "kco_test_api_merchant_a" not in output, "the API key leaked into the output"
    failures = list((tmp_path / "reports" / "contract-failures").glob("*.json"))
    assert failures, "no replay file was written"
    assert "kco_test_api_merchant_a" not in failures[0].read_text()
