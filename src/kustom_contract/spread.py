"""The contract run spread over several processes (RunConfig.processes), by pytest-xdist:
scripts/contract-test runs pytest with ``-n N -p kustom_contract.spread`` (kustom_contract/
command.py). Registered in the controller and in each worker; in the controller it

- spawns the one target of the run (the mock; or takes KUSTOM_BASE_URL) and makes the folder
  the workers share (their tally, history and rate limit: kustom_contract/state.py), both
  handed to each worker (``workerinput``), so that the workers test one server as one run;
- prints the progress lines from what each worker notes in the tally (a worker's console is
  not shown), at least every PROGRESS_SECONDS;
- sums the workers' statistics (``workeroutput``) into the one summary, and fails a run whose
  positive cases did not reach the goal, as the serial run does.

The fuzzing cases are split into one share per process (kustom_contract/shards.py). Without
xdist (``-p no:xdist``, ``-n 0``) it does nothing: the run is serial.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kustom_conformance import Conformance, History
from kustom_contract import mock_command
from kustom_contract.config import RunConfig, configured
from kustom_contract.state import Ledger, RunState, SharedTally, Tally
from kustom_contract.stats import Progress, RunStats
from kustom_servers.mock_process import running_mock

PLACE = "kustom_contract_place"  # the key of workerinput: the run's target and shared folder
STATS = "kustom_contract_stats"  # the key of workeroutput: a worker's statistics
NOTE = "progress:"  # the prefix of the workers' progress notes in the tally
NOTE_SECONDS = 1.0  # how stale a worker's note may be


@dataclass(frozen=True)
class Place:
    """Where a worker's run goes: its target, listening, and the folder of the run's state."""

    base_url: str
    folder: Path


def place(config: pytest.Config) -> Place | None:
    """This worker's place in a spread run; None in a serial run (or in the controller)."""
    given = getattr(config, "workerinput", {}).get(PLACE)
    return None if given is None else Place(given["base_url"], Path(given["folder"]))


class Beacon:
    """A worker's progress: its cases, failures and phase noted in the run's tally at most
    every NOTE_SECONDS, for the controller's lines."""

    def __init__(self, stats: RunStats, tally: Tally, worker: str) -> None:
        self.stats = stats
        self.tally = tally
        self.name = NOTE + worker
        self.last = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.last < NOTE_SECONDS:
            return
        self.last = now
        note = {
            "total": self.stats.total,
            "failed": self.stats.failed,
            "phase": self.stats.phase,
            "started": self.stats.started,  # CLOCK_MONOTONIC: one clock for the machine
            "at": now,
        }
        self.tally.note(self.name, json.dumps(note))


class RunView:
    """The run as its workers noted it, what the controller's progress lines read: their cases
    and failures summed, the phase of the latest case noted, and the run's start, the first
    worker's (before a worker has started its run, there is nothing to report)."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.started = 0.0
        self.total = self.failed = 0
        self.phase = ""

    def refresh(self) -> bool:
        """Read the notes again; False while none has come."""
        notes = [json.loads(text) for text in self.tally.notes(NOTE).values()]
        if not notes:
            return False
        self.started = min(note["started"] for note in notes)
        self.total = sum(note["total"] for note in notes)
        self.failed = sum(note["failed"] for note in notes)
        self.phase = max(notes, key=lambda note: note["at"])["phase"]
        return True


def beacon(config: pytest.Config, stats: RunStats) -> Beacon | None:
    """A worker's Beacon in a spread run (None elsewhere)."""
    where = place(config)
    if where is None:
        return None
    return Beacon(stats, SharedTally(where.folder), config.workerinput["workerid"])  # type: ignore[attr-defined]


