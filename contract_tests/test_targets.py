"""The same contract run passes against this project's mock started on its own, fails against
Prism's mock of the same spec (which accepts any credentials), stays under a target's rate
limit when told it, and says how far it has come while it runs."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from contract_tests import hostile_servers as servers
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_servers.mock_process import running_mock
from kustom_servers.prism import running_prism
from kustom_spec import REPO_ROOT, load_spec, read_names

SPEC = load_spec()
NAMES = read_names(SPEC)


@pytest.mark.meta
def test_passes_against_the_mock_started_on_its_own(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = quick_run(tmp_path, {"KUSTOM_BASE_URL": mock.base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"Contract run against {mock.base_url}" in output


@pytest.mark.meta
def test_fails_against_prism(tmp_path: Path) -> None:
    with running_prism() as base_url:
        result = quick_run(tmp_path, {"KUSTOM_BASE_URL": base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "ST401" in output, "Prism accepts any credentials: the run must say so"


# The mock's limit, per second, merchant and operation, and the run's: below it, a margin for
# the time between a request's leaving the run and its arriving at the mock.
MOCK_LIMIT, RUN_LIMIT = 15, "8/s"


@pytest.mark.meta
def test_a_run_against_a_rate_limited_server_stays_under_its_limit(tmp_path: Path) -> None:
    """The mock started with --rate-limit counts each merchant's requests to an operation in
    each second, and answers 429 past its limit: a run told a lower limit gets no 429, by the
    mock's count, whatever the machine's speed (only the token read, to keep it short). That
    the mock counts is shown after the run by reads sent one after another until one is
    refused: a cap on their number, not on their time."""
    read = SPEC.operation("readCustomerToken").path.replace("{customerToken}", "tok_active")
    with running_mock(tmp_path / "db.sqlite3", ["--rate-limit", str(MOCK_LIMIT)]) as mock:
        env = {**MOCK_AS_LIVE_ENV, "KUSTOM_BASE_URL": mock.base_url, "KUSTOM_RATE_LIMIT": RUN_LIMIT}
        polite = quick_run(tmp_path, env, ["-k", "GET"])
        auth = {"Authorization": f"{NAMES.auth_scheme} {MOCK_AS_LIVE_ENV['KUSTOM_API_KEY']}"}
        with httpx.Client(base_url=mock.base_url, headers=auth, timeout=30) as client:
            statuses = [client.get(read).status_code for _ in range(MOCK_LIMIT + 1)]
            while 429 not in statuses and len(statuses) < 20 * MOCK_LIMIT:
                statuses.append(client.get(read).status_code)
    assert polite.returncode == 0, (polite.stdout + polite.stderr)[-3000:]
    seen = json.loads((tmp_path / "reports" / "contract-summary.json").read_text())["statuses"]
    assert seen.get("200", 0) > 0
    assert "429" not in seen, seen
    assert 429 in statuses, "the mock never refused a read: its limit was not on"


@pytest.mark.meta
def test_a_long_run_prints_progress_at_least_every_ten_seconds(tmp_path: Path) -> None:
    """Through scripts/contract-test, against the mock behind a server that answers each
    request 0.05 s late, so that the quick run of the token read lasts over twenty seconds on
    any machine: a line naming the cases, the failures and the phase, by the run's own clock
    at most ten seconds and one request (KUSTOM_REQUEST_TIMEOUT=5, and a little for the case
    in between) apart."""
    with running_mock(tmp_path / "db.sqlite3") as mock:
        late = servers.slow(0.05, servers.forward(mock.base_url, lambda text: text))
        with servers.hostile_server(late) as url:
            clean = {k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}
            result = subprocess.run(  # noqa: S603 (the project's own script)
                [str(REPO_ROOT / "scripts" / "contract-test"), "--quick", "-k", "GET"],
                env={
                    **clean,
                    **MOCK_AS_LIVE_ENV,
                    "KUSTOM_BASE_URL": url,
                    "KUSTOM_REQUEST_TIMEOUT": "5",
                    "KUSTOM_REPORTS_DIR": str(tmp_path / "reports"),
                },
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("progress: ")]
    shape = re.compile(
        r"progress: (\d+) cases, 0 failures, (examples|coverage|fuzzing|stateful) "
        r"\(readCustomerToken\), \d+ cases/s, after (\d+) s"
    )
    found = [shape.fullmatch(line) for line in lines]
    assert len(found) >= 2, lines
    assert all(found), lines
    cases = [int(match[1]) for match in found if match]
    after = [int(match[3]) for match in found if match]
    assert cases == sorted(cases)
    assert after[0] <= 18, lines  # the first after ten seconds of the session
    gaps = [later - earlier for earlier, later in itertools.pairwise(after)]
    assert all(9 <= gap <= 18 for gap in gaps), lines  # whole seconds, rounded
