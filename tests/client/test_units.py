"""The client layer's pure parts: error mapping, retry timing, the order builder."""

from __future__ import annotations

import email.utils
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kustom_client import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InternalServerError,
    KustomAPIError,
    NotFoundError,
    PaymentMethodFailedError,
    ServiceUnavailableError,
    TokenCanceledError,
    TokenNotFoundError,
    TokenSuspendedError,
    UnavailablePaymentMethodError,
    build_order,
    build_order_line,
)
from kustom_client.constants import MAX_RETRY_DELAY, ORDER_PATH
from kustom_client.errors import error_for
from kustom_client.retry import backoff, retry_after, should_retry
from kustom_rules import check_order
from kustom_spec import load_spec


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "BAD_VALUE", BadRequestError),
        (401, "UNAUTHORIZED", AuthenticationError),
        (403, "TOKEN_SUSPENDED", TokenSuspendedError),
        (403, "TOKEN_CANCELED", TokenCanceledError),
        (403, "UNAVAILABLE_PAYMENT_METHOD", UnavailablePaymentMethodError),
        (403, "PAYMENT_METHOD_FAILED", PaymentMethodFailedError),
        (403, "SOMETHING_NEW", ForbiddenError),
        (404, "TOKEN_NOT_FOUND", TokenNotFoundError),
        (404, None, NotFoundError),
        (409, "IDEMPOTENCY_KEY_CONFLICT", ConflictError),
        (503, "SERVICE_UNAVAILABLE", ServiceUnavailableError),
        (500, None, InternalServerError),
        (502, None, InternalServerError),
        (418, None, KustomAPIError),
        (400, "TOKEN_SUSPENDED", BadRequestError),  # a code only refines its own status
    ],
)
def test_each_status_and_code_has_its_class(
    status: int, code: str | None, cls: type[Exception]
) -> None:
    body = (
        {"error_code": code, "error_messages": ["m"], "correlation_id": "c-1"} if code else "oops"
    )
    error = error_for(status, body, "c-header")
    assert type(error) is cls
    assert error.status_code == status
    assert error.correlation_id == ("c-1" if code else "c-header")
    assert error.request_id == error.correlation_id
    assert str(status) in str(error)


def test_error_carries_messages() -> None:
    error = error_for(
        400,
        {
            "error_code": "BAD_VALUE",
            "error_messages": ["Bad value: order_amount"],
            "correlation_id": "c",
            "reason": "r",
        },
        None,
    )
    assert isinstance(error, BadRequestError)
    assert error.error_messages == ["Bad value: order_amount"]
    assert error.reason == "r"
    assert "Bad value: order_amount" in str(error)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (200, False),
    ],
)
def test_which_statuses_are_retried(status: int, retry: bool) -> None:
    assert should_retry(status) is retry


def test_retry_after_forms() -> None:
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after": "3600"}) is None  # too long: back off instead
    assert retry_after({"retry-after": "-1"}) is None
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 5, usegmt=True)
    assert retry_after({"retry-after": date}, now=now) == pytest.approx(5.0)


@given(st.integers(1, 30), st.randoms(use_true_random=False))
def test_backoff_doubles_within_bounds(attempt: int, rng: random.Random) -> None:
    delay = backoff(attempt, rng)
    ceiling = min(0.5 * 2 ** (attempt - 1), MAX_RETRY_DELAY)
    assert 0.75 * ceiling <= delay <= ceiling


def test_the_order_path_is_the_specs() -> None:
    spec_path = load_spec().operation("createOrder").path
    assert ORDER_PATH.replace("{customer_token}", "{customerToken}") == spec_path


def test_builder_makes_amounts_add_up() -> None:
    shoes = build_order_line(
        "Running shoe",
        quantity=2,
        unit_price=5000,
        tax_rate=2000,
        total_discount_amount=1000,
        type="physical",
        reference="AD6654412",
    )
    shipping = build_order_line(
        "Delivery", quantity=1, unit_price=499, tax_rate=2000, type="shipping_fee"
    )
    order = build_order([shoes, shipping], purchase_currency="GBP", merchant_reference1="ON4711")
    body = order.to_dict()
    assert body["order_lines"][0]["total_amount"] == 9000
    assert body["order_lines"][0]["total_tax_amount"] == 1500
    assert body["order_lines"][1]["total_tax_amount"] == 83
    assert body["order_amount"] == 9499
    assert body["order_tax_amount"] == 1583
    assert body["merchant_reference1"] == "ON4711"
    assert check_order(body) == []


@given(
    st.lists(
        st.tuples(
            st.integers(0, 100), st.integers(0, 1_000_000), st.integers(0, 10_000), st.floats(0, 1)
        ),
        min_size=1,
        max_size=20,
    )
)
def test_built_orders_always_keep_the_rules(specs: list[tuple[int, int, int, float]]) -> None:
    lines = [
        build_order_line(
            f"item {i}", quantity=q, unit_price=u, tax_rate=r, total_discount_amount=int(q * u * d)
        )
        for i, (q, u, r, d) in enumerate(specs)
    ]
    assert check_order(build_order(lines, purchase_currency="EUR").to_dict()) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quantity": -1, "unit_price": 1},
        {"quantity": 1, "unit_price": 1.5},
        {"quantity": 1, "unit_price": 100, "total_discount_amount": 101},
        {"quantity": 1, "unit_price": 100, "tax_rate": -5},
        {"quantity": True, "unit_price": 100},
    ],
)
def test_builder_refuses_impossible_lines(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must be a non-negative integer|more than"):
        build_order_line("x", **kwargs)  # type: ignore[arg-type]


def test_builder_needs_a_line() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        build_order([], purchase_currency="EUR")
