"""The whole contract run (quick depth, every operation, cancels included) through the proxy in
front of the mock: the run passes; the proxy reports nothing on the server's side, and on the
client's side only requests the run meant to break (never a case it generated as valid, and
each refused by the mock); every answer reaches the run byte for byte as the mock sent it; and
scripts/verify-traffic over the proxy's record gives the same verdicts."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.proxy.case_log import body_digest
from tests.proxy.helpers import running_proxy
from tests.proxy.taps import tap

CASE_HEADER = "x-schemathesis-testcaseid"
LINE = re.compile(r"^#(?P<number>\d+) (?P<side>client|server) breaks .* → (?P<status>\d+)", re.M)


def request_key(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a HAR entry's request among the run's calls (its path is masked)."""
    request = entry["request"]
    headers = {h["name"].lower(): h["value"] for h in request["headers"]}
    post = request.get("postData", {})
    body = post.get("text", "").encode()
    if post.get("_encoding") == "base64":
        body = base64.b64decode(body)
    return (
        headers.get(CASE_HEADER),
        request["method"],
        body_digest(body),
        "authorization" in headers,
    )


@pytest.mark.meta
def test_the_contract_run_through_the_proxy(tmp_path: Path) -> None:
    report, har, cases = tmp_path / "proxy.json", tmp_path / "run.har", tmp_path / "cases.jsonl"
    with (
        running_mock(tmp_path / "mock.sqlite3") as mock,
        tap(mock.base_url) as upstream_side,
        running_proxy(upstream_side.url, ["--report", str(report), "--record", str(har)]) as proxy,
        tap(proxy.base_url) as client_side,
    ):
        env = {
            **MOCK_AS_LIVE_ENV,
            "KUSTOM_BASE_URL": client_side.url,
            "KUSTOM_ALLOW_CANCEL": "1",
            "KUSTOM_CANCEL_TOKEN": "tok_fresh_through_the_proxy",
            "KUSTOM_TEST_CASE_LOG": str(cases),
        }
        run = quick_run(tmp_path, env, pytest_args=["-p", "tests.proxy.case_log"])
        output = proxy.stop()
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    found = json.loads(report.read_text())
    assert found["exchanges"] > 300  # the whole run went through
    assert found["upstream_failure_count"] == 0
    assert found["check_errors"] == 0
    assert found["by_side"].get("server", 0) == 0, found["violations"][:5]
    # Client faults: only where the run meant one.
    entries = json.loads(har.read_text())["log"]["entries"]
    calls = [json.loads(line) for line in cases.read_text().splitlines()]
    valid = {(c["id"], c["method"], c["body"], c["auth"]) for c in calls if c["mode"] == "positive"}
    assert len(valid) > 100
    seen = {request_key(entry) for entry in entries}
    assert len(valid & seen) > 0.9 * len(valid)  # the keys do find the run's calls
    # Every violation has its line (the report keeps the first ones whole).
    client = [line for line in LINE.finditer(output) if line["side"] == "client"]
    assert len(client) == found["by_side"]["client"] > 0  # the run breaks rules on purpose
    wrongly = [line[0] for line in client if request_key(entries[int(line["number"]) - 1]) in valid]
    assert wrongly == []
    assert all(400 <= int(line["status"]) < 500 for line in client)
    # Every answer reached the run as the mock sent it.
    sent, got = upstream_side.answers(), client_side.answers()
    assert len(sent) == found["exchanges"]
    assert Counter(got) == Counter(sent)
    # Offline, the same verdicts.
    offline = tmp_path / "offline.json"
    checked = subprocess.run(  # noqa: S603 (our interpreter and module)
        [sys.executable, "-m", "kustom_proxy.verify", str(har), "--report", str(offline)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        check=False,
    )
    assert checked.returncode == 1, checked.stderr
    again = json.loads(offline.read_text())
    for key in ("exchanges", "checked", "by_rule", "violations", "unchecked"):
        assert again[key] == found[key], key
    assert f"{found['exchanges']} exchanges" in output
