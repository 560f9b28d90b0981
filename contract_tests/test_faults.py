"""The contract run bites: against the mock with one fault injected, it fails, each time.

Each fault runs the real contract run (contract_tests/test_contract.py, quick depth) in a
subprocess against the mock with that fault (contract_tests/faulty_mock.py): spawned by the run
itself, given with ``--mock-command``, for the faults of the schema and of token state; started
by the test and reached through KUSTOM_BASE_URL, as a live run goes, for the faults of the
spec's prose (PROSE_FAULTS). The faults only a deliberate case reaches (PROVOKED_FAULTS) run
the provoked answers alone (contract_tests/test_provoked.py). The order budget's test also runs
through KUSTOM_BASE_URL, against the mock without a fault; so do a live target's known
differences (a file that lists one fault's differences: passed; another fault: failed) and a
second merchant's checks. A server that differs only where the spec allows it (ALLOWED) passes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests.faulty_mock import ALLOWED, FAULTS
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_contract.target import MOCK_SECOND_API_KEY, MOCK_SECOND_TOKEN, MOCK_SECOND_USERNAME
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
    # Caught by the answers provoked on purpose (contract_tests/test_provoked.py).
    "totals_only": "response.refusal",  # an order breaking one other constraint accepted
    "suspended_as_cancelled": "provoked.error-code",
    "decline_never_refused": "provoked.status",
    "any_username": "provoked.status",
    "shared_keys": "idempotency.scope",
}
# Faults of the spec's prose: each is served on its own and the run goes through KUSTOM_BASE_URL,
# the way a run against a live server goes (rate limit off: the mock has none).
PROSE_FAULTS = ("rules_not_enforced", "replay_ignored", "conflict_ignored", "wrong_error_code")
# Faults only a deliberate case reaches: the run of the provoked answers alone, quick.
PROVOKED_FAULTS = (
    "totals_only",
    "suspended_as_cancelled",
    "decline_never_refused",
    "any_username",
    "shared_keys",
)
PROVOKED_ONLY = ["contract_tests/test_provoked.py", "-k", "test_provoked"]


def test_every_fault_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(FAULTS)


@pytest.mark.parametrize("fault", sorted(set(FAULTS) - set(PROSE_FAULTS) - set(PROVOKED_FAULTS)))
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


@pytest.mark.parametrize("fault", PROVOKED_FAULTS)
def test_the_provoked_answers_catch_each_fault(tmp_path: Path, fault: str) -> None:
    command = f"contract_tests.faulty_mock --fault {fault}"
    result = quick_run(tmp_path, {}, ["--mock-command", command, *PROVOKED_ONLY])
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert EXPECTED[fault] in output, output[-3000:]
    assert "kco_test_api_merchant_a" not in output


@pytest.mark.parametrize("variant", sorted(ALLOWED))
def test_the_run_passes_a_server_that_differs_only_where_the_spec_allows(
    tmp_path: Path, variant: str
) -> None:
    """No check demands more than the spec states: errors without the body's correlation_id
    (optional in the Error schema) pass every case and every provoked answer."""
    command = f"contract_tests.faulty_mock --fault {variant}"
    result = quick_run(tmp_path, {}, ["--mock-command", command, "contract_tests/test_provoked.py"])
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_the_provoked_answers_pass_against_the_mock(tmp_path: Path) -> None:
    """The same run as above, against the mock without a fault: every answer as wanted."""
    result = quick_run(tmp_path, {}, PROVOKED_ONLY)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    coverage = json.loads((tmp_path / "reports" / "contract-coverage.json").read_text())
    assert coverage["operations"]["createOrder"]["not_provoked"] == []


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


KNOWN = """\
differences:
  - operation: createOrder
    finding: response.error-code
    reason: the target answers an unknown token's order with the read's code (NOT_FOUND)
  - operation: createOrder
    finding: provoked.error-code
    contains: a token that does not exist
    reason: the same difference, met by the provoked answer
  - operation: "*"
    finding: token.cancelled
    reason: an entry for a difference that no longer occurs
"""


def test_a_live_style_run_passes_on_known_differences_and_fails_on_a_new_one(
    tmp_path: Path,
) -> None:
    known = tmp_path / "contract-known-differences.yaml"
    known.write_text(KNOWN, encoding="utf-8")
    runs = {}
    for fault in ("wrong_error_code", "any_username"):
        with running_mock(
            tmp_path / f"{fault}.sqlite3", ["--fault", fault], module="contract_tests.faulty_mock"
        ) as mock:
            env = {
                **MOCK_AS_LIVE_ENV,
                "KUSTOM_BASE_URL": mock.base_url,
                "KUSTOM_KNOWN_DIFFERENCES": str(known),
            }
            runs[fault] = quick_run(tmp_path / fault, env, ["contract_tests/test_provoked.py"])
    known_only = runs["wrong_error_code"]
    output = known_only.stdout + known_only.stderr
    assert known_only.returncode == 0, output[-3000:]
    assert "known differences met: createOrder provoked.error-code" in output
    assert "known difference no longer seen: * token.cancelled" in output
    summary = json.loads(
        (tmp_path / "wrong_error_code" / "reports" / "contract-summary.json").read_text()
    )
    seen = summary["known_differences"]["seen"]
    assert seen["createOrder response.error-code"] > 0
    assert summary["known_differences"]["no_longer_seen"] == ["* token.cancelled"]
    new = runs["any_username"]
    output = new.stdout + new.stderr
    assert new.returncode == 1, output[-3000:]
    assert "[provoked.status] createOrder: a username that is not the merchant's" in output


# Merchant B of the mock's test data, given as a live run's second merchant (docs/mock.md).
SECOND_MERCHANT_ENV = {
    "KUSTOM_SECOND_USERNAME": MOCK_SECOND_USERNAME,
    "KUSTOM_SECOND_API_KEY": MOCK_SECOND_API_KEY,
    "KUSTOM_SECOND_CUSTOMER_TOKEN": MOCK_SECOND_TOKEN,
}


@pytest.mark.parametrize(("fault", "code"), [(None, 0), ("shared_keys", 1)])
def test_a_live_style_run_with_a_second_merchant_holds_each_key_to_its_merchant(
    tmp_path: Path, fault: str | None, code: int
) -> None:
    args = ["--fault", fault] if fault else []
    module = "contract_tests.faulty_mock" if fault else "kustom_mock"
    with running_mock(tmp_path / "db.sqlite3", args, module=module) as mock:
        env = {**MOCK_AS_LIVE_ENV, **SECOND_MERCHANT_ENV, "KUSTOM_BASE_URL": mock.base_url}
        result = quick_run(tmp_path, env, PROVOKED_ONLY)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    coverage = json.loads((tmp_path / "reports" / "contract-coverage.json").read_text())
    read = coverage["operations"]["readCustomerToken"]["answers"]
    assert read["403 TOKEN_FORBIDDEN"]["provoked"] == 1  # the second merchant's refusal
    if fault:
        assert "idempotency.scope" in output
    assert MOCK_SECOND_API_KEY not in output
