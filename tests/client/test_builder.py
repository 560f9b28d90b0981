"""The order builder: explicit keyword arguments, amounts that keep the rules, discount lines."""

from __future__ import annotations

import inspect
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kustom_customer_token_client.models import Address, OrderLine, OrderLineType, OrderRequest

from kustom_client import (
    AddressParam,
    MerchantUrlsParam,
    OrderValidationError,
    ProductIdentifiersParam,
    SubscriptionParam,
    build_address,
    build_discount_line,
    build_order,
    build_order_line,
)
from kustom_client.builder import LineType, NegativeLineType
from kustom_rules import NEGATIVE_LINE_TYPES, check_order, tax_within_tolerance
from kustom_spec import load_spec

SPEC = load_spec()
GUIDE_DISCOUNT_LINE = SPEC.resolve(SPEC.document["components"]["examples"]["DiscountLineOrder"])[
    "value"
]["order_lines"][1]


def test_builder_makes_amounts_add_up() -> None:
    shoes = build_order_line(
        "Running shoe",
        quantity=2,
        unit_price=5000,
        tax_rate=2000,
        total_discount_amount=1000,
        type="physical",
        reference="AD6654412",
        product_identifiers={"brand": "shoe-brand", "size": "42"},
    )
    shipping = build_order_line(
        "Delivery", quantity=1, unit_price=499, tax_rate=2000, type=OrderLineType.SHIPPING_FEE
    )
    order = build_order([shoes, shipping], purchase_currency="GBP", merchant_reference1="ON4711")
    body = order.to_dict()
    assert body["order_lines"][0]["total_amount"] == 9000
    assert body["order_lines"][0]["total_tax_amount"] == 1500
    assert body["order_lines"][0]["product_identifiers"] == {"brand": "shoe-brand", "size": "42"}
    assert body["order_lines"][1]["type"] == "shipping_fee"
    assert body["order_lines"][1]["total_tax_amount"] == 83
    assert body["order_amount"] == 9499
    assert body["order_tax_amount"] == 1583
    assert body["merchant_reference1"] == "ON4711"
    assert "merchant_reference2" not in body  # omitted stays omitted
    assert check_order(body) == []


