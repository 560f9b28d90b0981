from __future__ import annotations

from collections.abc import Iterator

import pytest

from kustom_mock import MockApp, create_app
from kustom_servers.postgres import PostgresServer
from tests.mock.helpers import CheckedClient, checked_client, postgres_or_skip


@pytest.fixture
def app() -> MockApp:
    return create_app()


@pytest.fixture
def client(app: MockApp) -> Iterator[CheckedClient]:
    yield from checked_client(app)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session."""
    yield from postgres_or_skip()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh database on the session's server."""
    return postgres.new_database()
