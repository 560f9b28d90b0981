"""The contract run's target, schema and summary.

Target: the project's mock, spawned on a free loopback port with a fresh database (default),
or the server KUSTOM_BASE_URL names (src/kustom_devtools/target.py). Depth: KUSTOM_CONTRACT_DEPTH
= quick | default | deep. KUSTOM_CONTRACT_FAULT (tests only) spawns the mock with one fault
injected (contract_tests/faults.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from schemathesis.schemas import BaseSchema

from contract_tests import checks, extra_requests, hooks
from contract_tests.auth import BothForms, Credentials
from contract_tests.contract_limits import without_contract_limits
from contract_tests.stats import POSITIVE_2XX_GOAL, STATS, Progress
from kustom_devtools.mock_process import running_mock
from kustom_devtools.target import Target, TargetError, target_from_env
from kustom_spec import REPO_ROOT, load_spec

REPORTS = Path(os.environ.get("KUSTOM_REPORTS_DIR", REPO_ROOT / "reports"))
FAILURES_DIR = REPORTS / "contract-failures"
DEPTHS = {"quick": 150, "default": 700, "deep": 4000}  # fuzzing cases per operation


def depth() -> str:
    value = os.environ.get("KUSTOM_CONTRACT_DEPTH", "default")
    if value not in DEPTHS:
        raise pytest.UsageError(
            f"KUSTOM_CONTRACT_DEPTH must be one of {sorted(DEPTHS)}, not {value!r}"
        )
    return value


def _target() -> Target:
    try:
        return target_from_env()
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None


def build_schema(target: Target) -> BaseSchema:
    """The spec as Schemathesis tests it against ``target``: the contract's own limits only
    against the project's mock, status changes only where cancelling is allowed, politely
    rate-limited against any other server."""
    document = load_spec().document
    if not target.is_mock:
        document = without_contract_limits(document)
    schema: BaseSchema = schemathesis.openapi.from_dict(document)
    if not target.can_cancel:
        schema = schema.exclude(operation_id="patchCustomerToken")
        schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    if target.rate_limit is not None:
        schema.config.update(rate_limit=target.rate_limit)
    schema.config.generation.update(max_examples=DEPTHS[depth()])

    class RunCredentials(BothForms):
        def __init__(self) -> None:
            super().__init__(Credentials(target.username, target.api_key))

    schema.auth(refresh_interval=None)(RunCredentials)
    return schema


# Credentials and depth are bound when pytest builds the test from the schema (at collection),
# so they are set here; only the base URL waits for the mock to be listening.
TARGET = _target()
SCHEMA = build_schema(TARGET)
hooks.configure(TARGET)
try:
    extra_requests.configure(TARGET)
except ValueError as exc:
    raise pytest.UsageError(str(exc)) from None
_ = checks  # registers the run's own checks with Schemathesis


@pytest.fixture(scope="session")
def contract_target() -> Iterator[tuple[Target, str]]:
    target = TARGET
    STATS.target = target.describe()
    if target.base_url is not None:
        yield target, target.base_url
        return
    fault = os.environ.get("KUSTOM_CONTRACT_FAULT")
    module = "contract_tests.faults" if fault else "kustom_mock"
    extra = ["--fault", fault] if fault else []
    with tempfile.TemporaryDirectory(prefix="kustom-contract-") as tmp:
        db = Path(tmp) / "mock.sqlite3"
        with running_mock(db, extra, module=module) as mock:
            if fault:
                STATS.target += f" with fault {fault!r}"
            try:
                yield target, mock.base_url
            finally:
                REPORTS.mkdir(parents=True, exist_ok=True)
                (REPORTS / "contract-mock.log").write_text(mock.log(), encoding="utf-8")


@pytest.fixture(scope="session")
def api_schema(contract_target: tuple[Target, str]) -> str:
    """The target's base URL, once it is listening."""
    _, base_url = contract_target
    SCHEMA.config.update(base_url=base_url)
    return base_url


def pytest_configure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        STATS.on_record = Progress(STATS, reporter.write_line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.total:
        return
    STATS.checks = checks.CHECK_COUNTS
    ledger = extra_requests.LEDGER
    STATS.orders_placed = ledger.orders_placed
    STATS.extra_order_requests = ledger.extra_order_requests
    STATS.order_budget = ledger.budget
    terminalreporter.write_sep("=", "contract summary")
    terminalreporter.write_line(STATS.render())
    STATS.write(REPORTS / "contract-summary.json")
    terminalreporter.write_line(f"  summary: {REPORTS / 'contract-summary.json'}")
    if STATS.failures:
        terminalreporter.write_line(f"  failing requests and responses: {FAILURES_DIR}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Against the mock the success path must be reached: below the goal, the run fails."""
    if not STATS.total or exitstatus != 0 or os.environ.get("KUSTOM_CONTRACT_DRY") == "1":
        return
    if (
        STATS.target.startswith("the project's mock")
        and STATS.positive_2xx_share < POSITIVE_2XX_GOAL
    ):
        STATS.failures.append(
            f"only {STATS.positive_2xx_share:.1%} of positive cases reached 2xx "
            f"(goal {POSITIVE_2XX_GOAL:.0%})"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
