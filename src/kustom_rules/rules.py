"""The order rules that JSON Schema cannot state (openapi.yaml, createOrder, "Rules across
fields", numbered as there).

Written once: the mock rejects a request that breaks one, and the client layer checks an
order before sending it, with the same messages. Input is an order as JSON data that
already validates against the spec's OrderRequest schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TAX_RATE_SCALE = 10000  # tax_rate has two implicit decimals: 2500 is 25%
REGION_REQUIRED_COUNTRIES = frozenset({"US", "AU"})
# Rule 7: lines that may carry negative amounts (a discount, a redeemed gift card or store
# credit); every other line, and a line without a type, keeps them non-negative.
NEGATIVE_LINE_TYPES = frozenset({"discount", "gift_card", "store_credit"})
SIGNED_FIELDS = ("unit_price", "total_amount", "total_tax_amount")


@dataclass(frozen=True)
class RuleViolation:
    """One broken rule: the field at fault, in Kustom's notation, and why."""

    field: str
    reason: str

    @property
    def message(self) -> str:
        """The message Kustom puts in ``error_messages``."""
        return f"Bad value: {self.field}"


def expected_line_total(quantity: int, unit_price: int, total_discount_amount: int = 0) -> int:
    """Rule 1: total_amount = quantity x unit_price - total_discount_amount."""
    return quantity * unit_price - total_discount_amount


def tax_within_tolerance(total_amount: int, tax_rate: int, total_tax_amount: int) -> bool:
    """Rule 2: |tax - (A - A*10000/(10000+r))| <= 1, in integers so no rounding can creep in."""
    denominator = TAX_RATE_SCALE + tax_rate
    return abs(total_tax_amount * denominator - total_amount * tax_rate) <= denominator


def expected_line_tax(total_amount: int, tax_rate: int) -> int:
    """The tax rule 2 centres on, rounded half up to whole minor units."""
    denominator = TAX_RATE_SCALE + tax_rate
    return (2 * total_amount * tax_rate + denominator) // (2 * denominator)


def _sign_problems(where: str, line: Mapping[str, Any]) -> list[RuleViolation]:
    """Rule 7: negative amounts only on discount, gift-card and store-credit lines."""
    if line.get("type") in NEGATIVE_LINE_TYPES:
        return []
    kind = line.get("type", "a line without a type")
    return [
        RuleViolation(
            f"{where}.{name}",
            f"{where}.{name} is {line[name]} but must not be negative on {kind} "
            f"(only {', '.join(sorted(NEGATIVE_LINE_TYPES))} lines may be)",
        )
        for name in SIGNED_FIELDS
        if line.get(name, 0) < 0
    ]


def _line_problems(index: int, line: Mapping[str, Any]) -> list[RuleViolation]:
    """Rules 7, 1 and 2 for a line known to break one of them: the messages."""
    where = f"order_lines[{index}]"
    problems = _sign_problems(where, line)
    total = line["total_amount"]
    expected = expected_line_total(
        line["quantity"], line["unit_price"], line.get("total_discount_amount", 0)
    )
    if total != expected:
        problems.append(
            RuleViolation(
                f"{where}.total_amount",
                f"{where}.total_amount is {total} but quantity x unit_price - "
                f"total_discount_amount is {expected}",
            )
        )
    if "total_tax_amount" in line:
        rate = line.get("tax_rate", 0)
        if not tax_within_tolerance(total, rate, line["total_tax_amount"]):
            problems.append(
                RuleViolation(
                    f"{where}.total_tax_amount",
                    f"{where}.total_tax_amount is {line['total_tax_amount']} but must be within 1 "
                    f"of {expected_line_tax(total, rate)} (total_amount {total} at tax_rate {rate})",
                )
            )
    return problems


def _check_attachment(attachment: Mapping[str, Any]) -> list[RuleViolation]:
    try:
        body = json.loads(attachment["body"])
    except ValueError:
        body = None
    except RecursionError:  # deeper than the parser goes: the server cannot read it either
        return [RuleViolation("attachment.body", "attachment.body nests too deeply to be read")]
    if isinstance(body, dict):
        return []
    return [RuleViolation("attachment.body", "attachment.body must be a JSON object as a string")]


def _check_address(address: Mapping[str, Any]) -> list[RuleViolation]:
    country = str(address.get("country", "")).upper()
    if country in REGION_REQUIRED_COUNTRIES and not str(address.get("region", "")).strip():
        return [
            RuleViolation(
                "shipping_address.region", f"shipping_address.region is required for {country}"
            )
        ]
    return []


def check_order(order: Mapping[str, Any]) -> list[RuleViolation]:
    """Every rule the order breaks, in field order; empty when it keeps them all."""
    lines: Sequence[Mapping[str, Any]] = order["order_lines"]
    problems: list[RuleViolation] = []
    if "attachment" in order:
        problems += _check_attachment(order["attachment"])
    # One pass with the arithmetic of rules 1 and 2 inline: the client checks every order
    # before sending it, and this loop was most of its cost on a 1000-line order (benchmarks).
    line_sum = tax_sum = 0
    for index, line in enumerate(lines):
        total = line["total_amount"]
        unit_price = line["unit_price"]
        line_sum += total
        broken = total != line["quantity"] * unit_price - line.get("total_discount_amount", 0)
        negative = total < 0 or unit_price < 0
        if "total_tax_amount" in line:
            tax = line["total_tax_amount"]
            tax_sum += tax
            negative = negative or tax < 0
            rate = line.get("tax_rate", 0)
            denominator = TAX_RATE_SCALE + rate
            broken = broken or abs(tax * denominator - total * rate) > denominator
        if negative and line.get("type") not in NEGATIVE_LINE_TYPES:
            broken = True
        if broken:
            problems += _line_problems(index, line)
    if order["order_amount"] != line_sum:
        problems.append(
            RuleViolation(
                "order_amount",
                f"order_amount is {order['order_amount']} but the lines' total_amount add up "
                f"to {line_sum}",
            )
        )
    if "order_tax_amount" in order and abs(order["order_tax_amount"] - tax_sum) > len(lines):
        problems.append(
            RuleViolation(
                "order_tax_amount",
                f"order_tax_amount is {order['order_tax_amount']} but the lines' "
                f"total_tax_amount add up to {tax_sum} (tolerance {len(lines)})",
            )
        )
    if "shipping_address" in order:
        problems += _check_address(order["shipping_address"])
    return problems
