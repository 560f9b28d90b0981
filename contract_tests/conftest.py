"""Fixtures and hooks of the contract run: the target as a running server, the progress lines
and the summary, and two plugins built with the run's state: secrets out of every report
(contract_tests/report_redaction.py) and the end of a run whose target cannot be tested
(contract_tests/stopping.py). Its configuration is contract_tests/run.py.

``--mock-command "MODULE [FLAGS]"`` spawns ``python -m MODULE FLAGS`` instead of the project's
mock (contract_tests/mock_command.py): a server built on it that takes scripts/mock's flags,
such as ``contract_tests.faulty_mock --fault NAME`` (how contract_tests/test_faults.py proves
that the run catches each fault). It cannot be combined with KUSTOM_BASE_URL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests import checks, extra_requests, mock_command
from contract_tests.report_redaction import ReportRedaction
from contract_tests.run import BOUNDS, CLOCK, FAILURES_DIR, REDACTION, REPORTS, TARGET
from contract_tests.stats import POSITIVE_2XX_GOAL, STATS, Progress
from contract_tests.stopping import RunStopper
from kustom_devtools.mock_process import running_mock


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mock-command",
        default=None,
        metavar="MODULE [FLAGS]",
        help="spawn python -m MODULE FLAGS instead of the project's mock (not with "
        "KUSTOM_BASE_URL): a server built on it that takes scripts/mock's flags",
    )


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> Iterator[str]:
    """The base URL of the run's target once it is listening: KUSTOM_BASE_URL, or the mock
    spawned for the run (the port is known only then)."""
    STATS.target = TARGET.describe()
    if TARGET.base_url is not None:
        yield TARGET.base_url
        return
    command = pytestconfig.getoption("--mock-command")
    module, flags = mock_command.parse(command)
    with tempfile.TemporaryDirectory(prefix="kustom-contract-") as tmp:
        db = Path(tmp) / "mock.sqlite3"
        with running_mock(db, flags, module=module) as mock:
            if command:
                # Not the raw string: a flag may carry a secret (a --db URL's password).
                STATS.target += f" served by {mock_command.label(command)}"
            try:
                yield mock.base_url
            finally:
                REPORTS.mkdir(parents=True, exist_ok=True)
                (REPORTS / "contract-mock.log").write_text(
                    REDACTION.report.text(mock.log()), encoding="utf-8"
                )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--mock-command") and TARGET.base_url is not None:
        # Otherwise one of the two would be ignored without a word.
        raise pytest.UsageError(
            "--mock-command spawns a mock, KUSTOM_BASE_URL names a running server: give one"
        )
    redaction = ReportRedaction(REDACTION.report, Path(__file__).parent)
    config.pluginmanager.register(redaction, "kustom-contract-redaction")
    stopper = RunStopper(CLOCK, BOUNDS, TARGET.describe(), REDACTION.report.text, STATS.stop)
    config.pluginmanager.register(stopper, "kustom-contract-stopping")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        redaction.redact_console(config)
        STATS.on_record = Progress(STATS, reporter.write_line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.total and STATS.stopped is None:
        return
    STATS.checks = checks.CHECK_COUNTS
    ledger = extra_requests.LEDGER
    STATS.orders_placed = ledger.orders_placed
    STATS.extra_order_requests = ledger.extra_order_requests
    STATS.order_budget = ledger.budget
    terminalreporter.write_sep("=", "contract summary")
    terminalreporter.write_line(STATS.render())
    STATS.write(REPORTS / "contract-summary.json", REDACTION.report)
    terminalreporter.write_line(f"  summary: {REPORTS / 'contract-summary.json'}")
    if STATS.failures:
        terminalreporter.write_line(f"  failing requests and responses: {FAILURES_DIR}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Against the mock the success path must be reached: below the goal, the run fails."""
    if not STATS.total or exitstatus != 0 or os.environ.get("KUSTOM_CONTRACT_DRY") == "1":
        return
    if TARGET.is_mock and STATS.positive_2xx_share < POSITIVE_2XX_GOAL:
        STATS.failures.append(
            f"only {STATS.positive_2xx_share:.1%} of positive cases reached 2xx "
            f"(goal {POSITIVE_2XX_GOAL:.0%})"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
