"""The client layer against the mock: sync over a real socket, async in process.

What goes over the wire in detail (headers, retries, waits) is tested against a scripted
server in the other files; here the mock's own behaviour answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from kustom_customer_token_client.models import (
    AuthorizedPaymentMethod,
    AuthorizedPaymentMethodType,
    FraudStatus,
    OrderRequest,
    TokenStatus,
)

from kustom_client import (
    AsyncKustomClient,
    CancelledToken,
    CreatedOrder,
    KustomClient,
    RateLimit,
    RetrievedToken,
    build_discount_line,
    build_order,
    build_order_line,
    constants,
    errors,
)
from kustom_mock import create_app
from kustom_mock.store import Store
from kustom_redact import Masker
from kustom_servers.mock_process import RunningMock, running_mock
from tests.client.helpers import KEY_A, USERNAME_A, as_param
from tests.mock.helpers import FULL_ORDER


def order() -> OrderRequest:
    return build_order(
        [build_order_line("Running shoe", quantity=1, unit_price=2500, tax_rate=2500)],
        purchase_currency="EUR",
    )


def refused_by_the_server(client: KustomClient, body: dict[str, Any]) -> list[str]:
    """The messages the server refuses ``body`` with, sent without the client's checks."""
    client.check_orders = False
    try:
        with pytest.raises(errors.BadRequestError) as remote:
            client.create_order("tok_active", as_param(body))
    finally:
        client.check_orders = True
    return remote.value.error_messages


def refused_alike(client: KustomClient, body: dict[str, Any]) -> list[str]:
    """The messages the client's checks refuse ``body`` with before sending, once the server,
    sent the same body unchecked, has refused it with the same messages."""
    with pytest.raises(errors.OrderValidationError) as local:
        client.create_order("tok_active", as_param(body))
    assert local.value.error_messages == refused_by_the_server(client, body)
    return local.value.error_messages


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
    created = client.create_order("tok_card", as_param(FULL_ORDER))
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
        ("tok_suspended", "EUR", errors.TokenSuspendedError),
        ("tok_cancelled", "EUR", errors.TokenCanceledError),
        ("tok_merchant_b", "EUR", errors.TokenCanceledError),
        ("tok_declined", "EUR", errors.PaymentMethodFailedError),
        ("tok_eur_only", "GBP", errors.UnavailablePaymentMethodError),
        ("tok_nobody", "EUR", errors.TokenNotFoundError),
    ],
)
def test_typed_errors(
    client: KustomClient, token: str, currency: str, error: type[errors.KustomError]
) -> None:
    body = order().to_dict() | {"purchase_currency": currency}
    with pytest.raises(error) as raised:
        client.create_order(token, as_param(body))
    assert raised.value.correlation_id  # type: ignore[attr-defined]
    assert raised.value.error_messages  # type: ignore[attr-defined]


def test_wrong_credentials(mock: tuple[RunningMock, Path]) -> None:
    with (
        KustomClient("not-a-key", base_url=mock[0].base_url) as kustom,
        pytest.raises(errors.AuthenticationError) as raised,
    ):
        kustom.create_order("tok_active", order())
    assert "not-a-key" not in str(raised.value)
    assert "not-a-key" not in repr(raised.value)
    assert "not-a-key" not in repr(kustom)


def test_bad_request_from_the_server(client: KustomClient) -> None:
    body = order().to_dict() | {"purchase_currency": "EURO"}
    with pytest.raises(errors.BadRequestError) as raised:
        client.create_order("tok_active", as_param(body))
    assert raised.value.error_messages == ["Bad value: purchase_currency"]


def test_checks_before_sending_match_the_servers(client: KustomClient) -> None:
    broken = order().to_dict()
    broken["order_lines"][0]["total_amount"] += 1
    broken["order_amount"] += 1
    assert refused_alike(client, broken) == ["Bad value: order_lines[0].total_amount"]


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
    with pytest.raises(errors.BadRequestError) as raised:
        client.create_order("tok_active", as_param(body))
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
    with pytest.raises(errors.ServiceUnavailableError):
        client.create_order("tok_flaky", order(), max_retries=0)


def test_conflict_is_raised_with_the_key(client: KustomClient) -> None:
    client.create_order("tok_active", order(), idempotency_key="k-conflict")
    other = order().to_dict() | {"merchant_reference1": "other"}
    with pytest.raises(errors.ConflictError) as raised:
        client.create_order("tok_active", as_param(other), idempotency_key="k-conflict")
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
            with pytest.raises(errors.TokenSuspendedError):
                await kustom.create_order("tok_suspended", order())
            with pytest.raises(errors.OrderValidationError):
                await kustom.create_order(
                    "tok_active", as_param(order().to_dict() | {"order_amount": 1})
                )

    asyncio.run(scenario())
    assert len(app.store.orders()) == 2


