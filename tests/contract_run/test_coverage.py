"""The run's coverage (kustom_contract/coverage.py): recorded per process, written as a part
file each, merged by a pure function, reported per operation; and the provocations
(kustom_contract/provocations.py) each break one thing on an otherwise valid request."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from kustom_conformance import Conformance, Request
from kustom_contract.config import RunConfig
from kustom_contract.coverage import (
    RUN_ID_ENV,
    WORKER_RUN_ID,
    Coverage,
    CoverageParts,
    Unprovokable,
    answer_key,
    documented,
    merge,
    not_provoked,
    read_parts,
    report,
    request_fields,
    write_part,
)
from kustom_contract.coverage_report import CoverageReport
from kustom_contract.errors import SettingError
from kustom_contract.in_subprocess import run_contract
from kustom_contract.provocations import (
    Context,
    json_body,
    longest_strings,
    not_provokable,
    provocations,
    valid_order,
)
from kustom_contract.target import target_from_env
from kustom_spec import load_spec

SPEC = load_spec()
MOCK = target_from_env({})


def _part(n: int) -> Coverage:
    part = Coverage()
    part.answer("createOrder", 200, None)
    part.answer("createOrder", 404, {"error_code": "TOKEN_NOT_FOUND"})
    part.provoked[answer_key("createOrder", 404, "TOKEN_NOT_FOUND")] += n
    part.sent(
        "createOrder",
        {"order_lines": [{"type": "physical"}]},
        {"order_lines[].type": frozenset({"physical"})},
    )
    part.links[f"link-{n}"] += 1
    return part


def test_merge_sums_every_part_and_leaves_them_as_they_are() -> None:
    first, second = _part(1), _part(2)
    merged = merge([first, second])
    assert merged.answers[answer_key("createOrder", 200, None)] == 2
    assert merged.provoked[answer_key("createOrder", 404, "TOKEN_NOT_FOUND")] == 3
    assert merged.enums["createOrder order_lines[].type physical"] == 2
    assert merged.links == {"link-1": 1, "link-2": 1}
    assert first.provoked[answer_key("createOrder", 404, "TOKEN_NOT_FOUND")] == 1
    assert merge([]) == Coverage()


def _write(folder: str, n: int) -> None:
    write_part(Path(folder), _part(n))


def test_parts_written_by_several_processes_merge_whole(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write, args=(str(tmp_path), n)) for n in (1, 2, 3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    parts = read_parts(tmp_path)
    assert len(parts) == 3
    assert merge(parts).provoked[answer_key("createOrder", 404, "TOKEN_NOT_FOUND")] == 6
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


def test_nothing_a_server_or_a_generated_value_chose_is_recorded_as_is() -> None:
    coverage = Coverage()
    coverage.answer("createOrder", 400, {"error_code": "kco_live_secret_echoed"})
    enums = {"order_lines[].type": frozenset({"physical"})}
    coverage.sent("createOrder", {"order_lines": [{"type": "kco_live_secret"}]}, enums)
    text = repr(coverage.as_dict())
    assert "kco_live_secret" not in text
    assert coverage.answers["createOrder 400 (undocumented error_code)"] == 1
    assert coverage.enums["createOrder order_lines[].type (outside the enum)"] == 1


def test_the_report_sorts_each_documented_answer() -> None:
    coverage = _part(1)
    reason = Unprovokable(503, "SERVICE_UNAVAILABLE", "why")
    found = report(SPEC, coverage, {answer_key("createOrder", 503, "SERVICE_UNAVAILABLE"): reason})
    answers = found["operations"]["createOrder"]["answers"]
    assert answers["404 TOKEN_NOT_FOUND"]["state"] == "provoked"
    assert answers["200"]["state"] == "seen"  # by a generated case, not on purpose
    assert answers["503 SERVICE_UNAVAILABLE"]["state"] == "not provokable"
    assert answers["409 IDEMPOTENCY_KEY_CONFLICT"]["state"] == "not provoked"
    assert "createOrder 409 IDEMPOTENCY_KEY_CONFLICT" in not_provoked(found)
    assert "createOrder 404 TOKEN_NOT_FOUND" not in not_provoked(found)
    assert found["operations"]["createOrder"]["enum_values"]["order_lines[].type"]["physical"] == 1


def test_every_documented_answer_of_the_mock_is_provoked_or_not_provokable() -> None:
    context = Context(MOCK)
    provoked = {answer_key(p.operation, p.status, p.error_code) for p in provocations(context)}
    unprovokable = {
        answer_key(n.operation, n.status, n.error_code) for n in not_provokable(context)
    }
    wanted = {d.key for d in documented(SPEC)}
    assert wanted - {k for k in provoked if k in wanted} - unprovokable == set()
    assert not provoked & unprovokable


def test_a_live_target_lists_with_a_reason_every_answer_it_is_not_made_to_give() -> None:
    live = target_from_env(
        {
            "KUSTOM_BASE_URL": "http://127.0.0.1:9",
            "KUSTOM_API_KEY": "kco_live_key",
            "KUSTOM_CUSTOMER_TOKEN": "tok_live",
        }
    )
    context = Context(live)
    sent = provocations(context)
    reasons = {
        answer_key(n.operation, n.status, n.error_code): n.reason for n in not_provokable(context)
    }
    assert reasons["createOrder 429 RATE_LIMITED"].startswith("a live target's limit")
    assert reasons["patchCustomerToken 202"].startswith("cancelling is not allowed")
    assert reasons["readCustomerToken 403 TOKEN_FORBIDDEN"].startswith("needs a second merchant")
    assert not any(p.operation == "patchCustomerToken" and p.status == 202 for p in sent)
    assert all(not p.needs for p in sent), "nothing of the mock's own is sent to a live target"
    tokens = {s.token for p in sent for s in p.requests}
    assert tokens <= {"tok_live", "kustom-contract-no-such-token"}


def test_request_fields_name_the_enums() -> None:
    fields = request_fields(SPEC, "createOrder")
    assert "physical" in fields["order_lines[].type"]
    assert fields["purchase_currency"] == frozenset()


CONFORMANCE = Conformance()


def _violations(operation: str, token: str, body: bytes) -> list[str]:
    path = SPEC.operation(operation).path.replace("{customerToken}", token)
    request = Request.of(
        "POST",
        path,
        {"Authorization": "Basic kco_test_api_merchant_a", "Content-Type": "application/json"},
        body,
    )
    return [f"{v.rule} {v.field}" for v in CONFORMANCE.check_request(request)]


@pytest.mark.parametrize(
    "provocation",
    [
        p
        for p in provocations(Context(MOCK))
        if p.error_code == "BAD_VALUE" and p.operation == "createOrder"
    ],
    ids=lambda p: p.name,
)
def test_each_broken_order_breaks_exactly_one_field(provocation) -> None:  # type: ignore[no-untyped-def]
    sent = provocation.requests[-1]
    found = _violations("createOrder", sent.token, sent.body)
    # One rule (rule 7, a line's sign, names its price and its total alike), one field of the
    # schema; the field the provocation names among them.
    assert len({f.split(" ", 1)[0] for f in found}) == 1, found
    if found[0].startswith("request.schema"):
        assert len(found) == 1, found
    assert any(provocation.name.endswith(f"({f.split(' ', 1)[1]})") for f in found), found


def test_the_orders_the_spec_allows_keep_every_rule() -> None:
    assert _violations("createOrder", "tok_active", json_body(valid_order(MOCK))) == []
    assert _violations("createOrder", "tok_active", json_body(longest_strings(MOCK))) == []
    lower = {**valid_order(MOCK), "purchase_currency": "eur"}
    assert _violations("createOrder", "tok_active", json_body(lower)) == []


def test_the_run_fails_when_an_answer_the_mock_can_give_was_never_provoked() -> None:
    default, quick = RunConfig.from_env({}), RunConfig.from_env({"KUSTOM_CONTRACT_DEPTH": "quick"})
    live = RunConfig.from_env(
        {
            "KUSTOM_BASE_URL": "http://127.0.0.1:9",
            "KUSTOM_API_KEY": "k",
            "KUSTOM_CUSTOMER_TOKEN": "t",
            "KUSTOM_KNOWN_DIFFERENCES": "",
        }
    )
    some = CoverageReport.of(MOCK, _part(1))
    missed = some.goal_missed(default, partial=False)
    assert missed is not None
    assert "createOrder 409 IDEMPOTENCY_KEY_CONFLICT" in missed
    assert some.goal_missed(quick, partial=False) is None
    assert some.goal_missed(default, partial=True) is None
    assert CoverageReport.of(live.target, _part(1)).goal_missed(live, partial=False) is None
    every = Coverage()
    for provocation in provocations(Context(MOCK)):
        every.provoked[
            answer_key(provocation.operation, provocation.status, provocation.error_code)
        ] += 1
    assert CoverageReport.of(MOCK, every).goal_missed(default, partial=False) is None


def test_each_process_knows_its_run_and_whether_it_merges(tmp_path: Path) -> None:
    alone = CoverageParts.of(tmp_path, {}, None)
    assert alone.merges
    assert alone.folder == tmp_path / alone.run_id
    assert CoverageParts.of(tmp_path, {}, None).run_id != alone.run_id
    worker = CoverageParts.of(tmp_path, {}, {WORKER_RUN_ID: alone.run_id})
    assert (worker.folder, worker.merges) == (alone.folder, False)
    given = CoverageParts.of(tmp_path, {RUN_ID_ENV: "run-7"}, None)
    assert (given.folder, given.merges) == (tmp_path / "run-7", False)
    for wrong in ("../up", "a/b", "x" * 65):
        with pytest.raises(SettingError, match=RUN_ID_ENV):
            CoverageParts.of(tmp_path, {RUN_ID_ENV: wrong}, None)


def test_processes_of_one_run_write_parts_and_leave_the_merge_to_their_command(
    tmp_path: Path,
) -> None:
    """Two pytest processes of one run (KUSTOM_CONTRACT_RUN_ID): each writes its part, neither
    merges; the merge of both holds what each provoked."""
    reports = tmp_path / "reports"
    for name in ("valid", "exist"):  # a valid order; a token that does not exist
        result = run_contract(
            {RUN_ID_ENV: "run-1"},
            reports_dir=reports,
            pytest_args=["contract_tests/test_provoked.py", "-k", f"createOrder and {name}"],
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    assert not (reports / "contract-coverage.json").exists()
    parts = read_parts(reports / "contract-coverage-parts" / "run-1")
    assert len(parts) == 2
    merged = merge(parts)
    assert merged.provoked[answer_key("createOrder", 200, None)] >= 1
    assert merged.provoked[answer_key("createOrder", 404, "TOKEN_NOT_FOUND")] == 1
