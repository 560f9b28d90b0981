from __future__ import annotations

from collections.abc import Iterator

import pytest

from kustom_mock import MockApp, create_app
from tests.mock.helpers import CheckedClient, checked_client


@pytest.fixture
def app() -> MockApp:
    return create_app()


@pytest.fixture
def client(app: MockApp) -> Iterator[CheckedClient]:
    yield from checked_client(app)
