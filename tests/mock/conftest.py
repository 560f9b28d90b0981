from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kustom_mock import MockApp, create_app
from kustom_servers.postgres import PostgresServer, PostgresUnavailable, running_postgres
from tests.mock.helpers import CheckedClient, checked_client


@pytest.fixture
def app() -> MockApp:
    return create_app()


@pytest.fixture
def client(app: MockApp) -> Iterator[CheckedClient]:
    yield from checked_client(app)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (installed first when missing and root). Without
    the package or root the tests that need it skip, except in CI, where they must run."""
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}")
        pytest.skip(f"no PostgreSQL server here: {exc}")


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh database on the session's server."""
    return postgres.new_database()
