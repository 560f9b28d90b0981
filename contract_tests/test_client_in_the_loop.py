"""The generated client in the loop: valid orders built with its models, sent with it to the
mock, and the parsed answers checked against what the mock's test data promises."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kustom_customer_token_client import Client
from kustom_customer_token_client.api.customer_token import create_order
from kustom_customer_token_client.models import (
    AuthorizedPaymentMethod,
    OrderLine,
    OrderLineType,
    OrderRequest,
    OrderResponse,
)

from kustom_contract.target import MOCK_API_KEY, MOCK_APPROVING_TOKENS, MOCK_USERNAME
from kustom_mock.fixtures import load_fixtures
from kustom_mock.store import Store
from kustom_rules import check_order, expected_line_tax, expected_line_total
from kustom_servers.mock_process import running_mock
from kustom_spec import load_spec

TOKENS = load_fixtures(None, load_spec()).tokens


@dataclass(frozen=True)
class ClientOfTheMock:
    """The generated client, signed in to a mock of the module's own, and that mock's database
    (to find the orders it stored)."""

    client: Client
    db: Path


@pytest.fixture(scope="module")
def client_of_the_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientOfTheMock]:
    db = tmp_path_factory.mktemp("client-loop") / "mock.sqlite3"
    with running_mock(db) as running:
        auth = httpx.BasicAuth(MOCK_USERNAME, MOCK_API_KEY)
        with Client(base_url=running.base_url, httpx_args={"auth": auth}) as client:
            yield ClientOfTheMock(client, db)


@st.composite
def order_lines(draw: st.DrawFn) -> OrderLine:
    quantity = draw(st.integers(0, 50))
    unit_price = draw(st.integers(0, 2_000_000))
    discount = draw(st.integers(0, quantity * unit_price))
    tax_rate = draw(st.sampled_from([0, 600, 1200, 2000, 2500]))
    total = expected_line_total(quantity, unit_price, discount)
    return OrderLine(
        name=draw(
            st.text(
                st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                min_size=1,
                max_size=40,
            )
        ),
        quantity=quantity,
        unit_price=unit_price,
        total_amount=total,
        total_discount_amount=discount,
        tax_rate=tax_rate,
        total_tax_amount=expected_line_tax(total, tax_rate),
        type_=draw(st.sampled_from(list(OrderLineType))),
    )


@st.composite
def orders(draw: st.DrawFn) -> OrderRequest:
    lines = draw(st.lists(order_lines(), min_size=1, max_size=12))
    return OrderRequest(
        order_amount=sum(line.total_amount for line in lines),
        order_lines=lines,
        purchase_currency=draw(st.sampled_from(["EUR", "GBP", "SEK", "USD"])),
        order_tax_amount=sum(
            line.total_tax_amount for line in lines if isinstance(line.total_tax_amount, int)
        ),
        merchant_reference1=draw(
            st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=20)
        ),
    )


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(order=orders(), token=st.sampled_from(MOCK_APPROVING_TOKENS))
def test_valid_orders_built_with_the_models_are_created(
    client_of_the_mock: ClientOfTheMock, order: OrderRequest, token: str
) -> None:
    client, db = client_of_the_mock.client, client_of_the_mock.db
    body = order.to_dict()
    assert check_order(body) == []
    key = str(uuid.uuid4())
    response = create_order.sync_detailed(
        token, client=client, body=order, klarna_idempotency_key=key
    )
    assert response.status_code == 200, response.content[:500]
    parsed = response.parsed
    assert isinstance(parsed, OrderResponse)
    assert parsed.fraud_status == TOKENS[token].profile.fraud_status
    assert isinstance(parsed.authorized_payment_method, AuthorizedPaymentMethod)
    assert parsed.authorized_payment_method.to_dict() == TOKENS[token].profile.payment_method
    store = Store(db)
    try:
        stored = [o for o in store.orders() if o["idempotency_key"] == key]
    finally:
        store.close()
    assert [o["order_id"] for o in stored] == [parsed.order_id]
    again = create_order.sync(token, client=client, body=order, klarna_idempotency_key=key)
    assert isinstance(again, OrderResponse)
    assert again.order_id == parsed.order_id
