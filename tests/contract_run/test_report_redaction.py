"""What the contract run writes holds no secret whole: the run's secrets read off its target
(kustom_contract/redaction.py), and pytest's reports and console as the run's plugin
redacts them (kustom_contract/report_redaction.py)."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from _pytest._code import ExceptionInfo

from kustom_contract.redaction import run_redaction
from kustom_contract.report_redaction import RedactingStream, scrub_report
from kustom_contract.target import MOCK_API_KEY, target_from_env
from kustom_redact import forms_of

KEY = "kco_live_5e4d3c2b1a09"
USER = "M-LIVE-4321"
TOKEN = "tok_live_0a1b2c3d4e5f"
CANCEL = "tok_live_9f8e7d6c5b4a"
LIVE = target_from_env(
    {
        "KUSTOM_BASE_URL": "http://127.0.0.1:4010",
        "KUSTOM_API_KEY": KEY,
        "KUSTOM_USERNAME": USER,
        "KUSTOM_CUSTOMER_TOKEN": TOKEN,
        "KUSTOM_ALLOW_CANCEL": "1",
        "KUSTOM_CANCEL_TOKEN": CANCEL,
    }
)
REDACTION = run_redaction(LIVE)
SECRET_FORMS = set().union(*(forms_of(s) for s in (KEY, f"{USER}:{KEY}", TOKEN, CANCEL)))


def leaked(text: str) -> list[str]:
    return sorted(form for form in SECRET_FORMS if form in text)


def basic(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_a_live_targets_secrets_become_the_variables_a_replay_line_reads() -> None:
    text = (
        f"curl http://h/customer-token/v1/tokens/{TOKEN}/order "
        f"-H 'Authorization: Basic {KEY}' -H 'Authorization: Basic {basic(USER + ':' + KEY)}' "
        f"/v1/tokens/{CANCEL}/status"
    )
    replayable = REDACTION.replay.text(text)
    assert replayable == (
        "curl http://h/customer-token/v1/tokens/$KUSTOM_CUSTOMER_TOKEN/order "
        "-H 'Authorization: Basic $KUSTOM_API_KEY' "
        "-H 'Authorization: Basic $KUSTOM_USERNAME:$KUSTOM_API_KEY' "
        "/v1/tokens/$KUSTOM_CANCEL_TOKEN/status"
    )
    assert REDACTION.report.text(text) == replayable


def test_what_the_run_sent_keeps_its_tokens_and_what_came_back_masks_them() -> None:
    echoed = "No such endpoint: /v2/customer-token/v1/tokens/tok_someone_else/order"
    assert REDACTION.replay.text(echoed) == echoed  # the run chose or generated it: replayable
    assert "tok_someone_else" not in REDACTION.report.text(echoed)


def test_against_the_mock_only_the_key_goes_and_the_public_tokens_stay() -> None:
    mock = run_redaction(target_from_env({}))
    line = f"curl http://h/customer-token/v1/tokens/tok_active -H 'Authorization: Basic {MOCK_API_KEY}'"
    assert mock.report.text(line) == (
        "curl http://h/customer-token/v1/tokens/tok_active -H 'Authorization: Basic $KUSTOM_API_KEY'"
    )


def leaky_request(headers: dict[str, str], url: str) -> None:
    secret_local = headers["Authorization"]
    raise ConnectionError(f"read timed out on {url} after {len(secret_local)}")


def failed_report() -> pytest.TestReport:
    """A failure as pytest reports it, with the arguments and locals it prints in long style."""
    try:
        leaky_request({"Authorization": f"Basic {KEY}"}, f"http://h/v1/tokens/{TOKEN}")
    except ConnectionError:
        excinfo: ExceptionInfo[Any] = ExceptionInfo.from_current()
    longrepr = excinfo.getrepr(funcargs=True, showlocals=True, style="long")
    assert leaked(str(longrepr)), "pytest prints the frame's arguments: the test needs them"
    return pytest.TestReport(
        nodeid="test_x",
        location=("test_x.py", 1, "test_x"),
        keywords={},
        outcome="failed",
        longrepr=longrepr,
        when="call",
        sections=[("Captured stdout call", f"sent {basic(USER + ':' + KEY)}")],
        user_properties=[("token", TOKEN), ("count", 3)],
    )


def test_a_failure_report_keeps_its_code_and_loses_arguments_locals_and_secrets() -> None:
    report = failed_report()
    scrub_report(report, REDACTION.report.text)
    text = str(report.longrepr)
    assert not leaked(text + repr(report.sections) + repr(report.user_properties))
    assert "raise ConnectionError(" in text  # the code lines stay
    assert "$KUSTOM_CUSTOMER_TOKEN" in text  # the message, redacted
    assert "headers = {" not in text  # no argument
    assert "secret_local = '" not in text  # no local
    assert report.sections == [("Captured stdout call", "sent $KUSTOM_USERNAME:$KUSTOM_API_KEY")]
    assert report.user_properties == [("token", "$KUSTOM_CUSTOMER_TOKEN"), ("count", 3)]


def test_a_report_of_another_test_keeps_its_frames_arguments_redacted() -> None:
    """A test outside the run in the same session (scripts/test): its arguments stay."""
    report = failed_report()
    scrub_report(report, REDACTION.report.text, frames_bare=False)
    text = str(report.longrepr)
    assert "headers = {'Authorization': 'Basic $KUSTOM_API_KEY'}" in text
    assert not leaked(text)


def test_text_and_location_reports_are_redacted_too() -> None:
    for longrepr in (f"Basic {KEY}", ("test_x.py", 3, f"skipped: {TOKEN}")):
        report = failed_report()
        report.longrepr = longrepr
        scrub_report(report, REDACTION.report.text)
        assert not leaked(str(report.longrepr))


def test_the_console_stream_redacts_every_write() -> None:
    out = io.StringIO()
    stream = RedactingStream(out, REDACTION.report.text)
    stream.write(f"curl -H 'Authorization: Basic {KEY}' http://h/v1/tokens/{TOKEN}\n")
    stream.flush()
    assert not leaked(out.getvalue())
    assert out.getvalue() == (
        "curl -H 'Authorization: Basic $KUSTOM_API_KEY' http://h/v1/tokens/$KUSTOM_CUSTOMER_TOKEN\n"
    )
