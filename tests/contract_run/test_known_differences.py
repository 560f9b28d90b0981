"""A live target's known differences (kustom_contract/known_differences.py): the file read and
refused in one line, a failure known only when every finding of it matches an entry, the
entries no longer seen; and where the run takes the file from (kustom_contract/config.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from schemathesis.core.failures import CustomFailure, FailureGroup, ServerError

from kustom_contract.config import DEFAULT_KNOWN_DIFFERENCES, RunConfig
from kustom_contract.errors import SettingError
from kustom_contract.known_differences import Entry, Finding, KnownDifferences, findings_of

LIVE = {
    "KUSTOM_BASE_URL": "http://127.0.0.1:9",
    "KUSTOM_API_KEY": "kco_test_api_merchant_a",
    "KUSTOM_CUSTOMER_TOKEN": "tok_active",
}


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "known.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_failure_is_known_only_when_every_finding_is() -> None:
    known = KnownDifferences(
        (
            Entry("createOrder", "response.error-code", "asked Kustom"),
            Entry("*", "ST101", "a 500 Kustom knows of", contains="tok_flaky"),
        )
    )
    error_code = Finding("createOrder", "response.error-code", "server breaks response.error-code")
    assert known.known([error_code])
    assert not known.known([error_code, Finding("createOrder", "response.schema", "x")])
    assert not known.known([Finding("readCustomerToken", "response.error-code", "x")])
    assert not known.known([Finding("createOrder", "ST101", "another token")])
    assert known.known([Finding("readCustomerToken", "ST101", "a 500 for tok_flaky")])
    assert not known.known([])
    assert known.seen == {
        "createOrder response.error-code": 1,
        "* ST101 containing 'tok_flaky'": 1,
    }
    assert known.no_longer_seen({"createOrder response.error-code": 3}) == [known.entries[1]]


def test_findings_name_the_core_rules_and_schemathesis_codes() -> None:
    custom = CustomFailure(
        operation="POST /x",
        title="Custom check failed: `error_codes`",
        message="server breaks response.error-code (createOrder): 404 ... [#/paths]",
        exception=AssertionError(),
    )
    server = ServerError(operation="POST /x", status_code=500)
    found = findings_of("createOrder", FailureGroup([custom, server]))
    assert [f.finding for f in found] == ["response.error-code", "ST101"]
    assert [f.finding for f in findings_of("createOrder", AssertionError("plain"))] == [
        "AssertionError"
    ]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("differences: {}", "a list under 'differences'"),
        ("differences:\n  - finding: ST101\n", "entry 1 needs reason"),
        ("differences:\n  - finding: ST101\n    reason: ' '\n", "entry 1 needs a reason"),
        ("differences:\n  - 3\n", "entry 1 is not a mapping"),
        ("differences: [", "cannot read known.yaml"),
    ],
)
def test_a_wrong_file_is_one_line(tmp_path: Path, text: str, wanted: str) -> None:
    with pytest.raises(SettingError, match=wanted):
        KnownDifferences.load(_file(tmp_path, text))


def test_the_file_is_for_live_runs_and_the_repository_has_one(tmp_path: Path) -> None:
    path = _file(tmp_path, "differences: []\n")
    assert (
        RunConfig.from_env({**LIVE, "KUSTOM_KNOWN_DIFFERENCES": str(path)}).known_differences
        == path
    )
    assert RunConfig.from_env(LIVE).known_differences == DEFAULT_KNOWN_DIFFERENCES
    assert KnownDifferences.load(DEFAULT_KNOWN_DIFFERENCES).entries == ()
    assert RunConfig.from_env({}).known_differences is None
    with pytest.raises(SettingError, match="for a run against KUSTOM_BASE_URL"):
        RunConfig.from_env({"KUSTOM_KNOWN_DIFFERENCES": str(path)})
    with pytest.raises(SettingError, match="no such file"):
        RunConfig.from_env({**LIVE, "KUSTOM_KNOWN_DIFFERENCES": str(tmp_path / "none.yaml")})
