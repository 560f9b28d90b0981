"""Fixtures of the documentation tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kustom_servers.mock_process import running_mock
from tests.docs.examples import Example, run_against


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """The base URL of a mock (in-memory data) for the module's examples, standing in for
    http://127.0.0.1:4010 or the playground."""
    with running_mock() as mock:
        yield mock.base_url


@pytest.fixture
def run_on_the_mock(mock_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[Example], None]:
    """Runs a Python example as written against ``mock_url`` in place of the playground."""
    return lambda example: run_against(example, mock_url, monkeypatch)
