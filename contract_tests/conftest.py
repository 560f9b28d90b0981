"""The contract run's pytest plugin (kustom_contract/plugin.py), registered for the tests of
this folder: its option has to come from a conftest of the folder pytest starts in."""

from __future__ import annotations

import pytest

import kustom_contract.plugin as plugin


def pytest_addoption(parser: pytest.Parser) -> None:
    plugin.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(plugin, "kustom-contract")
