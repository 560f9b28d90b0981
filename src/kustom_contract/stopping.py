"""How the contract run ends when its target cannot be tested: a request past its bound, an
answer that is not HTTP, a dropped connection (``TargetStopped``, from the run's session,
kustom_contract/transport.py), or the whole run past its bound (``DeadlinePassed``,
kustom_contract/watchdog.py). Either ends the pytest session at once with exit 2 and one line
naming the target and what it did, instead of failing each remaining case.

The run's bound is spent only while a test of the run executes (one that uses the
``contract_run`` fixture): a run inside a longer session (scripts/test) is not charged for the
other tests.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import pytest

from kustom_contract.config import Bounds
from kustom_contract.run import ContractRun
from kustom_contract.transport import TargetStopped
from kustom_contract.watchdog import DeadlinePassed, RunClock

RUN_FIXTURE = "contract_run"


def is_run_test(item: pytest.Item) -> bool:
    return RUN_FIXTURE in getattr(item, "fixturenames", ())


class RunStopper:
    """The pytest plugin: registered by the run's plugin (kustom_contract/plugin.py) with a way
    to the run, which its session fixture builds before the first test of the run calls."""

    def __init__(
        self,
        run: Callable[[], ContractRun],
        bounds: Bounds,
        target: str,
        redact: Callable[[str], str],
    ) -> None:
        self.run = run
        self.bounds = bounds
        self.target = target
        self.redact = redact

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and any(is_run_test(item) for item in session.items):
            reporter.write_line(f"contract run against {self.target}: {self.bounds.describe()}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        if not is_run_test(item):
            return (yield)
        run = self.run()
        clock = run.clock
        try:
            with clock.running():
                return (yield)
        except TargetStopped as stopped:
            line = stopped.stop.line()
        except DeadlinePassed as passed:
            if passed.name != RunClock.NAME:
                raise
            line = (
                f"the contract run stops: it spent its {clock.seconds:g} s "
                f"(KUSTOM_RUN_TIMEOUT) against {self.target}"
            )
        line = self.redact(line)
        run.state.stats.stop(line)
        pytest.exit(line, returncode=pytest.ExitCode.INTERRUPTED)
