"""The contract run's pytest plugin, registered by contract_tests/conftest.py: its option, the
session fixture that builds the run (``contract_run``: the target listening, then one
ContractRun), the progress lines, the summary, and two plugins of its own: secrets out of every
report (report_redaction.py) and the end of a run whose target cannot be tested (stopping.py).

Its configuration is read once (kustom_contract.config.configured) and checked at start-up, so
that a wrong variable is pytest's usage error (exit 4) before anything is spawned or sent. What
the run builds lives on the session (``config.stash``), not in module globals.

``--mock-command "MODULE [FLAGS]"`` spawns ``python -m MODULE FLAGS`` instead of the project's
mock (kustom_contract/mock_command.py): a server built on it that takes scripts/mock's flags,
such as ``contract_tests.faulty_mock --fault NAME`` (how contract_tests/test_faults.py proves
that the run catches each fault). It cannot be combined with KUSTOM_BASE_URL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kustom_contract import mock_command, spread
from kustom_contract.config import RunConfig, configured
from kustom_contract.coverage import WORKER_RUN_ID, CoverageParts, merge, read_parts, write_part
from kustom_contract.coverage_report import CoverageReport
from kustom_contract.errors import SettingError
from kustom_contract.known_differences import KnownDifferences
from kustom_contract.redaction import RunRedaction, run_redaction
from kustom_contract.report_redaction import ReportRedaction
from kustom_contract.run import ContractRun
from kustom_contract.schema import run_schema
from kustom_contract.state import RunState
from kustom_contract.stats import POSITIVE_2XX_GOAL, Progress, RunStats
from kustom_contract.stopping import RunStopper
from kustom_contract.summary import Summary
from kustom_servers.mock_process import running_mock

OPTION = "--mock-command"


@dataclass(frozen=True)
class Setup:
    """What the plugin knows from start-up, before the run is built."""

    config: RunConfig
    redaction: RunRedaction
    mock_command: str | None
    stats: RunStats  # the stop line and the progress reach it before the run starts
    coverage: CoverageParts  # where this process writes its coverage, and whether it merges


SETUP = pytest.StashKey[Setup]()
RUN = pytest.StashKey[ContractRun]()
COVERAGE = pytest.StashKey[CoverageReport]()
PARTIAL = pytest.StashKey[bool]()  # some tests were deselected


def add_options(parser: pytest.Parser) -> None:
    """The option, added by the conftest (a plugin registered later is too late for it)."""
    parser.addoption(
        OPTION,
        default=None,
        metavar="MODULE [FLAGS]",
        help="spawn python -m MODULE FLAGS instead of the project's mock (not with "
        "KUSTOM_BASE_URL): a server built on it that takes scripts/mock's flags",
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        run_config = configured()
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None
    command = config.getoption(OPTION)
    if command and run_config.target.base_url is not None:
        # Otherwise one of the two would be ignored without a word.
        raise pytest.UsageError(
            "--mock-command spawns a mock, KUSTOM_BASE_URL names a running server: give one"
        )
    target = run_config.target.describe()
    if command:
        # Not the raw string: a flag may carry a secret (a --db URL's password).
        target += f" served by {mock_command.label(command)}"
    try:
        parts = CoverageParts.of(
            run_config.reports.coverage_parts, os.environ, getattr(config, "workerinput", None)
        )
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None
    setup = Setup(
        run_config, run_redaction(run_config.target), command, RunStats(target=target), parts
    )
    config.stash[SETUP] = setup
    config.pluginmanager.register(
        ReportRedaction(setup.redaction.report, Path(config.rootpath, "contract_tests")),
        "kustom-contract-redaction",
    )
    config.pluginmanager.register(
        RunStopper(
            lambda: config.stash[RUN],
            run_config.bounds,
            target,
            setup.redaction.report.text,
        ),
        "kustom-contract-stopping",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """The console redacted, and progress lines written to it, once pytest's terminal reporter
    is there (it is not yet when the plugins are configured)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    setup = session.config.stash[SETUP]
    redaction = session.config.pluginmanager.get_plugin("kustom-contract-redaction")
    assert isinstance(redaction, ReportRedaction)
    redaction.redact_console(session.config)
    # In a worker of a spread run, noted for the controller's lines (spread.py).
    worker = spread.beacon(session.config, setup.stats)
    progress = Progress(setup.stats, _console_line(session.config)) if worker is None else worker
    setup.stats.on_record = progress.tick


