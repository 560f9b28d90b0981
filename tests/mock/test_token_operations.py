"""The token read and status change: state per token, fresh tokens, owners, idempotency."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.tokens import FRESH_TOKEN
from tests.mock.helpers import AUTH_B, RAW_A, TOKEN_PATH, CheckedClient, checked_client


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("tok_active", {"payment_method_type": "INVOICE", "status": "ACTIVE"}),
        (
            "tok_card",
            {
                "payment_method_type": "CARD",
                "status": "ACTIVE",
                "card": {
                    "brand": "VISA",
                    "expiry_date": "12/2030",
                    "masked_number": "************1111",
                },
            },
        ),
        ("tok_suspended", {"payment_method_type": "INVOICE", "status": "SUSPENDED"}),
        ("tok_cancelled", {"payment_method_type": "INVOICE", "status": "CANCELLED"}),
    ],
)
def test_reads_answer_from_the_fixtures(
    client: CheckedClient, token: str, expected: dict[str, object]
) -> None:
    response = client.read(token)
    assert response.status_code == 200
    assert response.json() == expected


def test_a_direct_debit_token_reads_its_account(client: CheckedClient) -> None:
    body = client.read("tok_merchant_b", auth=AUTH_B).json()
    assert body == {
        "payment_method_type": "DIRECT_DEBIT",
        "status": "ACTIVE",
        "direct_debit": {"masked_number": "**********124"},
    }


def test_unknown_tokens_are_404_not_found(client: CheckedClient) -> None:
    for token in (
        "tok_unknown",
        "TOK_ACTIVE",
        "tok_fresh_",
        "tok_fresh_" + "x" * 65,
        "tok_fresh_a.b",
    ):
        response = client.read(token)
        assert response.status_code == 404, token
        assert response.json()["error_code"] == "NOT_FOUND"
        assert response.json()["error_messages"] == ["Invalid customer-token ID"]
        assert client.cancel(token).status_code == 404


def test_cancel_sticks_reads_cancelled_and_orders_are_refused(client: CheckedClient) -> None:
    token = "tok_fresh_sticks"
    assert client.read(token).json()["status"] == "ACTIVE"
    assert client.create(token).status_code == 200
    cancelled = client.cancel(token)
    assert cancelled.status_code == 202
    assert cancelled.content == b""
    assert "content-type" not in cancelled.headers
    assert client.read(token).json()["status"] == "CANCELLED"
    refused = client.create(token)
    assert refused.status_code == 403
    assert refused.json()["error_code"] == "TOKEN_CANCELED"
    assert client.app.store.token_status(token) == "CANCELLED"


def test_a_second_cancel_is_accepted_and_changes_nothing(client: CheckedClient) -> None:
    assert client.cancel("tok_fresh_twice").status_code == 202
    assert client.cancel("tok_fresh_twice").status_code == 202
    assert client.cancel("tok_cancelled").status_code == 202
    assert client.read("tok_fresh_twice").json()["status"] == "CANCELLED"


def test_a_suspended_token_can_be_cancelled(client: CheckedClient) -> None:
    assert client.cancel("tok_suspended").status_code == 202
    assert client.read("tok_suspended").json()["status"] == "CANCELLED"
    assert client.create("tok_suspended").json()["error_code"] == "TOKEN_CANCELED"


@pytest.mark.parametrize(
    "body",
    [{"status": "ACTIVE"}, {"status": "cancelled"}, {"status": None}, {}, {"state": "CANCELLED"}],
)
def test_any_other_status_is_400_bad_value(client: CheckedClient, body: object) -> None:
    response = client.cancel("tok_fresh_bad", body=body)
    assert response.status_code == 400
    assert response.json()["error_code"] == "BAD_VALUE"
    assert response.json()["error_messages"] == ["Bad value: status"]
    assert client.read("tok_fresh_bad").json()["status"] == "ACTIVE"


def test_another_merchants_token_is_not_readable_or_cancellable(client: CheckedClient) -> None:
    for response in (client.read("tok_merchant_b"), client.cancel("tok_merchant_b")):
        assert response.status_code == 403
        assert response.json()["error_code"] == "TOKEN_FORBIDDEN"
    assert client.read("tok_merchant_b", auth=AUTH_B).json()["status"] == "ACTIVE"


def test_a_fresh_token_belongs_to_its_first_merchant(client: CheckedClient) -> None:
    assert client.read("tok_fresh_owned", auth=AUTH_B).status_code == 200
    assert client.read("tok_fresh_owned").json()["error_code"] == "TOKEN_FORBIDDEN"
    assert client.cancel("tok_fresh_owned").json()["error_code"] == "TOKEN_FORBIDDEN"
    assert client.create("tok_fresh_owned").json()["error_code"] == "TOKEN_CANCELED"
    assert client.read("tok_fresh_owned", auth=AUTH_B).json()["status"] == "ACTIVE"


def test_the_fresh_family_is_as_documented() -> None:
    assert FRESH_TOKEN.fullmatch("tok_fresh_" + "a" * 64)
    assert FRESH_TOKEN.fullmatch("tok_fresh_A-z_0")
    for bad in ("tok_fresh_", "tok_fresh_" + "a" * 65, "tok_fresh_a/b", "tok_fresh_é"):
        assert not FRESH_TOKEN.fullmatch(bad)
    page = (Path(__file__).parents[2] / "docs" / "mock.md").read_text()
    assert "tok_fresh_<suffix>" in page
    assert re.search(r"1 to 64 letters, digits, `_` or `-`", page)


def test_a_fresh_cards_details_are_stable_per_name(client: CheckedClient) -> None:
    first = client.read("tok_fresh_card").json()
    assert first["card"]["brand"] == "VISA"
    assert re.fullmatch(r"\*{12}\d{4}", first["card"]["masked_number"])
    assert client.read("tok_fresh_card").json() == first


def test_a_cancel_is_replayed_under_its_key_and_conflicts_otherwise(client: CheckedClient) -> None:
    first = client.cancel("tok_fresh_key", key="c-1")
    again = client.cancel("tok_fresh_key", key="c-1")
    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Klarna-Correlation-Id"] == first.headers["Klarna-Correlation-Id"]
    other_token = client.cancel("tok_fresh_other", key="c-1")
    assert other_token.status_code == 409
    assert client.read("tok_fresh_other").json()["status"] == "ACTIVE"  # not run
    order_same_key = client.create(key="c-1")
    assert order_same_key.status_code == 409  # a key names one request, whatever operation
    assert client.cancel("tok_fresh_key", key="c-1", auth=AUTH_B).status_code == 403  # per merchant


def test_cancels_and_states_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "m.sqlite3")
    for client in checked_client(create_app(MockConfig(store=StoreConfig(db)))):
        assert client.cancel("tok_active").status_code == 202
        assert client.cancel("tok_fresh_kept").status_code == 202
        client.app.store.close()
    for client in checked_client(create_app(MockConfig(store=StoreConfig(db)))):
        assert client.read("tok_active").json()["status"] == "CANCELLED"
        assert client.read("tok_fresh_kept").json()["status"] == "CANCELLED"
        assert client.create("tok_active").json()["error_code"] == "TOKEN_CANCELED"
        client.app.store.close()
    for client in checked_client(create_app(MockConfig(store=StoreConfig(db, reset=True)))):
        assert client.read("tok_active").json()["status"] == "ACTIVE"
        assert client.read("tok_fresh_kept").json()["status"] == "ACTIVE"  # a new first use
        assert client.app.store.orders() == []
        client.app.store.close()


def test_two_apps_on_one_database_see_each_others_cancels(tmp_path: Path) -> None:
    config = MockConfig(store=StoreConfig(str(tmp_path / "shared.sqlite3")))
    first, second = create_app(config), create_app(config)
    for one in checked_client(first):
        for two in checked_client(second):
            assert one.read("tok_fresh_shared").json()["status"] == "ACTIVE"
            assert two.cancel("tok_fresh_shared").status_code == 202
            assert one.read("tok_fresh_shared").json()["status"] == "CANCELLED"
            assert one.create("tok_fresh_shared").json()["error_code"] == "TOKEN_CANCELED"


def test_reads_take_no_body_and_the_raw_key(client: CheckedClient) -> None:
    response = client.get(TOKEN_PATH.format("tok_card"), headers=RAW_A)
    assert response.status_code == 200
    assert MockConfig().rate_limit is None
