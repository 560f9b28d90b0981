"""scripts/verify-traffic: the proxy's checks over a HAR file, offline. Over the proxy's own
record it gives the proxy's verdicts, every one (the pseudonyms keep the merchants, the tokens
and the keys apart as the traffic did, the recorded times keep the replay window); over a
browser's record it reads what browsers write; a file it cannot read is exit 2."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.conformance.exchanges import (
    NAMES,
    ORDER,
    PAIR_A,
    RAW_A,
    RAW_B,
    cancel,
    changed_order,
    order,
    path,
    read,
)
from tests.proxy.helpers import running_proxy, send

BROKEN_TOTAL = dict(ORDER, order_amount=ORDER["order_amount"] + 1)
SCRIPT = [
    read("tok_fresh_offline"),
    order("tok_fresh_offline", key="off-1"),
    order("tok_fresh_offline", key="off-1", auth=PAIR_A),  # a replay, in the other form
    order("tok_fresh_offline", body=changed_order(), key="off-1"),  # a conflict
    order("tok_merchant_b", key="off-1", auth=RAW_B),  # B's own use of A's key
    read("tok_fresh_offline", auth=RAW_B),  # A's token, read by B
    cancel("tok_fresh_offline", key="off-2"),
    order("tok_fresh_offline"),
    read("tok_fresh_offline"),
    order(body=BROKEN_TOTAL),
    order(body=dict(ORDER, merchant_reference1="m" * 5000)),  # over --max-body-bytes
]


def verify(har: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our interpreter and module)
        [sys.executable, "-m", "kustom_proxy.verify", str(har), *flags],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )


def verdicts(report: Path) -> dict[str, Any]:
    found = json.loads(report.read_text())
    return {
        key: found[key] for key in ("exchanges", "checked", "by_rule", "violations", "unchecked")
    }


@pytest.mark.parametrize("fault", ["cancelled_token_orders", "replay_ignored"])
def test_the_proxys_record_gives_the_proxys_verdicts_offline(fault: str, tmp_path: Path) -> None:
    online, offline, har = tmp_path / "online.json", tmp_path / "offline.json", tmp_path / "x.har"
    with (
        running_mock(module="contract_tests.faulty_mock", extra_args=["--fault", fault]) as mock,
        running_proxy(
            mock.base_url,
            ["--report", str(online), "--record", str(har), "--max-body-bytes", "4096"],
        ) as proxy,
        httpx.Client(base_url=proxy.base_url, timeout=30) as client,
    ):
        for request in SCRIPT:
            send(client, request)
        proxy.stop()
    checked = verify(har, "--report", str(offline))
    assert checked.returncode == 1, checked.stderr
    expected = verdicts(online)
    assert verdicts(offline) == expected
    # The verdicts are the ones the script provokes: a server fault, a client fault, and one
    # exchange unchecked; nothing else.
    server = {
        "cancelled_token_orders": ["token.cancelled"],
        "replay_ignored": ["idempotency.replay", "idempotency.conflict"],
    }[fault]
    assert [v["rule"] for v in expected["violations"] if v["side"] == "server"] == server
    assert [v["rule"] for v in expected["violations"] if v["side"] == "client"] == ["request.rules"]
    assert len(expected["unchecked"]) == 1
    # The same lines, but for the proxy's ready line and the label of the summary.
    assert "server breaks" in checked.stdout


def test_a_clean_record_exits_0(tmp_path: Path) -> None:
    har = tmp_path / "clean.har"
    with (
        running_mock() as mock,
        running_proxy(mock.base_url, ["--record", str(har)]) as proxy,
        httpx.Client(base_url=proxy.base_url, timeout=30) as client,
    ):
        for request in (read(), order(key="clean-1"), order(key="clean-1"), read("tok_suspended")):
            send(client, request)
        proxy.stop()
    checked = verify(har)
    assert checked.returncode == 0, checked.stdout
    assert "4 exchanges, 4 checked; 0 violations" in checked.stdout


def _entry(method: str, url: str, status: int, **parts: Any) -> dict[str, Any]:
    return {
        "startedDateTime": "2026-01-02T03:04:05.678Z",
        "time": 12.5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "h2",
            "headers": [
                {"name": ":authority", "value": "api.playground.kustom.co"},
                {"name": "authorization", "value": RAW_A},
                *parts.get("request_headers", []),
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": -1,
            **({"postData": parts["post"]} if "post" in parts else {}),
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "h2",
            "headers": parts.get("response_headers", []),
            "cookies": [],
            "content": parts.get("content", {"size": 0, "mimeType": ""}),
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 12.5, "receive": 0},
    }


def test_a_browsers_record_is_read_as_browsers_write_it(tmp_path: Path) -> None:
    base = "https://api.playground.kustom.co"
    body = json.dumps({"payment_method_type": "CARD", "status": "ACTIVE"}).encode()
    entries = [
        # HTTP/2 pseudo-headers, a gzip answer recorded decoded, its text as base64.
        _entry(
            "GET",
            base + path("readCustomerToken"),
            200,
            response_headers=[
                {"name": "content-type", "value": "application/json"},
                {"name": "content-encoding", "value": "gzip"},
                {"name": NAMES.correlation_id, "value": "c-1"},
            ],
            content={
                "size": len(body),
                "mimeType": "application/json",
                "text": base64.b64encode(body).decode(),
                "encoding": "base64",
            },
        ),
        # An order answered with a status the spec does not document.
        _entry(
            "POST",
            base + path("createOrder"),
            418,
            request_headers=[{"name": "content-type", "value": "application/json"}],
            post={"mimeType": "application/json", "text": json.dumps(ORDER)},
        ),
        # A request the browser never got an answer to.
        _entry("GET", base + path("readCustomerToken"), 0),
    ]
    har = tmp_path / "browser.har"
    har.write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "x", "version": "1"},
                    "entries": entries,
                }
            }
        )
    )
    checked = verify(har)
    assert checked.returncode == 1
    assert "#2 server breaks response.status (createOrder): status 418" in checked.stdout
    assert "#3 unchecked: no answer in the record" in checked.stdout
    assert "3 exchanges, 2 checked; 1 violations (client 0, server 1)" in checked.stdout


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"not json at all", "is not JSON"),
        (b'{"log": {}}', "no log.entries list"),
        (b'{"log": {"entries": [{"request": {}}]}}', "entry 1 has no response object"),
    ],
)
def test_a_file_that_is_not_har_is_exit_2(content: bytes, said: str, tmp_path: Path) -> None:
    har = tmp_path / "bad.har"
    har.write_bytes(content)
    checked = verify(har)
    assert checked.returncode == 2
    assert said in checked.stderr
    assert checked.stdout == ""


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    checked = verify(tmp_path / "nowhere.har")
    assert checked.returncode == 2
    assert "cannot read" in checked.stderr