def _console_line(config: pytest.Config) -> Callable[[str], None]:
    """A line on the console, while a test runs too: pytest captures what a test writes, so the
    capture is suspended for it (as pytest's live logging does), and flushed at once (the
    console may be a pipe, read as the run goes)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    assert reporter is not None

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(line)
            config.get_terminal_writer().flush()

    return write


@pytest.fixture(scope="session")
def contract_run(pytestconfig: pytest.Config) -> Iterator[ContractRun]:
    """The run, against its target once it listens: KUSTOM_BASE_URL, or the mock spawned for
    the run (its port is known only then), which is stopped and its log kept afterwards."""
    setup = pytestconfig.stash[SETUP]
    config = setup.config
    where = spread.place(pytestconfig)  # a spread run's target is its controller's
    if where is not None:
        yield _started(pytestconfig, setup, where.base_url, where.folder)
        return
    if config.target.base_url is not None:
        yield _started(pytestconfig, setup, config.target.base_url)
        return
    module, flags = mock_command.parse(setup.mock_command)
    with tempfile.TemporaryDirectory(prefix="kustom-contract-") as tmp:
        db = Path(tmp) / "mock.sqlite3"
        with running_mock(db, flags, module=module) as mock:
            try:
                yield _started(pytestconfig, setup, mock.base_url)
            finally:
                config.reports.folder.mkdir(parents=True, exist_ok=True)
                config.reports.mock_log.write_text(
                    setup.redaction.report.text(mock.log()), encoding="utf-8"
                )


def _started(
    pytestconfig: pytest.Config, setup: Setup, base_url: str, shared: Path | None = None
) -> ContractRun:
    run = ContractRun.start(
        setup.config, run_schema(), setup.redaction, base_url, setup.stats, shared
    )
    progress = setup.stats.on_record
    if progress is not None:
        run.session.on_send = progress
    pytestconfig.stash[RUN] = run
    return run


@pytest.fixture(scope="session")
def rate_limited_base_url(pytestconfig: pytest.Config) -> Iterator[str]:
    """A second instance of the run's mock, started with a rate limit of 1 request per second
    (per merchant and operation), so that a 429 can be provoked without slowing the run's own
    instance; only against the spawned mock."""
    setup = pytestconfig.stash[SETUP]
    if not setup.config.target.is_mock:
        pytest.skip("the rate limit of a target other than the spawned mock is not spent")
    module, flags = mock_command.parse(setup.mock_command)
    with (
        tempfile.TemporaryDirectory(prefix="kustom-contract-limited-") as tmp,
        running_mock(
            Path(tmp) / "mock.sqlite3", [*flags, "--rate-limit", "1"], module=module
        ) as mock,
    ):
        yield mock.base_url


@pytest.fixture(scope="session")
def base_url(contract_run: ContractRun) -> str:
    """The run's target, listening (for the tests that send their own requests)."""
    return contract_run.base_url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = terminalreporter.config.stash.get(RUN, None)
    if run is None or spread.place(terminalreporter.config) is not None:
        return  # a spread run's summary is its controller's (spread.py)
    write_summary(terminalreporter, run.state, run.config, run.redaction)


def write_summary(
    terminalreporter: pytest.TerminalReporter,
    state: RunState,
    config: RunConfig,
    redaction: RunRedaction,
) -> None:
    summary = Summary.of(state, terminalreporter.config.stash.get(COVERAGE, None))
    if not summary.stats.total and summary.stats.stopped is None:
        return
    reports = config.reports
    terminalreporter.write_sep("=", "contract summary")
    terminalreporter.write_line(summary.render())
    summary.write(reports.summary, redaction.report)
    terminalreporter.write_line(f"  summary: {reports.summary}")
    if summary.coverage is not None:
        terminalreporter.write_line(f"  coverage: {reports.coverage}")
    if summary.stats.failures:
        terminalreporter.write_line(f"  failing requests and responses: {reports.failures}")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, if a run uses it: each worker writes its coverage into this run's folder."""
    node.workerinput[WORKER_RUN_ID] = node.config.stash[SETUP].coverage.run_id


def pytest_deselected(items: list[pytest.Item]) -> None:
    """A run filtered by -k or -m provokes only part of the answers: no coverage goal."""
    if items:
        items[0].config.stash[PARTIAL] = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """This process's coverage written as a part; then, in the process that ends the run (the
    only one, or the controller of several), every part merged into the coverage report. Against
    the mock the success path must be reached and, at the default depth or deeper, every answer
    it can give provoked: else the run fails (a spread run's success path: its controller's)."""
    config = session.config
    setup = config.stash.get(SETUP, None)
    if setup is None:
        return
    run = config.stash.get(RUN, None)
    if run is not None and not setup.config.dry:
        write_part(setup.coverage.folder, run.state.coverage)
    if not setup.coverage.merges:  # a worker: the process that started the run merges
        return
    _merged_coverage(session, setup, exitstatus)
    if run is None or exitstatus != 0 or setup.config.dry or spread.place(config):
        return
    if below_goal(run.state.stats, run.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def below_goal(stats: RunStats, config: RunConfig) -> bool:
    """Whether too few positive cases reached 2xx against the mock (a failure, then, named
    in the statistics)."""
    if stats.total and config.target.is_mock and stats.positive_2xx_share < POSITIVE_2XX_GOAL:
        stats.failures.append(
            f"only {stats.positive_2xx_share:.1%} of positive cases reached 2xx "
            f"(goal {POSITIVE_2XX_GOAL:.0%})"
        )
        return True
    return False


def _merged_coverage(session: pytest.Session, setup: Setup, exitstatus: int) -> None:
    run_config = setup.config
    parts = read_parts(setup.coverage.folder)
    shutil.rmtree(setup.coverage.folder, ignore_errors=True)  # merged: the report keeps it
    if not parts:
        return
    known = run_config.known_differences
    entries = KnownDifferences.load(known).entries if known is not None else ()
    report = CoverageReport.of(run_config.target, merge(parts), entries)
    report.write(run_config.reports.coverage, setup.redaction.report)
    session.config.stash[COVERAGE] = report
    failure = report.goal_missed(run_config, partial=session.config.stash.get(PARTIAL, False))
    if failure is not None and exitstatus == 0:
        setup.stats.failures.append(failure)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
