"""How the contract run ends when its target cannot be tested: a request past its bound, an
answer that is not HTTP, a dropped connection (``TargetStopped``, from the run's session,
kustom_devtools/contract_transport.py), or the whole run past its bound (``DeadlinePassed``,
kustom_devtools/contract_watchdog.py). Either ends the pytest session at once with exit 2 and
one line naming the target and what it did, instead of failing each remaining case.

The run's bound is spent only while a test of the run executes (one that uses the ``base_url``
fixture): a run inside a longer session (scripts/test) is not charged for the other tests.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import pytest

from kustom_devtools.contract_settings import Bounds
from kustom_devtools.contract_transport import TargetStopped
from kustom_devtools.contract_watchdog import DeadlinePassed, RunClock


def is_run_test(item: pytest.Item) -> bool:
    return "base_url" in getattr(item, "fixturenames", ())


class RunStopper:
    """The pytest plugin: registered by contract_tests/conftest.py with the run's clock."""

    def __init__(
        self,
        clock: RunClock,
        bounds: Bounds,
        target: str,
        redact: Callable[[str], str],
        on_stop: Callable[[str], None],
    ) -> None:
        self.clock = clock
        self.bounds = bounds
        self.target = target
        self.redact = redact
        self.on_stop = on_stop

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and any(is_run_test(item) for item in session.items):
            reporter.write_line(f"contract run against {self.target}: {self.bounds.describe()}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        if not is_run_test(item):
            return (yield)
        try:
            with self.clock.running():
                return (yield)
        except TargetStopped as stopped:
            line = stopped.stop.line()
        except DeadlinePassed as passed:
            if passed.name != self.clock.NAME:
                raise
            line = (
                f"the contract run stops: it spent its {self.clock.seconds:g} s "
                f"(KUSTOM_RUN_TIMEOUT) against {self.target}"
            )
        line = self.redact(line)
        self.on_stop(line)
        pytest.exit(line, returncode=pytest.ExitCode.INTERRUPTED)
