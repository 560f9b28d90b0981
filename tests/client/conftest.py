"""Client tests run with no KUSTOM_* variables from the developer's shell, against a scripted
server, and record the client's waits instead of sleeping (so no test depends on timing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.http_doubles import ScriptedServer, scripted_server


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KUSTOM_API_KEY", "KUSTOM_USERNAME", "KUSTOM_BASE_URL", "KUSTOM_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as running:
        yield running


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay the clients wait between attempts, sync and async, without waiting."""
    recorded: list[float] = []

    def record(delay: float) -> None:
        recorded.append(delay)

    async def record_async(delay: float) -> None:
        recorded.append(delay)

    monkeypatch.setattr("kustom_client.client.sleep", record)
    monkeypatch.setattr("kustom_client.client.async_sleep", record_async)
    return recorded