@pytest.mark.parametrize("username", [None, USERNAME_A])
def test_both_documented_auth_forms(mock: tuple[RunningMock, Path], username: str | None) -> None:
    with KustomClient(KEY_A, username=username, base_url=mock[0].base_url) as kustom:
        assert kustom.create_order("tok_active", order()).order_id
        assert kustom.get_token("tok_active").status == TokenStatus.ACTIVE


@pytest.mark.parametrize("username", ["M-TEST-A", "M-TEST-B-9d1e"])
def test_a_username_that_is_not_the_merchants(
    mock: tuple[RunningMock, Path], username: str
) -> None:
    with (
        KustomClient(KEY_A, username=username, base_url=mock[0].base_url) as kustom,
        pytest.raises(errors.AuthenticationError),
    ):
        kustom.get_token("tok_active")


def test_kustoms_discount_and_gift_card_lines_go_through(client: KustomClient) -> None:
    discounted = build_order(
        [
            build_order_line("Running shoe", quantity=1, unit_price=10000, tax_rate=1000),
            build_discount_line("Discount", amount=1000, tax_rate=1000),
            build_discount_line("Gift card", amount=2000, type="gift_card"),
        ],
        purchase_currency="EUR",
    )
    assert client.create_order("tok_active", discounted).order_id


def test_a_negative_physical_line_is_refused_before_sending(client: KustomClient) -> None:
    body = order().to_dict()
    body["order_lines"].append(
        {
            "type": "physical",
            "name": "Not a discount",
            "quantity": 1,
            "unit_price": -100,
            "total_amount": -100,
        }
    )
    body["order_amount"] -= 100
    assert "Bad value: order_lines[1].unit_price" in refused_alike(client, body)


