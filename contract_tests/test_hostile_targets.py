"""The contract run against targets that misbehave as real ones sometimes do (each on
127.0.0.1: contract_tests/hostile_servers.py, or the mock), with a live-looking key and tokens:
it writes no secret, in any form kustom_redact.forms_of lists, to any file under its reports
directory or to its output, and it ends within the bounds it prints with the documented exit
code: 1 for a target that answers wrongly, 2 and one line naming the target and what it did for
one that cannot be tested.

Each run is quick and filtered to the token read and the status change (``-k``), most through
pytest directly (kustom_contract.in_subprocess.quick_run), which skips the command's first probe.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from contract_tests import hostile_servers as servers
from kustom_contract.in_subprocess import quick_run
from kustom_contract.target import FRESH_PREFIX, MOCK_API_KEY, MOCK_USERNAME
from kustom_redact import forms_of
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT

pytestmark = pytest.mark.meta

KEY = f"kco_live_{secrets.token_hex(10)}"
USER = f"M-LIVE-{secrets.token_hex(3)}"
TOKEN = f"tok_live_{secrets.token_hex(10)}"
CANCEL = f"tok_live_{secrets.token_hex(10)}"
SECRET_FORMS = set().union(*(forms_of(s) for s in (KEY, f"{USER}:{KEY}", TOKEN, CANCEL)))
REQUEST_SECONDS, RUN_SECONDS = 2, 120
LIVE_ENV = {
    "KUSTOM_USERNAME": USER,
    "KUSTOM_API_KEY": KEY,
    "KUSTOM_CUSTOMER_TOKEN": TOKEN,
    "KUSTOM_ALLOW_CANCEL": "1",
    "KUSTOM_CANCEL_TOKEN": CANCEL,
    "KUSTOM_REQUEST_TIMEOUT": str(REQUEST_SECONDS),
    "KUSTOM_RUN_TIMEOUT": str(RUN_SECONDS),
}
BOUNDS_LINE = (
    f"at most {REQUEST_SECONDS} s per request (KUSTOM_REQUEST_TIMEOUT) and {RUN_SECONDS} s for "
    "the run (KUSTOM_RUN_TIMEOUT)"
)
# The generated cases of two operations; not the deliberate ones (test_provoked.py), whose body
# past the mock's limit the mock refuses before reading it, which the forwarding servers here
# cannot pass on (they close the connection, and the run stops on that first).
FILTER = ["-k", "(GET or PATCH) and not provoked"]


def base64_of(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# The live-looking credentials as the mock knows its test merchant's, for a server that forwards
# the run's requests to the mock: the run itself only ever holds the live-looking ones.
AS_THE_MOCKS = {
    KEY: MOCK_API_KEY,
    base64_of(f"{USER}:{KEY}"): base64_of(f"{MOCK_USERNAME}:{MOCK_API_KEY}"),
    TOKEN: "tok_active",
    CANCEL: f"{FRESH_PREFIX}{secrets.token_hex(6)}",
}


def as_the_mocks(text: str) -> str:
    for live, mock in AS_THE_MOCKS.items():
        text = text.replace(live, mock)
    return text


@dataclass(frozen=True)
class Finished:
    exit_code: int
    output: str
    seconds: float
    reports: Path

    def records(self) -> list[dict[str, object]]:
        found = sorted((self.reports / "contract-failures").glob("*.json"))
        return [json.loads(path.read_text()) for path in found]


def through_pytest(tmp_path: Path, base_url: str, env: dict[str, str] | None = None) -> Finished:
    reports = tmp_path / "reports"
    started = time.monotonic()
    result = quick_run(
        tmp_path,
        {**LIVE_ENV, **(env or {}), "KUSTOM_BASE_URL": base_url},
        [*FILTER, f"--junitxml={reports / 'contract-junit.xml'}"],
    )
    seconds = time.monotonic() - started
    return Finished(result.returncode, result.stdout + result.stderr, seconds, reports)


def through_the_command(tmp_path: Path, base_url: str) -> Finished:
    reports = tmp_path / "reports"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (the project's own script)
        [str(REPO_ROOT / "scripts" / "contract-test"), "--quick", *FILTER],
        env={**clean, **LIVE_ENV, "KUSTOM_BASE_URL": base_url, "KUSTOM_REPORTS_DIR": str(reports)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    return Finished(result.returncode, result.stdout + result.stderr, seconds, reports)


def assert_no_secret_written(run: Finished) -> None:
    written = {"the output": run.output.encode()}
    written |= {str(path): path.read_bytes() for path in run.reports.rglob("*") if path.is_file()}
    leaks = sorted(
        f"{where}: {form}"
        for where, data in written.items()
        for form in SECRET_FORMS
        if form.encode() in data
    )
    assert not leaks, leaks


def assert_stopped(run: Finished, did: str) -> None:
    """Exit 2 within the printed bounds, the one line naming the target and what it did."""
    assert run.exit_code == 2, run.output[-3000:]
    assert BOUNDS_LINE in run.output
    assert run.seconds < RUN_SECONDS
    stops = [line for line in run.output.splitlines() if "the contract run stops:" in line]
    assert stops, run.output[-3000:]
    assert did in stops[-1], stops
    summary = json.loads((run.reports / "contract-summary.json").read_text())
    assert did in summary["stopped"]
    assert_no_secret_written(run)


def assert_failed(run: Finished) -> None:
    """Exit 1 within the printed bounds, with failure records and the JUnit report."""
    assert run.exit_code == 1, run.output[-3000:]
    assert BOUNDS_LINE in run.output
    assert run.seconds < RUN_SECONDS
    assert run.records(), "no failure record was written"
    assert (run.reports / "contract-junit.xml").is_file()
    assert_no_secret_written(run)


def test_a_server_that_answers_500_to_everything(tmp_path: Path) -> None:
    with servers.hostile_server(servers.fixed(500)) as url:
        run = through_pytest(tmp_path, url)
    assert_failed(run)
    assert "ST101" in run.output  # not_a_server_error
    replays = " ".join(str(record["replay"]) for record in run.records())
    assert "$KUSTOM_CUSTOMER_TOKEN" in replays or "$KUSTOM_CANCEL_TOKEN" in replays


def test_a_server_that_echoes_the_request(tmp_path: Path) -> None:
    with servers.hostile_server(servers.echo) as url:
        run = through_pytest(tmp_path, url)
    assert_failed(run)
    echoed = " ".join(json.dumps(record["response"]) for record in run.records())
    # The echo carried the credentials and the token back; the record holds their references.
    assert "$KUSTOM_API_KEY" in echoed
    assert "$KUSTOM_CUSTOMER_TOKEN" in echoed or "$KUSTOM_CANCEL_TOKEN" in echoed


def test_the_mock_behind_a_wrong_path_prefix(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        run = through_pytest(tmp_path, f"{mock.base_url}/v2")
    assert_failed(run)
    # The mock's 404 names the path it was sent, token and all; the output names the reference.
    named = [line for line in run.output.splitlines() if "No such endpoint: /v2/" in line]
    assert named, run.output[-3000:]
    assert any(
        "/$KUSTOM_CUSTOMER_TOKEN" in line or "/$KUSTOM_CANCEL_TOKEN" in line for line in named
    )


@pytest.mark.parametrize(
    ("behaviour", "did"),
    [
        (
            servers.silent,
            f"did not send its status line and headers within {REQUEST_SECONDS} s of ",
        ),
        (
            servers.drip(0.2),
            f"did not send its status line and headers within {REQUEST_SECONDS} s of ",
        ),
        (servers.drip(0.2, head_at_once=True), f"the end of its body within {REQUEST_SECONDS} s"),
        (servers.garbage, "with something that is not HTTP ('what is HTTP?"),
    ],
    ids=["never answers", "drips", "drips its body", "answers garbage"],
)
def test_a_server_that_cannot_be_tested_stops_the_run(
    tmp_path: Path, behaviour: servers.Behaviour, did: str
) -> None:
    with servers.hostile_server(behaviour) as url:
        run = through_pytest(tmp_path, url)
    assert_stopped(run, did)
    assert f"the contract run stops: {url} " in run.output


def test_the_commands_probe_catches_a_silent_server_before_any_case(tmp_path: Path) -> None:
    with servers.hostile_server(servers.silent) as url:
        run = through_the_command(tmp_path, url)
    assert run.exit_code == 2, run.output[-3000:]
    assert run.output.strip().splitlines() == [
        f"scripts/contract-test: KUSTOM_BASE_URL {url} did not send its status line and headers "
        f"within {REQUEST_SECONDS} s of GET / (KUSTOM_REQUEST_TIMEOUT): check the server and the URL"
    ]
    assert_no_secret_written(run)


def test_a_server_that_stalls_in_the_middle_of_a_run(tmp_path: Path) -> None:
    """Through the command: its probe is answered, the run's cases are answered (by the mock)
    for a while, then nothing comes any more."""
    with running_mock(tmp_path / "db.sqlite3") as mock:
        forward = servers.forward(mock.base_url, as_the_mocks)
        with servers.hostile_server(servers.in_turn(*[forward] * 40, servers.silent)) as url:
            run = through_the_command(tmp_path, url)
    assert_stopped(run, f"did not send its status line and headers within {REQUEST_SECONDS} s")
    summary = json.loads((run.reports / "contract-summary.json").read_text())
    assert summary["cases"] > 0
    assert summary["statuses"].get("200", 0) > 0  # the run was under way


def test_a_run_past_its_whole_bound_stops(tmp_path: Path) -> None:
    """Every answer right but late: the run stops when its own bound is spent."""
    with running_mock(tmp_path / "db.sqlite3") as mock:
        late = servers.slow(0.2, servers.forward(mock.base_url, as_the_mocks))
        with servers.hostile_server(late) as url:
            run = through_pytest(tmp_path, url, {"KUSTOM_RUN_TIMEOUT": "3"})
    assert run.exit_code == 2, run.output[-3000:]
    assert "at most 2 s per request (KUSTOM_REQUEST_TIMEOUT) and 3 s for the run" in run.output
    assert f"the contract run stops: it spent its 3 s (KUSTOM_RUN_TIMEOUT) against {url}" in (
        run.output
    )
    assert_no_secret_written(run)
