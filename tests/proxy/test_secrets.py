"""No secret whole in anything the proxy writes: the report, the HAR, its lines and its log,
whether or not it was told the secret. API keys (alone and with the username, in both of
Kustom's forms and another scheme's), customer tokens (in the path, echoed in a body) and
cookies give way to pseudonyms, the same one each time within a run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from kustom_redact import forms_of
from kustom_servers.mock_process import running_mock
from tests.conformance.exchanges import (
    KEY_A,
    KEY_B,
    ORDER,
    PAIR_A,
    RAW_B,
    USER_A,
    cancel,
    order,
    read,
)
from tests.proxy.helpers import running_proxy, send

TOKEN = "tok_fresh_secretive"
OTHER_KEY = "kco_live_other_scheme_secret"
COOKIE = "session-cookie-secret-value"
SECRETS = [KEY_A, KEY_B, f"{USER_A}:{KEY_A}", TOKEN, "tok_active", OTHER_KEY, COOKIE]


def test_no_secret_whole_in_the_report_the_record_or_the_output(tmp_path: Path) -> None:
    report, har = tmp_path / "report.json", tmp_path / "record.har"
    script = [
        read(TOKEN),
        order(TOKEN, key="s-1", auth=PAIR_A),
        order(TOKEN, body=dict(ORDER, merchant_reference1=KEY_A)),  # a key echoed in a body
        order(TOKEN, body=dict(ORDER, merchant_reference2=TOKEN, order_amount=1)),  # broken
        read(TOKEN, auth=RAW_B),
        read("tok_active", auth=f"Bearer {OTHER_KEY}"),
        order("tok_active", headers={"Cookie": f"session={COOKIE}"}),
        cancel(TOKEN),
    ]
    with (
        running_mock() as mock,
        running_proxy(mock.base_url, ["--report", str(report), "--record", str(har)]) as proxy,
        httpx.Client(base_url=proxy.base_url, timeout=30) as client,
    ):
        for request in script:
            send(client, request)
        output = proxy.stop()
        log = proxy.stderr()
    written = {
        "report": report.read_text(),
        "record": har.read_text(),
        "output": output,
        "log": log,
    }
    assert "client breaks" in output  # the broken order was reported, and redacted
    for name, text in written.items():
        for secret in SECRETS:
            for form in forms_of(secret):
                assert form not in text, f"{secret!r} ({form!r}) in the {name}"
    # One token, one pseudonym: every exchange of TOKEN names the same masked path.
    urls = [entry["request"]["url"] for entry in json.loads(written["record"])["log"]["entries"]]
    masked = {url.split("/tokens/")[1].split("/")[0] for url in urls[:5]}
    assert len(masked) == 1
    assert masked.pop().startswith("tok_fr…")