def test_read_and_cancel_a_token(client: KustomClient) -> None:
    card = client.get_token("tok_card")
    assert (card.payment_method_type, card.card.brand) == ("CARD", "VISA")  # type: ignore[union-attr]
    first = client.cancel_token("tok_fresh_client_1", idempotency_key="k-cancel-1")
    again = client.cancel_token("tok_fresh_client_1", idempotency_key="k-cancel-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert client.get_token("tok_fresh_client_1").status == TokenStatus.CANCELLED
    with pytest.raises(errors.TokenCanceledError) as raised:
        client.create_order("tok_fresh_client_1", order())
    assert raised.value.idempotency_key


def test_token_errors_from_the_mock(client: KustomClient) -> None:
    with pytest.raises(errors.TokenForbiddenError):
        client.get_token("tok_merchant_b")
    with pytest.raises(errors.TokenForbiddenError) as raised:
        client.cancel_token("tok_merchant_b", idempotency_key="k-not-mine")
    assert raised.value.idempotency_key == "k-not-mine"


def every_operation(kustom: KustomClient, token: str) -> list[errors.KustomError]:
    """What each of the three operations raises for ``token``."""
    raised: list[errors.KustomError] = []
    for call in (
        lambda: kustom.create_order(token, order()),
        lambda: kustom.get_token(token),
        lambda: kustom.cancel_token(token),
    ):
        with pytest.raises(errors.KustomError) as error:
            call()
        raised.append(error.value)
    return raised


def test_an_unknown_token_is_token_not_found_on_every_operation(client: KustomClient) -> None:
    """The mock answers TOKEN_NOT_FOUND for an order and NOT_FOUND for the read and the cancel,
    as the spec says: one class for all three."""
    raised = every_operation(client, "tok_nobody")
    assert [type(error) for error in raised] == [errors.TokenNotFoundError] * 3
    assert [error.error_code for error in raised] == [  # type: ignore[attr-defined]
        "TOKEN_NOT_FOUND",
        "NOT_FOUND",
        "NOT_FOUND",
    ]


@pytest.mark.parametrize("prefix", ["/v2", "/customer-token/v1"])
def test_a_wrong_prefix_is_endpoint_not_found_on_every_operation(
    mock: tuple[RunningMock, Path], prefix: str
) -> None:
    """Behind a wrong prefix even a known token's path is no operation: the mock's own code,
    which is the client's copy, never the unknown token's class."""
    with KustomClient(KEY_A, base_url=mock[0].base_url + prefix) as kustom:
        raised = every_operation(kustom, "tok_active")
    assert [type(error) for error in raised] == [errors.EndpointNotFoundError] * 3
    for error in raised:
        assert error.error_code == constants.ENDPOINT_NOT_FOUND_CODE  # type: ignore[attr-defined]
        assert error.status_code == 404  # type: ignore[attr-defined]


@pytest.fixture
def limited_mock() -> Iterator[RunningMock]:
    with running_mock(extra_args=["--rate-limit", "1"]) as running:
        yield running


def test_a_rate_limited_mock_is_waited_for(
    limited_mock: RunningMock, caplog: pytest.LogCaptureFixture
) -> None:
    """One request per second: the second and third reads get 429 (or land in the next second)
    and succeed after the Retry-After the mock sends."""
    caplog.set_level(logging.INFO, logger="kustom")
    with KustomClient(KEY_A, base_url=limited_mock.base_url) as kustom:
        statuses = [kustom.get_token("tok_active").status for _ in range(3)]
    assert statuses == [TokenStatus.ACTIVE] * 3
    retries = [
        r.getMessage() for r in caplog.records if "429 RATE_LIMITED; retrying" in r.getMessage()
    ]
    assert retries, "no 429 in three reads at one per second"
    assert all("as the server asked" in line for line in retries)


def test_without_retries_a_429_is_a_rate_limit_error(limited_mock: RunningMock) -> None:
    def three_reads(kustom: KustomClient) -> None:
        for _ in range(3):  # at one per second, one of them is refused
            kustom.get_token("tok_active")

    with (
        KustomClient(KEY_A, base_url=limited_mock.base_url, max_retries=0) as kustom,
        pytest.raises(errors.RateLimitError) as raised,
    ):
        three_reads(kustom)
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 1
    assert raised.value.error_code == "RATE_LIMITED"


def test_behind_a_wrong_prefix_the_404_names_no_token(mock: tuple[RunningMock, Path]) -> None:
    """The mock's 404 repeats the path it was sent (`No such endpoint: /v2/...`): the client
    shows that text with the token masked, in its message and its attributes alike."""
    token = "tok_secret_behind_a_prefix"
    with KustomClient(KEY_A, base_url=mock[0].base_url + "/v2") as kustom:
        with pytest.raises(errors.EndpointNotFoundError) as raised:
            kustom.create_order(token, order())
        error = raised.value
    assert error.error_messages == [
        f"No such endpoint: /v2/customer-token/v1/tokens/{Masker().mask(token)}/order"
    ]
    for text in (str(error), repr(error), repr(vars(error))):
        assert token not in text
        assert KEY_A not in text


def test_the_server_refuses_the_order_the_builder_refuses(client: KustomClient) -> None:
    """Discounts beyond the goods: the builder's refusal is the server's, before sending."""
    lines = [
        build_order_line("Running shoe", quantity=1, unit_price=1000, tax_rate=2500),
        build_discount_line("Voucher", amount=1500, tax_rate=2500),
    ]
    with pytest.raises(errors.OrderValidationError) as local:
        build_order(lines, purchase_currency="EUR")
    sent = [line.to_dict() for line in lines]
    body = {
        "purchase_currency": "EUR",
        "order_lines": sent,
        "order_amount": sum(line["total_amount"] for line in sent),
        "order_tax_amount": sum(line["total_tax_amount"] for line in sent),
    }
    assert local.value.error_messages == refused_by_the_server(client, body)


def test_the_declined_payment_method_is_on_the_error(client: KustomClient) -> None:
    with pytest.raises(errors.PaymentMethodFailedError) as raised:
        client.create_order("tok_declined", order())
    method = raised.value.authorized_payment_method
    assert isinstance(method, AuthorizedPaymentMethod)
    assert method.type_ == AuthorizedPaymentMethodType.CARD
    assert method.to_dict() == raised.value.body["authorized_payment_method"]
    assert raised.value.fraud_status is None  # the mock sends none


def test_with_raw_response_against_the_mock(client: KustomClient) -> None:
    token = "tok_fresh_client_raw"
    created = client.with_raw_response.create_order(token, order(), idempotency_key="k-raw")
    read = client.with_raw_response.get_token(token)
    cancelled = client.with_raw_response.cancel_token(token, idempotency_key="k-raw-cancel")
    assert [r.status_code for r in (created, read, cancelled)] == [200, 200, 202]
    assert created.parse().order_id == orjson.loads(created.content)["order_id"]
    assert read.parse().status == TokenStatus.ACTIVE
    assert cancelled.content == b""
    for raw in (created, read, cancelled):
        assert raw.retries_taken == 0
        assert raw.correlation_id
        assert raw.correlation_id == raw.parse().correlation_id
        if raw.content:
            assert raw.headers["content-type"].startswith("application/json")
    replayed = client.with_raw_response.create_order(token, order(), idempotency_key="k-raw")
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parse().replayed


def test_the_rate_limit_reaches_every_result(limited_mock: RunningMock) -> None:
    """The mock's X-Ratelimit-* (one request per second here): on each operation's result."""
    token = "tok_fresh_client_limits"
    with KustomClient(KEY_A, base_url=limited_mock.base_url) as kustom:
        results: list[CreatedOrder | RetrievedToken | CancelledToken] = [
            kustom.create_order(token, order()),
            kustom.get_token(token),
            kustom.cancel_token(token),
        ]
    for result in results:  # each operation has its own quota, so each is its first request
        assert result.rate_limit == RateLimit("1, 1;w=1", 0, result.rate_limit.reset)
        assert result.rate_limit.reset in (0, 1)
