"""Every default test token answers as docs/mock.md documents."""

from __future__ import annotations

import uuid

import pytest

from tests.mock.helpers import AUTH_B, CheckedClient, order


@pytest.mark.parametrize(
    ("token", "fraud_status", "method"),
    [
        ("tok_active", "ACCEPTED", {"type": "invoice", "number_of_days": 14}),
        ("tok_card", "ACCEPTED", {"type": "card"}),
        ("tok_pending", "PENDING", {"type": "invoice", "number_of_days": 30}),
    ],
)
def test_tokens_that_place_orders(
    client: CheckedClient, token: str, fraud_status: str, method: dict[str, object]
) -> None:
    response = client.create(token)
    assert response.status_code == 200
    body = response.json()
    assert body["fraud_status"] == fraud_status
    assert body["authorized_payment_method"] == method
    assert uuid.UUID(body["order_id"]).version == 4
    assert body["redirect_url"].startswith("https://")
    assert [o["order_id"] for o in client.app.store.orders()] == [body["order_id"]]


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        ("tok_suspended", 403, "TOKEN_SUSPENDED"),
        ("tok_cancelled", 403, "TOKEN_CANCELED"),
        ("tok_merchant_b", 403, "TOKEN_CANCELED"),
        ("tok_declined", 403, "PAYMENT_METHOD_FAILED"),
        ("tok_unknown", 404, "TOKEN_NOT_FOUND"),
        ("..%2F..%2Fetc%2Fpasswd", 404, "TOKEN_NOT_FOUND"),
        ("tok_active' OR '1'='1", 404, "TOKEN_NOT_FOUND"),
        ("tok_active%00", 404, "TOKEN_NOT_FOUND"),
        ("TOK_ACTIVE", 404, "TOKEN_NOT_FOUND"),
    ],
)
def test_tokens_that_are_refused(client: CheckedClient, token: str, status: int, code: str) -> None:
    response = client.create(token)
    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert client.app.store.orders() == []


def test_merchant_b_can_use_its_own_token(client: CheckedClient) -> None:
    response = client.create("tok_merchant_b", auth=AUTH_B)
    assert response.status_code == 200
    assert response.json()["authorized_payment_method"]["type"] == "direct_debit"
    assert client.create("tok_active", auth=AUTH_B).json()["error_code"] == "TOKEN_CANCELED"


def test_declined_carries_the_payment_method(client: CheckedClient) -> None:
    body = client.create("tok_declined").json()
    assert body["authorized_payment_method"] == {"type": "card"}
    assert body["reason"]


@pytest.mark.parametrize(
    ("currency", "status"), [("EUR", 200), ("eur", 200), ("GBP", 403), ("USD", 403)]
)
def test_eur_only(client: CheckedClient, currency: str, status: int) -> None:
    response = client.create("tok_eur_only", body=order(purchase_currency=currency))
    assert response.status_code == status
    if status == 403:
        assert response.json()["error_code"] == "UNAVAILABLE_PAYMENT_METHOD"


def test_flaky_fails_first_then_recovers_under_the_same_key(client: CheckedClient) -> None:
    first = client.create("tok_flaky", key="retry-me")
    assert first.status_code == 503
    assert first.json()["error_code"] == "SERVICE_UNAVAILABLE"
    second = client.create("tok_flaky", key="retry-me")
    assert second.status_code == 200
    third = client.create("tok_flaky", key="retry-me")
    assert third.content == second.content
    assert len(client.app.store.orders()) == 1
    assert client.create("tok_flaky", key="another-key").status_code == 503


def test_flaky_without_a_key_always_fails(client: CheckedClient) -> None:
    assert [client.create("tok_flaky").status_code for _ in range(3)] == [503, 503, 503]
    assert client.app.store.orders() == []


def test_every_order_id_is_unique(client: CheckedClient) -> None:
    ids = {client.create().json()["order_id"] for _ in range(20)}
    assert len(ids) == 20
    assert len(client.app.store.orders()) == 20
