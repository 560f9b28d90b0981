"""Klarna-Idempotency-Key: replay, conflict, scope, retention, concurrency and restarts."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx

from kustom_mock import MockConfig, StoreConfig, create_app
from tests.mock.helpers import (
    AUTH_A,
    AUTH_B,
    FULL_ORDER,
    MINIMAL_ORDER,
    PATH,
    CheckedClient,
    assert_conforms,
    checked_client,
    order,
)


def test_same_key_same_request_replays_the_first_response(client: CheckedClient) -> None:
    first = client.create(key="k-1")
    again = client.create(key="k-1")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Klarna-Correlation-Id"] == first.headers["Klarna-Correlation-Id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(client.app.store.orders()) == 1


def test_replay_ignores_formatting_and_key_order(client: CheckedClient) -> None:
    import json

    first = client.create(key="k-fmt")
    reordered = json.dumps(dict(reversed(list(FULL_ORDER.items()))), indent=2)
    again = client.create(key="k-fmt", content=reordered)
    assert again.content == first.content


def test_errors_after_the_key_is_claimed_are_replayed_too(client: CheckedClient) -> None:
    first = client.create("tok_suspended", key="k-403")
    again = client.create("tok_suspended", key="k-403")
    assert first.status_code == 403
    assert again.content == first.content


def test_same_key_different_body_is_a_conflict(client: CheckedClient) -> None:
    assert client.create(key="k-2").status_code == 200
    response = client.create(body=MINIMAL_ORDER, key="k-2")
    assert response.status_code == 409
    assert response.json()["error_code"] == "IDEMPOTENCY_KEY_CONFLICT"
    assert len(client.app.store.orders()) == 1


def test_same_key_different_token_is_a_conflict(client: CheckedClient) -> None:
    assert client.create("tok_active", key="k-3").status_code == 200
    assert client.create("tok_card", key="k-3").status_code == 409


def test_keys_are_scoped_per_merchant(client: CheckedClient) -> None:
    a = client.create("tok_active", key="shared", auth=AUTH_A)
    b = client.create("tok_merchant_b", key="shared", auth=AUTH_B)
    assert a.status_code == b.status_code == 200
    assert a.json()["order_id"] != b.json()["order_id"]
    assert len(client.app.store.orders()) == 2


def test_without_a_key_every_request_is_a_new_order(client: CheckedClient) -> None:
    ids = {client.create().json()["order_id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_rejected_body_does_not_claim_the_key(client: CheckedClient) -> None:
    bad = order(order_amount=1)
    assert client.create(body=bad, key="k-4").status_code == 400
    assert client.create(key="k-4").status_code == 200


def test_5xx_is_not_stored(client: CheckedClient) -> None:
    assert client.create("tok_flaky", key="k-5").status_code == 503
    assert client.create("tok_flaky", key="k-5").status_code == 200


def test_retention_window(tmp_path: Path) -> None:
    now = [1_000_000.0]
    app = create_app(MockConfig(store=StoreConfig(retention_seconds=3600)), clock=lambda: now[0])
    for client in checked_client(app):
        first = client.create(key="k-old")
        now[0] += 3599
        assert client.create(key="k-old").content == first.content
        now[0] += 2
        fresh = client.create(key="k-old")
        assert fresh.status_code == 200
        assert fresh.json()["order_id"] != first.json()["order_id"]
        assert len(app.store.orders()) == 2
        assert app.store.purge(3600) == 0  # the fresh record is kept
        now[0] += 3601
        assert app.store.purge(3600) == 1


def test_records_survive_a_restart(tmp_path: Path) -> None:
    config = MockConfig(store=StoreConfig(str(tmp_path / "mock.sqlite3")))
    for client in checked_client(create_app(config)):
        first = client.create(key="k-restart")
    for client in checked_client(create_app(config)):
        again = client.create(key="k-restart")
        assert again.content == first.content
        assert len(client.app.store.orders()) == 1


def test_concurrent_requests_under_one_key_make_one_order(client: CheckedClient) -> None:
    async def burst() -> list[httpx.Response]:
        results: list[httpx.Response] = []

        async def one() -> None:
            results.append(
                await client.async_client.post(
                    PATH.format("tok_active"),
                    json=FULL_ORDER,
                    auth=AUTH_A,
                    headers={"Klarna-Idempotency-Key": "k-burst"},
                )
            )

        async with anyio.create_task_group() as group:
            for _ in range(64):
                group.start_soon(one)
        return results

    responses = client.portal.call(burst)
    assert len(responses) == 64
    for response in responses:
        assert_conforms(response)
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(client.app.store.orders()) == 1


def test_replay_of_an_order_with_a_huge_extra_integer(client: CheckedClient) -> None:
    """An extra property may hold an integer past 64 bits; the request is still fingerprinted."""
    body = order(extra_reference=2**70)
    first = client.create(body=body, key="k-big")
    again = client.create(body=body, key="k-big")
    assert first.status_code == 200
    assert again.content == first.content
    assert client.create(body=order(extra_reference=2**70 + 1), key="k-big").status_code == 409
