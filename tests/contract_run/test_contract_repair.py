"""The contract run's repair of random valid orders: afterwards they keep every rule."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from kustom_contract.repair import repair_order
from kustom_rules import check_order
from kustom_spec import DEFAULT_SPEC_PATH, load_spec

SPEC = load_spec()
VALIDATOR = SPEC.validator(SPEC.operation("createOrder").request_schema)
OPERATION = schemathesis.openapi.from_path(DEFAULT_SPEC_PATH)[
    "/customer-token/v1/tokens/{customerToken}/order"
]["POST"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(OPERATION.as_strategy(generation_mode=GenerationMode.POSITIVE))
def test_repaired_orders_keep_the_rules_and_the_schema(case: Any) -> None:
    order = case.body
    assert VALIDATOR.is_valid(order)
    repair_order(order)
    assert check_order(order) == []
    assert VALIDATOR.is_valid(order)


def test_repair_of_a_hand_made_order() -> None:
    order: dict[str, Any] = {
        "order_amount": 1,
        "order_tax_amount": 0,
        "purchase_currency": "USD",
        "order_lines": [
            {
                "name": "x",
                "quantity": 10**9,
                "unit_price": 7,
                "total_amount": 0,
                "total_discount_amount": 10**12,
                "tax_rate": 2500,
                "total_tax_amount": 0,
            }
        ],
        "attachment": {"body": "[1]", "content_type": "x"},
        "shipping_address": {"country": "us"},
    }
    repair_order(order)
    assert check_order(order) == []
    line = order["order_lines"][0]
    assert line["quantity"] * line["unit_price"] <= 100000000
    assert order["shipping_address"]["region"] == "OH"


def test_repair_leaves_a_good_order_alone() -> None:
    import copy

    full = SPEC.resolve(SPEC.document["components"]["examples"]["FullOrder"])["value"]
    repaired = repair_order(copy.deepcopy(full))
    assert repaired == full