@pytest.mark.parametrize(
    ("builder", "kwargs"),
    [
        (build_order_line, {"name": "x", "quantity": 1, "unit_price": 1, "refernce": "r"}),
        (build_order_line, {"name": "x", "quantity": 1, "unit_price": 1, "total_tax": 1}),
        (build_discount_line, {"amount": 100, "taxrate": 2500}),
        (build_address, {"postcode": "12345"}),
        (
            build_order,
            {
                "lines": [build_order_line("x", quantity=1, unit_price=1)],
                "purchase_currency": "EUR",
                "merchant_refernce1": "ON4711",
            },
        ),
    ],
)
def test_a_misspelt_keyword_is_a_type_error(builder: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        builder(**kwargs)


@pytest.mark.parametrize(
    ("builder", "model"),
    [(build_order_line, OrderLine), (build_address, Address), (build_order, OrderRequest)],
)
def test_every_field_of_the_model_is_a_keyword(builder: Any, model: type) -> None:
    """Editors complete them, so each field of the generated model must be one (the computed
    totals and the lines aside)."""
    computed = {"total_amount", "total_tax_amount", "order_amount", "order_tax_amount"}
    fields = {f for f in inspect.signature(model).parameters if f != "type_"} - computed
    fields |= {"type"} if model is OrderLine else set()
    parameters = set(inspect.signature(builder).parameters) - {"lines"}
    assert fields - {"order_lines"} == parameters


def test_a_full_order_with_an_address() -> None:
    address = build_address(
        given_name="Jane",
        family_name="Doe",
        street_address="1 Main Street",
        postal_code="10001",
        city="New York",
        region="NY",
        country="US",
        email="jane@example.com",
    )
    order = build_order(
        [build_order_line("Shoe", quantity=1, unit_price=2500)],
        purchase_currency="USD",
        shipping_address=address,
        merchant_urls={"confirmation": "https://example.com/thanks"},
        attachment={"content_type": "application/json", "body": "{}"},
        auto_capture=False,
    )
    body = order.to_dict()
    assert body["shipping_address"]["region"] == "NY"
    assert body["merchant_urls"] == {"confirmation": "https://example.com/thanks"}
    assert body["auto_capture"] is False
    assert check_order(body) == []


def test_discount_line_as_kustoms_guide_shows_it() -> None:
    """Kustom's discounts guide (and Klarna's PHP SDK example), as the spec's DiscountLineOrder
    example gives it: -1000 at 10% carries -91."""
    line = build_discount_line("Discount", amount=1000, tax_rate=1000, reference="10-OFF")
    assert line.to_dict() == GUIDE_DISCOUNT_LINE
    amounts = ("quantity", "unit_price", "tax_rate", "total_amount", "total_tax_amount")
    assert [GUIDE_DISCOUNT_LINE[name] for name in amounts] == [1, -1000, 1000, -1000, -91]


def test_gift_card_and_store_credit_at_zero_tax() -> None:
    gift = build_discount_line("Gift card", amount=10000, type="gift_card", reference="GC-1")
    assert gift.to_dict() == {
        "type": "gift_card",
        "name": "Gift card",
        "quantity": 1,
        "unit_price": -10000,
        "tax_rate": 0,
        "total_amount": -10000,
        "total_tax_amount": 0,
        "reference": "GC-1",
    }
    credit = build_discount_line("Store credit", amount=500, type="store_credit")
    assert credit.to_dict()["total_amount"] == -500


def test_an_order_with_a_discount_keeps_the_rules() -> None:
    order = build_order(
        [
            build_order_line("Shoe", quantity=2, unit_price=5000, tax_rate=2500),
            build_discount_line("10% off", amount=1000, tax_rate=2500),
            build_discount_line("Gift card", amount=2000, type="gift_card"),
        ],
        purchase_currency="EUR",
    )
    body = order.to_dict()
    assert body["order_amount"] == 7000
    assert body["order_tax_amount"] == 2000 - 200
    assert check_order(body) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": 0},
        {"amount": -100},
        {"amount": 10.5},
        {"amount": True},
        {"amount": 100, "tax_rate": -1},
        {"amount": 100, "type": "physical"},
    ],
)
def test_discount_line_refuses(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        build_discount_line(**kwargs)


@given(st.integers(1, 100_000_000), st.integers(0, 10_000))
def test_discount_tax_keeps_rule_2(amount: int, tax_rate: int) -> None:
    line = build_discount_line(amount=amount, tax_rate=tax_rate).to_dict()
    assert tax_within_tolerance(line["total_amount"], tax_rate, line["total_tax_amount"])
    assert line["total_tax_amount"] <= 0


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
        {"quantity": 1, "unit_price": -100},
        {"quantity": 1, "unit_price": 100, "total_discount_amount": 101},
        {"quantity": 1, "unit_price": 100, "tax_rate": -5},
        {"quantity": True, "unit_price": 100},
    ],
)
def test_builder_refuses_impossible_lines(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must be a non-negative integer|more than"):
        build_order_line("x", **kwargs)


def test_builder_needs_a_line() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        build_order([], purchase_currency="EUR")


def test_the_builders_line_types_are_the_specs() -> None:
    """The Literals that type the builders' ``type`` argument, written for editors, agree with
    the spec's enum and with rule 7's negative types."""
    enum, literal = get_args(LineType)
    assert enum is OrderLineType
    assert set(get_args(literal)) == {t.value for t in OrderLineType}
    assert set(get_args(NegativeLineType)) == NEGATIVE_LINE_TYPES


def test_discounts_beyond_the_goods_are_refused_before_sending() -> None:
    """The schema's order_amount has minimum 0: the builder refuses such an order with the
    server's message, instead of returning one the server would refuse."""
    with pytest.raises(OrderValidationError) as raised:
        build_order(
            [
                build_order_line("Running shoe", quantity=1, unit_price=1000, tax_rate=2500),
                build_discount_line("Voucher", amount=1500, tax_rate=2500),
            ],
            purchase_currency="EUR",
        )
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.field == "order_amount"
    assert error.error_messages == ["Bad value: order_amount", "Bad value: order_tax_amount"]
    assert "order_amount would be -500" in str(error)
    assert error.idempotency_key is None  # nothing was sent


def test_a_negative_tax_total_alone_is_refused() -> None:
    """Goods at 0% and a discount at 25%: the amount stays positive, the tax would not."""
    with pytest.raises(OrderValidationError) as raised:
        build_order(
            [
                build_order_line("Book", quantity=1, unit_price=1000),
                build_discount_line("Discount", amount=500, tax_rate=2500),
            ],
            purchase_currency="EUR",
        )
    assert raised.value.error_messages == ["Bad value: order_tax_amount"]


def test_an_order_paid_whole_by_a_gift_card_totals_zero() -> None:
    order = build_order(
        [
            build_order_line("Running shoe", quantity=1, unit_price=1000),
            build_discount_line("Gift card", amount=1000, type="gift_card"),
        ],
        purchase_currency="EUR",
    )
    assert (order.order_amount, order.order_tax_amount) == (0, 0)
    assert check_order(order.to_dict()) == []


def test_the_builder_takes_typed_dicts_for_nested_objects() -> None:
    """The TypedDicts of kustom_client.params where the builder takes a dict."""
    address: AddressParam = {"country": "US", "region": "NY", "city": "New York"}
    urls: MerchantUrlsParam = {"confirmation": "https://example.com/ok"}
    identifiers: ProductIdentifiersParam = {"brand": "shoe-brand"}
    subscription: SubscriptionParam = {"name": "Club", "interval": "MONTH", "interval_count": 1}
    line = build_order_line(
        "Shoe",
        quantity=1,
        unit_price=100,
        product_identifiers=identifiers,
        subscription=subscription,
    )
    order = build_order(
        [line], purchase_currency="USD", shipping_address=address, merchant_urls=urls
    ).to_dict()
    assert order["shipping_address"] == address
    assert order["merchant_urls"] == urls
    assert order["order_lines"][0]["product_identifiers"] == identifiers
    assert order["order_lines"][0]["subscription"] == subscription
