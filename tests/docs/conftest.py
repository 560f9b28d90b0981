"""Fixtures of the documentation tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kustom_devtools.mock_process import running_mock


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """The base URL of a mock (in-memory data) for the module's examples, standing in for
    http://127.0.0.1:4010 or the playground."""
    with running_mock() as mock:
        yield mock.base_url