class Controller:
    """The controller's part of a spread run (the plugin registered in the controller only)."""

    def __init__(self, config: pytest.Config, run: RunConfig) -> None:
        self.config = config
        self.run = run
        self.stack = ExitStack()
        self.folder = Path(tempfile.mkdtemp(prefix="kustom-contract-run-"))
        self.stack.callback(shutil.rmtree, self.folder, ignore_errors=True)
        self.base_url = ""
        self.stats = RunStats()
        self.history_judged: dict[str, int] = {}
        self.stop_progress = threading.Event()
        self.bounds_told = False
        self.merged: set[str] = set()  # the workers whose statistics are summed

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """The target listening before xdist starts the workers (its own sessionstart)."""
        from kustom_contract.plugin import SETUP  # the plugin registers this class

        setup = self.config.stash[SETUP]
        # The run's statistics are the set-up's, so that what the plugin adds at the end (the
        # coverage goal missed) is in the summary; the workers' are summed into them.
        self.stats = setup.stats
        self.redaction = setup.redaction
        if self.run.target.base_url is not None:
            self.base_url = self.run.target.base_url
        else:
            module, flags = mock_command.parse(setup.mock_command)
            mock = self.stack.enter_context(
                running_mock(self.folder / "mock.sqlite3", flags, module=module)
            )
            self.base_url = mock.base_url
            self.stack.callback(self._keep_log, mock)
        if self.config.pluginmanager.get_plugin("terminalreporter") is not None:
            thread = threading.Thread(target=self._progress, daemon=True)
            thread.start()
            self.stack.callback(thread.join)
            self.stack.callback(self.stop_progress.set)

    def _keep_log(self, mock: Any) -> None:
        self.run.reports.folder.mkdir(parents=True, exist_ok=True)
        self.run.reports.mock_log.write_text(
            self.redaction.report.text(mock.log()), encoding="utf-8"
        )

    def _progress(self) -> None:
        """Ticks the lines from the workers' notes; a line at least every PROGRESS_SECONDS
        while they run. Its own connection: SQLite's are not shared between threads."""
        view = RunView(SharedTally(self.folder))
        progress = Progress(view, self._line)
        while not self.stop_progress.wait(NOTE_SECONDS):
            if view.refresh():
                progress.tick()

    def _line(self, text: str) -> None:
        """A line of its own, also in the middle of xdist's row of dots."""
        writer = self.config.get_terminal_writer()
        if writer.width_of_current_line:
            writer.line()
        writer.line(text)
        writer.flush()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[PLACE] = {"base_url": self.base_url, "folder": str(self.folder)}

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """The run's bounds, once, as the serial run prints them (stopping.py)."""
        if not self.bounds_told:
            self.bounds_told = True
            self._line(f"contract run against {self.stats.target}: {self.run.bounds.describe()}")

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        # Called twice for a worker that stopped the run (xdist takes its exit for an
        # interruption): counted once.
        parts = getattr(node, "workeroutput", {}).get(STATS)
        worker = node.workerinput["workerid"]
        if parts is not None and worker not in self.merged:
            self.merged.add(worker)
            self.stats.add_parts(parts["stats"])
            for rule, n in parts["judged"].items():
                self.history_judged[rule] = self.history_judged.get(rule, 0) + n

    def state(self) -> RunState:
        """The run's state as a whole: the summed statistics, the shared ledger."""
        tally = SharedTally(self.folder)
        history = History(Conformance(contract_limits=self.run.target.is_mock))
        history.judged.update(self.history_judged)
        return RunState(self.stats, Ledger(self.run.order_budget, tally), history, tally)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        from kustom_contract.plugin import write_summary

        self.stop_progress.set()
        write_summary(terminalreporter, self.state(), self.run, self.redaction)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        from kustom_contract.plugin import below_goal

        if exitstatus == 0 and not self.run.dry and below_goal(self.stats, self.run):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_unconfigure(self) -> None:
        self.stack.close()


def pytest_configure(config: pytest.Config) -> None:
    """The controller's part, when xdist spreads the run (the workers are its own plugins')."""
    if hasattr(config, "workerinput") or not config.pluginmanager.has_plugin("xdist"):
        return
    if getattr(config.option, "numprocesses", None) and config.option.dist != "no":
        config.pluginmanager.register(Controller(config, configured()), "kustom-contract-spread")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker's statistics, handed to the controller."""
    from kustom_contract.plugin import RUN

    workeroutput = getattr(session.config, "workeroutput", None)
    run = session.config.stash.get(RUN, None)
    if workeroutput is None or run is None:
        return
    workeroutput[STATS] = {
        "stats": run.state.stats.parts(),
        "judged": dict(run.state.history.judged),
    }
