"""A merchant's clock (POST /_mock/clock): idempotency keys, tok_flaky's attempts and orders
expire sooner by it, for that merchant only, and its bounds; and the reset (POST /_mock/reset):
one merchant back to the fixtures, the other untouched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.controls import MAX_CLOCK_OFFSET
from tests.mock.helpers import (
    AUTH_A,
    AUTH_B,
    MINIMAL_ORDER,
    CheckedClient,
    assert_error_shape,
    checked_client,
)

DAY = 24 * 3600


def advance(client: CheckedClient, seconds: float, auth: tuple[str, str] = AUTH_A) -> Any:
    answer = client.post("/_mock/clock", json={"advance_seconds": seconds}, auth=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()["offset_seconds"]


def offset(client: CheckedClient, auth: tuple[str, str] = AUTH_A) -> Any:
    return client.get("/_mock/clock", auth=auth).json()["offset_seconds"]


def orders(client: CheckedClient, auth: tuple[str, str] = AUTH_A) -> list[Any]:
    return list(client.get("/_mock/orders", auth=auth).json()["orders"])


def test_a_key_is_forgotten_past_the_window_on_the_merchants_clock(client: CheckedClient) -> None:
    first = client.create(key="renewal").json()["order_id"]
    assert advance(client, DAY - 10) == DAY - 10
    assert client.create(key="renewal").headers["Idempotent-Replayed"] == "true"
    assert advance(client, 11) == DAY + 1
    assert offset(client) == DAY + 1
    second = client.create(key="renewal")
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["order_id"] != first
    # The first order is past the window too, on this merchant's clock: no longer listed.
    assert [o["order_id"] for o in orders(client)] == [second.json()["order_id"]]


def test_other_merchants_time_does_not_move(client: CheckedClient) -> None:
    b_first = client.create("tok_merchant_b", key="same", auth=AUTH_B).json()["order_id"]
    advance(client, 2 * DAY)
    assert offset(client, AUTH_B) == 0
    b_again = client.create("tok_merchant_b", key="same", auth=AUTH_B)
    assert b_again.headers["Idempotent-Replayed"] == "true"
    assert b_again.json()["order_id"] == b_first


def test_order_times_are_on_the_merchants_clock(client: CheckedClient) -> None:
    client.create()
    [before] = orders(client)
    advance(client, 3600)
    client.create()
    newest, placed = orders(client)
    assert placed == before  # the same moment, on the merchant's clock
    late = datetime.fromisoformat(newest["created_at"]) - datetime.fromisoformat(
        placed["created_at"]
    )
    assert late.total_seconds() >= 3600


def test_tok_flakys_first_attempt_expires_with_the_clock(client: CheckedClient) -> None:
    assert client.create("tok_flaky", key="flaky").status_code == 503
    assert client.create("tok_flaky", key="flaky").status_code == 200
    advance(client, DAY + 1)
    assert client.create("tok_flaky", key="flaky").status_code == 503  # a first attempt again


def test_a_retention_of_an_hour_follows_the_clock_too() -> None:
    config = MockConfig(store=StoreConfig(retention_seconds=3600))
    for client in checked_client(create_app(config)):
        client.create(key="k")
        advance(client, 3601)
        assert "Idempotent-Replayed" not in client.create(key="k").headers


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance_seconds": 0},
        {"advance_seconds": -5},
        {"advance_seconds": "60"},
        {"advance_seconds": True},
        {"advance_seconds": None},
        {"advance_seconds": 3650 * DAY + 1},
        {"advance_seconds": 60, "rewind": True},
    ],
)
def test_a_bad_advance_is_refused(client: CheckedClient, body: dict[str, Any]) -> None:
    refused = client.post("/_mock/clock", json=body, auth=AUTH_A)
    assert refused.status_code == 400
    assert assert_error_shape(refused)["error_code"] == "BAD_VALUE"
    assert offset(client) == 0


def test_the_clock_stops_a_hundred_years_ahead(client: CheckedClient) -> None:
    for _ in range(10):
        advance(client, 3650 * DAY)
    assert offset(client) == MAX_CLOCK_OFFSET
    refused = client.post("/_mock/clock", json={"advance_seconds": 1}, auth=AUTH_A)
    assert refused.status_code == 400
    assert assert_error_shape(refused)["error_messages"] == ["Bad value: advance_seconds"]
    client.create()  # the mock still answers, its time printable
    assert orders(client)[0]["created_at"].startswith(str(datetime.now().year + 100))


def test_a_reset_puts_one_merchant_back_to_the_fixtures(client: CheckedClient) -> None:
    client.create(key="k-reset")
    assert client.cancel("tok_active").status_code == 202
    client.read("tok_fresh_gone")
    fault = {"operation": "readCustomerToken", "kind": "reset", "customer_token": "tok_card"}
    assert client.post("/_mock/faults", json=fault, auth=AUTH_A).status_code == 201
    advance(client, 60)
    assert client.create("tok_flaky", key="f").status_code == 503
    b_order = client.create("tok_merchant_b", body=MINIMAL_ORDER, key="k-b", auth=AUTH_B).json()
    client.cancel("tok_fresh_of_b", auth=AUTH_B)
    fault_b = {
        "operation": "readCustomerToken",
        "kind": "reset",
        "customer_token": "tok_merchant_b",
    }
    assert client.post("/_mock/faults", json=fault_b, auth=AUTH_B).status_code == 201
    advance(client, 30, AUTH_B)

    reset = client.post("/_mock/reset", auth=AUTH_A)
    assert reset.status_code == 204
    assert reset.content == b""

    assert orders(client) == []
    assert client.get("/_mock/faults", auth=AUTH_A).json() == {"faults": []}
    assert offset(client) == 0
    states = {
        t["customer_token"]: t["status"]
        for t in client.get("/_mock/tokens", auth=AUTH_A).json()["tokens"]
    }
    assert states["tok_active"] == "ACTIVE"
    assert states["tok_suspended"] == "SUSPENDED"  # its fixture status
    assert states["tok_cancelled"] == "CANCELLED"
    assert "tok_fresh_gone" not in states
    assert client.read("tok_active").json()["status"] == "ACTIVE"
    assert "Idempotent-Replayed" not in client.create(key="k-reset").headers
    assert client.create("tok_flaky", key="f").status_code == 503  # a first attempt again
    # Merchant B's data is untouched.
    assert [o["order_id"] for o in orders(client, AUTH_B)] == [b_order["order_id"]]
    replay = client.create("tok_merchant_b", body=MINIMAL_ORDER, key="k-b", auth=AUTH_B)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert client.read("tok_fresh_of_b", auth=AUTH_B).json()["status"] == "CANCELLED"
    assert len(client.get("/_mock/faults", auth=AUTH_B).json()["faults"]) == 1
    assert offset(client, AUTH_B) == 30


def test_a_fresh_token_forgotten_by_a_reset_can_be_anyones(client: CheckedClient) -> None:
    client.read("tok_fresh_shared")
    assert client.read("tok_fresh_shared", auth=AUTH_B).status_code == 403
    client.post("/_mock/reset", auth=AUTH_A)
    assert client.read("tok_fresh_shared", auth=AUTH_B).status_code == 200
