"""pytest's hooks for the whole repository: the groups of pytest-xdist for scripts/test
(``-n auto --dist loadgroup``). Each test file is a group, handed whole to one worker, so that
its module's fixtures (a wheel built, a PostgreSQL server, Chromium) are built once, not once
per worker; the contract run's tests, over several files, are one group: they share one run
and the mock its session fixture spawns (kustom_contract/plugin.py); the tests of the tests
(``meta``) are in none."""

from __future__ import annotations

import pytest

from kustom_contract.stopping import is_run_test

RUN_GROUP = "contract-run"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the tests' ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.has_plugin("xdist"):
        return
    for item in items:
        if is_run_test(item):
            item.add_marker(pytest.mark.xdist_group(RUN_GROUP))
        elif item.get_closest_marker("meta") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        # A test of the tests (marked meta) is a whole run in a subprocess with no fixture of
        # its file's: each goes to whichever worker is free, or one file of them would be
        # the suite's long tail.
