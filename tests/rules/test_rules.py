"""The order rules across fields (kustom_rules), shared by the mock and the client."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kustom_rules import (
    RuleViolation,
    check_order,
    expected_line_tax,
    expected_line_total,
    tax_within_tolerance,
)

GOOD: dict[str, Any] = {
    "order_amount": 9499,
    "order_tax_amount": 1583,
    "purchase_currency": "GBP",
    "order_lines": [
        {
            "name": "Shoe",
            "quantity": 2,
            "unit_price": 5000,
            "total_discount_amount": 1000,
            "tax_rate": 2000,
            "total_amount": 9000,
            "total_tax_amount": 1500,
        },
        {
            "name": "Shipping",
            "quantity": 1,
            "unit_price": 499,
            "tax_rate": 2000,
            "total_amount": 499,
            "total_tax_amount": 83,
        },
    ],
}


def fields(order: dict[str, Any]) -> list[str]:
    return [v.field for v in check_order(order)]


def test_a_good_order_keeps_every_rule() -> None:
    assert check_order(GOOD) == []


def test_line_total_must_follow_quantity_price_and_discount() -> None:
    order = copy.deepcopy(GOOD)
    order["order_lines"][1]["total_amount"] = 500
    order["order_amount"] = 9500
    violations = check_order(order)
    assert [v.field for v in violations] == ["order_lines[1].total_amount"]
    assert violations[0].message == "Bad value: order_lines[1].total_amount"
    assert "499" in violations[0].reason


@pytest.mark.parametrize(("tax", "ok"), [(82, False), (83, True), (84, True), (85, False)])
def test_line_tax_tolerance_is_one_minor_unit(tax: int, ok: bool) -> None:
    order = copy.deepcopy(GOOD)
    order["order_lines"][1]["total_tax_amount"] = tax
    order["order_tax_amount"] = 1500 + tax
    assert fields(order) == ([] if ok else ["order_lines[1].total_tax_amount"])


def test_missing_tax_rate_counts_as_zero() -> None:
    order: dict[str, Any] = {
        "order_amount": 100,
        "purchase_currency": "EUR",
        "order_lines": [
            {
                "name": "x",
                "quantity": 1,
                "unit_price": 100,
                "total_amount": 100,
                "total_tax_amount": 2,
            }
        ],
    }
    assert fields(order) == ["order_lines[0].total_tax_amount"]
    order["order_lines"][0]["total_tax_amount"] = 1
    assert fields(order) == []


def test_order_amount_is_the_sum_of_the_lines() -> None:
    order = copy.deepcopy(GOOD)
    order["order_amount"] += 1
    assert fields(order) == ["order_amount"]


def test_order_tax_tolerance_is_the_number_of_lines() -> None:
    order = copy.deepcopy(GOOD)
    order["order_tax_amount"] = 1583 + 2
    assert fields(order) == []
    order["order_tax_amount"] = 1583 + 3
    assert fields(order) == ["order_tax_amount"]
    del order["order_tax_amount"]
    assert fields(order) == []


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"a string"', "{"])
def test_attachment_body_must_be_a_json_object(body: str) -> None:
    order = copy.deepcopy(GOOD) | {"attachment": {"body": body, "content_type": "x"}}
    assert fields(order) == ["attachment.body"]
    order["attachment"]["body"] = json.dumps({"customer_account_info": []})
    assert fields(order) == []


def test_an_attachment_too_deep_to_parse_is_a_violation_not_a_crash() -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    order = copy.deepcopy(GOOD) | {"attachment": {"body": deep, "content_type": "x"}}
    assert check_order(order) == [
        RuleViolation("attachment.body", "attachment.body nests too deeply to be read")
    ]
    order["attachment"]["body"] = '{"a":' * 300 + "1" + "}" * 300  # deep, but readable
    assert check_order(order) == []


@pytest.mark.parametrize("country", ["US", "AU", "us", "Au"])
def test_region_is_required_in_us_and_au(country: str) -> None:
    order = copy.deepcopy(GOOD) | {"shipping_address": {"country": country, "region": "  "}}
    assert fields(order) == ["shipping_address.region"]
    order["shipping_address"]["region"] = "OH"
    assert fields(order) == []


def test_region_is_optional_elsewhere() -> None:
    assert fields(copy.deepcopy(GOOD) | {"shipping_address": {"country": "GB"}}) == []


def test_every_broken_rule_is_reported_in_field_order() -> None:
    order = copy.deepcopy(GOOD) | {"attachment": {"body": "[]", "content_type": "x"}}
    order["order_lines"][0]["total_amount"] = 1
    order["order_tax_amount"] = 0
    order["shipping_address"] = {"country": "US"}
    assert fields(order) == [
        "attachment.body",
        "order_lines[0].total_amount",
        "order_lines[0].total_tax_amount",
        "order_amount",
        "order_tax_amount",
        "shipping_address.region",
    ]


@given(st.integers(0, 10**8), st.integers(0, 100_000))
def test_the_centred_tax_is_always_within_tolerance(amount: int, rate: int) -> None:
    tax = expected_line_tax(amount, rate)
    assert tax_within_tolerance(amount, rate, tax)
    exact = amount - amount * 10000 / (10000 + rate)
    assert abs(tax - exact) <= 0.5 + 1e-6
    assert not tax_within_tolerance(amount, rate, tax + 2)
    assert not tax_within_tolerance(amount, rate, tax - 2)


LINES = st.lists(
    st.fixed_dictionaries(
        {
            "quantity": st.integers(0, 50),
            "unit_price": st.integers(0, 10_000),
            "total_amount": st.integers(0, 500_000),
        },
        optional={
            "total_discount_amount": st.integers(0, 1_000),
            "tax_rate": st.integers(0, 10_000),
            "total_tax_amount": st.integers(-10, 100_000),
        },
    ),
    min_size=1,
    max_size=8,
)


@given(LINES)
def test_the_one_pass_check_agrees_with_the_rule_helpers(lines: list[dict[str, int]]) -> None:
    """check_order inlines rules 1 and 2 for speed; it must flag exactly the lines the
    published helpers (expected_line_total, tax_within_tolerance) say are wrong."""
    expected: list[str] = []
    for i, line in enumerate(lines):
        # Rule 7 first: these lines have no type, so no amount of theirs may be negative.
        expected += [
            f"order_lines[{i}].{name}"
            for name in ("unit_price", "total_amount", "total_tax_amount")
            if line.get(name, 0) < 0
        ]
        total = line["total_amount"]
        discount = line.get("total_discount_amount", 0)
        if total != expected_line_total(line["quantity"], line["unit_price"], discount):
            expected.append(f"order_lines[{i}].total_amount")
        if "total_tax_amount" in line and not tax_within_tolerance(
            total, line.get("tax_rate", 0), line["total_tax_amount"]
        ):
            expected.append(f"order_lines[{i}].total_tax_amount")
    order = {"order_amount": sum(line["total_amount"] for line in lines), "order_lines": lines}
    assert fields(order) == expected


DISCOUNT = {
    "type": "discount",
    "name": "Discount",
    "quantity": 1,
    "unit_price": -1000,
    "tax_rate": 1000,
    "total_amount": -1000,
    "total_tax_amount": -91,
}
SHOE = {
    "type": "physical",
    "name": "Shoe",
    "quantity": 1,
    "unit_price": 10000,
    "tax_rate": 1000,
    "total_amount": 10000,
    "total_tax_amount": 909,
}


@pytest.mark.parametrize("kind", ["discount", "gift_card", "store_credit"])
def test_rule_7_lets_discount_gift_card_and_store_credit_lines_be_negative(kind: str) -> None:
    order = {
        "order_amount": 9000,
        "order_tax_amount": 818,
        "purchase_currency": "SEK",
        "order_lines": [SHOE, DISCOUNT | {"type": kind}],
    }
    assert check_order(order) == []


@pytest.mark.parametrize(
    "kind", [None, "physical", "digital", "shipping_fee", "sales_tax", "surcharge"]
)
def test_rule_7_keeps_every_other_line_non_negative(kind: str | None) -> None:
    line = {k: v for k, v in DISCOUNT.items() if k != "type"}
    if kind is not None:
        line["type"] = kind
    order = {"order_amount": 9000, "purchase_currency": "SEK", "order_lines": [SHOE, line]}
    violations = check_order(order)
    assert [v.message for v in violations] == [
        "Bad value: order_lines[1].unit_price",
        "Bad value: order_lines[1].total_amount",
        "Bad value: order_lines[1].total_tax_amount",
    ]
    assert "must not be negative" in violations[0].reason


def test_rule_7_and_the_types_the_spec_names_agree() -> None:
    """The rule's prose in openapi.yaml names exactly the types NEGATIVE_LINE_TYPES holds."""
    from kustom_rules import NEGATIVE_LINE_TYPES
    from kustom_spec import load_spec

    text = load_spec().operation("createOrder").node["description"]
    rule = text.split("7. Signs by line type.", 1)[1].split("\n\n", 1)[0]
    named = {t for t in load_spec().component("OrderLineType")["enum"] if f"`{t}`" in rule}
    assert named == set(NEGATIVE_LINE_TYPES)
