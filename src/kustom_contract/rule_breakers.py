"""For a valid order, a sibling with exactly one of the spec's rules across fields broken
(openapi.yaml, createOrder, "Rules across fields"), and the field a server must name.

Each breaker changes only what its rule ties together and keeps every other rule and the
schema intact, so that a 400 naming another field, or a 200, tells something real.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kustom_rules import NEGATIVE_LINE_TYPES, expected_line_tax
from kustom_spec import load_spec

Order = dict[str, Any]
_LINE = load_spec().component("OrderLine")["properties"]
MAX_LINES: int = load_spec().component("OrderRequest")["properties"]["order_lines"]["maxItems"]
MAX_LINE_TOTAL: int = _LINE["total_amount"]["maximum"]


@dataclass(frozen=True)
class BrokenOrder:
    rule: int
    field: str
    order: Order


def _line_total_off(order: Order) -> BrokenOrder | None:
    """Rule 1: a line's total no longer quantity x unit_price - discount; the sums still hold
    (order_amount moves with it, so it must stay non-negative and the line within its limits)."""
    line = order["order_lines"][0]
    may_go_down = order["order_amount"] >= 1 and (
        line["total_amount"] >= 1 or line.get("type") in NEGATIVE_LINE_TYPES
    )
    if may_go_down:
        step = -1
    elif line["total_amount"] < MAX_LINE_TOTAL:
        step = 1
    else:
        return None
    line["total_amount"] += step
    order["order_amount"] += step
    if "total_tax_amount" in line:
        line["total_tax_amount"] = expected_line_tax(line["total_amount"], line.get("tax_rate", 0))
    _sum_taxes(order)
    return BrokenOrder(1, "order_lines[0].total_amount", order)


def _line_tax_off(order: Order) -> BrokenOrder | None:
    """Rule 2: a line's tax more than 1 away from what its total and rate give."""
    line, *others = order["order_lines"]
    expected = expected_line_tax(line["total_amount"], line.get("tax_rate", 0))
    other_taxes = sum(other.get("total_tax_amount", 0) for other in others)
    # Three off, unless that sums the lines' taxes below zero (a discount line's tax), where no
    # order_tax_amount (at least 0) matches them (rule 4): then the line's tax that sums to 0.
    line["total_tax_amount"] = max(expected + 3, -other_taxes)
    _sum_taxes(order)  # rule 4 still holds
    return BrokenOrder(2, "order_lines[0].total_tax_amount", order)


def _order_amount_off(order: Order) -> BrokenOrder | None:
    """Rule 3: order_amount not the sum of the lines."""
    order["order_amount"] += 1
    return BrokenOrder(3, "order_amount", order)


def _order_tax_off(order: Order) -> BrokenOrder | None:
    """Rule 4: order_tax_amount outside the sum of the lines' taxes ± the number of lines."""
    taxes = sum(line.get("total_tax_amount", 0) for line in order["order_lines"])
    order["order_tax_amount"] = max(0, taxes) + len(order["order_lines"]) + 1
    return BrokenOrder(4, "order_tax_amount", order)


def _attachment_not_an_object(order: Order) -> BrokenOrder | None:
    """Rule 5: attachment.body is JSON, but not an object."""
    order["attachment"] = {
        "body": "[1]",
        "content_type": "application/vnd.klarna.internal.emd-v2+json",
    }
    return BrokenOrder(5, "attachment.body", order)


def _region_missing(order: Order) -> BrokenOrder | None:
    """Rule 6: shipped to the US without a region."""
    address = {k: v for k, v in order.get("shipping_address", {}).items() if k != "region"}
    order["shipping_address"] = address | {"country": "US"}
    return BrokenOrder(6, "shipping_address.region", order)


def _negative_physical_line(order: Order) -> BrokenOrder | None:
    """Rule 7: a physical line with a negative price, offset by another so the sums hold."""
    lines = order["order_lines"]
    if len(lines) > MAX_LINES - 2:
        return None
    lines.append(
        {
            "name": "Sign probe",
            "type": "physical",
            "quantity": 1,
            "unit_price": 1,
            "total_amount": 1,
        }
    )
    lines.append(
        {
            "name": "Sign probe",
            "type": "physical",
            "quantity": 1,
            "unit_price": -1,
            "total_amount": -1,
        }
    )
    return BrokenOrder(7, f"order_lines[{len(lines) - 1}].unit_price", order)


def _sum_taxes(order: Order) -> None:
    if "order_tax_amount" in order:
        taxes = sum(line.get("total_tax_amount", 0) for line in order["order_lines"])
        order["order_tax_amount"] = max(0, taxes)


BREAKERS: tuple[Callable[[Order], BrokenOrder | None], ...] = (
    _line_total_off,
    _line_tax_off,
    _order_amount_off,
    _order_tax_off,
    _attachment_not_an_object,
    _region_missing,
    _negative_physical_line,
)


def break_one_rule(order: Order, turn: int) -> BrokenOrder | None:
    """The sibling for rule number ``turn % 7 + 1`` (or the next that applies)."""
    for offset in range(len(BREAKERS)):
        broken = BREAKERS[(turn + offset) % len(BREAKERS)](copy.deepcopy(order))
        if broken is not None:
            return broken
    return None
