"""The client layer against the mock: sync over a real socket, async in process."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kustom_customer_token_client.models import FraudStatus, OrderRequest

from kustom_client import (
    APIConnectionError,
    APITimeoutError,
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
from tests.canned_server import CannedServer, canned_server
from tests.mock.helpers import FULL_ORDER

KEY_A = "kco_test_api_merchant_a"


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
    with KustomClient(KEY_A, username="M-TEST-A-4f2c", base_url=mock[0].base_url) as kustom:
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


def test_a_plain_dict_order_and_the_key_alone(mock: tuple[RunningMock, Path]) -> None:
    with KustomClient(KEY_A, base_url=mock[0].base_url) as kustom:
        created = kustom.create_order("tok_card", FULL_ORDER)
    assert created.authorized_payment_method.to_dict() == {"type": "card"}  # type: ignore[union-attr]


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


def test_conflict_after_retries(client: KustomClient) -> None:
    client.create_order("tok_active", order(), idempotency_key="k-conflict")
    other = order().to_dict() | {"merchant_reference1": "other"}
    with pytest.raises(ConflictError):
        client.create_order("tok_active", other, idempotency_key="k-conflict", max_retries=1)


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    with canned_server() as server:
        yield server


OK = {"order_id": "o-1", "redirect_url": "https://x", "fraud_status": "ACCEPTED"}


def test_retry_after_and_one_key_on_every_attempt(canned: CannedServer) -> None:
    canned.then(
        429,
        {"error_code": "RATE_LIMITED", "error_messages": ["slow down"]},
        {"retry-after-ms": "20"},
    )
    canned.then(502, "bad gateway")
    canned.answer(200, OK)
    with KustomClient(KEY_A, base_url=canned.base_url) as kustom:
        assert kustom.create_order("tok_active", order()).order_id == "o-1"
    keys = {r.headers["Klarna-Idempotency-Key"] for r in canned.requests}
    assert len(canned.requests) == 3
    assert len(keys) == 1


def test_no_retry_on_a_client_error(canned: CannedServer) -> None:
    canned.answer(
        400, {"error_code": "BAD_VALUE", "error_messages": ["Bad value: x"], "correlation_id": "c"}
    )
    with KustomClient(KEY_A, base_url=canned.base_url) as kustom, pytest.raises(BadRequestError):
        kustom.create_order("tok_active", order())
    assert len(canned.requests) == 1


def test_timeouts_are_retried_then_raised(canned: CannedServer) -> None:
    for _ in range(3):
        canned.then(200, OK, delay=0.5)
    with (
        KustomClient(KEY_A, base_url=canned.base_url, max_retries=1) as kustom,
        pytest.raises(APITimeoutError),
    ):
        kustom.create_order("tok_active", order(), timeout=0.1)
    assert len(canned.requests) == 2


def test_a_per_call_timeout_that_suffices(canned: CannedServer) -> None:
    canned.then(200, OK, delay=0.2)
    with KustomClient(KEY_A, base_url=canned.base_url, timeout=0.05, max_retries=0) as kustom:
        assert kustom.create_order("tok_active", order(), timeout=5).order_id == "o-1"


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        KustomClient(KEY_A, base_url=f"http://127.0.0.1:{port}", max_retries=1) as kustom,
        pytest.raises(APIConnectionError),
    ):
        kustom.create_order("tok_active", order())


def test_a_malformed_success_is_an_error(canned: CannedServer) -> None:
    canned.answer(200, {"unexpected": True})
    with KustomClient(KEY_A, base_url=canned.base_url) as kustom, pytest.raises(KustomError):
        kustom.create_order("tok_active", order())


def test_async_client_in_process() -> None:
    app = create_app()

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncKustomClient(
            KEY_A,
            username="M-TEST-A-4f2c",
            base_url="http://mock",
            http_client=httpx.AsyncClient(transport=transport),
        ) as kustom:
            created = await kustom.create_order("tok_active", order(), idempotency_key="k-async")
            again = await kustom.create_order("tok_active", order(), idempotency_key="k-async")
            assert again.order_id == created.order_id
            flaky = await kustom.create_order("tok_flaky", order())
            assert flaky.order_id
            with pytest.raises(TokenSuspendedError):
                await kustom.create_order("tok_suspended", order())
            with pytest.raises(OrderValidationError):
                await kustom.create_order("tok_active", order().to_dict() | {"order_amount": 1})

    asyncio.run(scenario())
    assert len(app.store.orders()) == 2


def test_async_timeout(canned: CannedServer) -> None:
    canned.then(200, OK, delay=0.5)

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=canned.base_url, max_retries=0) as kustom:
            with pytest.raises(APITimeoutError):
                await kustom.create_order("tok_active", order(), timeout=0.1)

    asyncio.run(scenario())


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="api_key"):
        KustomClient("")
    with pytest.raises(ValueError, match="max_retries"):
        KustomClient(KEY_A, max_retries=-1)
