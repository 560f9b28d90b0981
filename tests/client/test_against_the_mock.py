"""The client layer against the mock: sync over a real socket, async in process.

What goes over the wire in detail (headers, retries, waits) is tested against a scripted
server in the other files; here the mock's own behaviour answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kustom_customer_token_client.models import FraudStatus, OrderRequest

from kustom_client import (
    AsyncKustomClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    KustomClient,
    KustomError,
    OrderValidationError,
    PaymentMethodFailedError,
    ServiceUnavailableError,
    TokenCanceledError,
    TokenNotFoundError,
    TokenSuspendedError,
    UnavailablePaymentMethodError,
    build_order,
    build_order_line,
)
from kustom_devtools.mock_process import RunningMock, running_mock
from kustom_mock import create_app
from kustom_mock.store import Store
from tests.client.helpers import KEY_A, USERNAME_A
from tests.mock.helpers import FULL_ORDER


def order() -> OrderRequest:
    return build_order(
        [build_order_line("Running shoe", quantity=1, unit_price=2500, tax_rate=2500)],
        purchase_currency="EUR",
    )


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningMock, Path]]:
    db = tmp_path_factory.mktemp("client") / "mock.sqlite3"
    with running_mock(db) as running:
        yield running, db


@pytest.fixture
def client(mock: tuple[RunningMock, Path]) -> Iterator[KustomClient]:
    with KustomClient(KEY_A, username=USERNAME_A, base_url=mock[0].base_url) as kustom:
        yield kustom


def orders_with_key(db: Path, key: str) -> list[dict[str, Any]]:
    store = Store(db)
    try:
        return [o for o in store.orders() if o["idempotency_key"] == key]
    finally:
        store.close()


def test_create_order(client: KustomClient, mock: tuple[RunningMock, Path]) -> None:
    created = client.create_order("tok_pending", order(), idempotency_key="k-create")
    assert created.fraud_status == FraudStatus.PENDING
    assert [o["order_id"] for o in orders_with_key(mock[1], "k-create")] == [created.order_id]


def test_a_plain_dict_order(client: KustomClient) -> None:
    created = client.create_order("tok_card", FULL_ORDER)
    assert created.authorized_payment_method.to_dict() == {"type": "card"}  # type: ignore[union-attr]


def test_a_replay_says_so(client: KustomClient, mock: tuple[RunningMock, Path]) -> None:
    first = client.create_order("tok_active", order(), idempotency_key="k-replay")
    again = client.create_order("tok_active", order(), idempotency_key="k-replay")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.order_id == first.order_id
    assert again.correlation_id == first.correlation_id  # the first response, byte for byte
    assert len(orders_with_key(mock[1], "k-replay")) == 1


@pytest.mark.parametrize(
    ("token", "currency", "error"),
    [
        ("tok_suspended", "EUR", TokenSuspendedError),
        ("tok_cancelled", "EUR", TokenCanceledError),
        ("tok_merchant_b", "EUR", TokenCanceledError),
        ("tok_declined", "EUR", PaymentMethodFailedError),
        ("tok_eur_only", "GBP", UnavailablePaymentMethodError),
        ("tok_nobody", "EUR", TokenNotFoundError),
    ],
)
def test_typed_errors(
    client: KustomClient, token: str, currency: str, error: type[KustomError]
) -> None:
    body = order().to_dict() | {"purchase_currency": currency}
    with pytest.raises(error) as raised:
        client.create_order(token, body)
    assert raised.value.correlation_id  # type: ignore[attr-defined]
    assert raised.value.error_messages  # type: ignore[attr-defined]


def test_wrong_credentials(mock: tuple[RunningMock, Path]) -> None:
    with (
        KustomClient("not-a-key", base_url=mock[0].base_url) as kustom,
        pytest.raises(AuthenticationError) as raised,
    ):
        kustom.create_order("tok_active", order())
    assert "not-a-key" not in str(raised.value)
    assert "not-a-key" not in repr(raised.value)
    assert "not-a-key" not in repr(kustom)


def test_bad_request_from_the_server(client: KustomClient) -> None:
    body = order().to_dict() | {"purchase_currency": "EURO"}
    with pytest.raises(BadRequestError) as raised:
        client.create_order("tok_active", body)
    assert raised.value.error_messages == ["Bad value: purchase_currency"]


def test_checks_before_sending_match_the_servers(client: KustomClient) -> None:
    broken = order().to_dict()
    broken["order_lines"][0]["total_amount"] += 1
    broken["order_amount"] += 1
    with pytest.raises(OrderValidationError) as local:
        client.create_order("tok_active", broken)
    client.check_orders = False
    with pytest.raises(BadRequestError) as remote:
        client.create_order("tok_active", broken)
    assert local.value.error_messages == remote.value.error_messages
    assert local.value.error_messages == ["Bad value: order_lines[0].total_amount"]


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("line", "total_discount_amount", "100"),
        ("line", "total_tax_amount", [1]),
        ("line", "quantity", "2"),
        ("line", "total_amount", None),
        ("order", "attachment", {"content_type": "application/json", "body": 7}),
        ("order", "shipping_address", "Main Street 1"),
        ("order", "order_tax_amount", "0"),
    ],
)
def test_an_ill_shaped_order_is_left_to_the_server(
    client: KustomClient, where: str, field: str, value: object
) -> None:
    """The checks before sending skip what the schema forbids; the 400 names the field."""
    body = order().to_dict()
    (body["order_lines"][0] if where == "line" else body)[field] = value
    with pytest.raises(BadRequestError) as raised:
        client.create_order("tok_active", body)
    prefix = "order_lines[0]." if where == "line" else ""
    named = [m for m in raised.value.error_messages if m.startswith(f"Bad value: {prefix}{field}")]
    assert named, raised.value.error_messages


def test_flaky_recovers_by_retry_with_exactly_one_order(
    client: KustomClient, mock: tuple[RunningMock, Path]
) -> None:
    created = client.create_order("tok_flaky", order(), idempotency_key="k-flaky")
    assert created.order_id
    assert len(orders_with_key(mock[1], "k-flaky")) == 1


def test_flaky_generates_one_key_for_all_retries(
    client: KustomClient, mock: tuple[RunningMock, Path]
) -> None:
    created = client.create_order("tok_flaky", order())
    store = Store(mock[1])
    try:
        matching = [o for o in store.orders() if o["order_id"] == created.order_id]
    finally:
        store.close()
    assert len(matching) == 1
    key = matching[0]["idempotency_key"]
    assert key
    assert len(orders_with_key(mock[1], key)) == 1


def test_without_retries_the_503_is_raised(client: KustomClient) -> None:
    with pytest.raises(ServiceUnavailableError):
        client.create_order("tok_flaky", order(), max_retries=0)


def test_conflict_is_raised_with_the_key(client: KustomClient) -> None:
    client.create_order("tok_active", order(), idempotency_key="k-conflict")
    other = order().to_dict() | {"merchant_reference1": "other"}
    with pytest.raises(ConflictError) as raised:
        client.create_order("tok_active", other, idempotency_key="k-conflict")
    assert raised.value.idempotency_key == "k-conflict"
    assert raised.value.error_code == "IDEMPOTENCY_KEY_CONFLICT"


def test_async_client_in_process() -> None:
    app = create_app()

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncKustomClient(
            KEY_A,
            username=USERNAME_A,
            base_url="http://mock",
            http_client=httpx.AsyncClient(transport=transport),
        ) as kustom:
            created = await kustom.create_order("tok_active", order(), idempotency_key="k-async")
            again = await kustom.create_order("tok_active", order(), idempotency_key="k-async")
            assert again.order_id == created.order_id
            assert again.replayed
            flaky = await kustom.create_order("tok_flaky", order())
            assert flaky.order_id
            with pytest.raises(TokenSuspendedError):
                await kustom.create_order("tok_suspended", order())
            with pytest.raises(OrderValidationError):
                await kustom.create_order("tok_active", order().to_dict() | {"order_amount": 1})

    asyncio.run(scenario())
    assert len(app.store.orders()) == 2
