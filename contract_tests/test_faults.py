"""The contract run bites: against the mock with one fault injected, it fails, each time.

Each fault runs the real contract run (contract_tests/test_contract.py, quick depth) in a
subprocess against the mock with that fault (contract_tests/faulty_mock.py): spawned by the run
itself, given with ``--mock-command``, for the faults of the schema and of token state; started
by the test and reached through KUSTOM_BASE_URL, as a live run goes, for the faults of the
spec's prose (PROSE_FAULTS). The order budget's test also runs through KUSTOM_BASE_URL, against
the mock without a fault.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests.faulty_mock import FAULTS
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_servers.mock_process import running_mock

pytestmark = pytest.mark.meta

# The Schemathesis finding (its failure code) each fault must produce.
EXPECTED = {
    "server_error": "ST101",  # server error
    "undocumented_status": "ST103",  # status not documented
    "enum_violation": "ST108",  # response violates its schema
    "missing_field": "ST108",
    "accept_invalid": "ST201",  # schema-violating request accepted
    "ignore_credentials": "ST401",  # authentication ignored
    # The run's own checks (kustom_contract/checks.py) name the conformance core's rule.
    "cancel_does_not_stick": "token.cancelled",
    "cancelled_token_orders": "token.cancelled",
    "refuse_discount_lines": "ST202",  # schema-valid request rejected
    # The spec's prose, run through KUSTOM_BASE_URL as a live run.
    "rules_not_enforced": "response.refusal",
    "replay_ignored": "idempotency.replay",
    "conflict_ignored": "idempotency.conflict",
    "wrong_error_code": "response.error-code",
}
# Faults of the spec's prose: each is served on its own and the run goes through KUSTOM_BASE_URL,
# the way a run against a live server goes (rate limit off: the mock has none).
PROSE_FAULTS = ("rules_not_enforced", "replay_ignored", "conflict_ignored", "wrong_error_code")


def test_every_fault_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(FAULTS)


@pytest.mark.parametrize("fault", sorted(set(FAULTS) - set(PROSE_FAULTS)))
def test_the_contract_run_fails_on_each_fault(tmp_path: Path, fault: str) -> None:
    command = f"contract_tests.faulty_mock --fault {fault}"
    result = quick_run(tmp_path, {}, ["--mock-command", command])
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert EXPECTED[fault] in output, output[-3000:]
    assert f"served by {command}" in output
    assert "kco_test_api_merchant_a" not in output, "the API key leaked into the output"
    failures = list((tmp_path / "reports" / "contract-failures").glob("*.json"))
    assert failures, "no replay file was written"
    assert "kco_test_api_merchant_a" not in failures[0].read_text()


@pytest.mark.parametrize("fault", PROSE_FAULTS)
def test_a_live_style_run_fails_on_each_fault_of_the_prose(tmp_path: Path, fault: str) -> None:
    with running_mock(
        tmp_path / "db.sqlite3", ["--fault", fault], module="contract_tests.faulty_mock"
    ) as mock:
        result = quick_run(tmp_path, {**MOCK_AS_LIVE_ENV, "KUSTOM_BASE_URL": mock.base_url})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert EXPECTED[fault] in output, output[-3000:]
    assert "kco_test_api_merchant_a" not in output


def test_a_live_style_run_stays_within_its_order_budget(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = quick_run(
            tmp_path,
            {**MOCK_AS_LIVE_ENV, "KUSTOM_BASE_URL": mock.base_url, "KUSTOM_ORDER_BUDGET": "5"},
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    summary = json.loads((tmp_path / "reports" / "contract-summary.json").read_text())
    assert summary["order_budget"] == 5
    assert summary["extra_order_requests"] <= 5
    assert summary["orders_placed"] > 0
    assert f"orders placed: {summary['orders_placed']} " in result.stdout
    assert "rules_across_fields" in result.stdout
