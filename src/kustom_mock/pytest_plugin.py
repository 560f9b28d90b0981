"""The mock's pytest plugin, registered by its wheel (entry point ``pytest11``; install
``kustom-mock[pytest]``): the ``kustom_mock`` fixture (docs/mock.md, "In your tests").

One mock per test session (per xdist worker), started as a process on a free port on
127.0.0.1 (kustom_mock.testing says why a process) with the flags of the ``kustom_mock_args``
ini option; before each test every merchant of its fixtures is reset, so each test starts from
the fixtures whatever the one before it did. pytest imports this module in every run where the
wheel is installed, so the mock itself is imported only when a test asks for the fixture; and
importing kustom_mock imports none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kustom_mock.testing import KustomMock, MockProcess


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kustom_mock_args",
        type="args",
        default=[],
        help="flags for the mock the kustom_mock fixture starts (kustom-mock --help), e.g. "
        "--rate-limit 50 or --fixtures tests/merchants.yaml",
    )


@pytest.fixture(scope="session")
def kustom_mock_process(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MockProcess]:
    """The session's mock, as a process (its log in ``log_path``)."""
    from kustom_mock.testing import MockProcess

    args = pytestconfig.getini("kustom_mock_args")
    with MockProcess.start(args, tmp_path_factory.mktemp("kustom-mock")) as process:
        yield process


@pytest.fixture
def kustom_mock(kustom_mock_process: MockProcess) -> KustomMock:
    """The session's mock, every merchant reset to the fixtures: ``base_url``, the first
    merchant's ``api_key``, ``username`` and ``merchant_id``, its test controls as methods, and
    the other merchants by ``merchant(id)``."""
    mock = kustom_mock_process.mock
    mock.reset_all()
    return mock
