"""Make a schema-valid order keep the rules across fields too, without leaving the schema.

Random valid payloads almost never add up, so without this nearly every positive case would
end in a 400 and the success path would go untested. Only values the rules tie together are
changed, and each stays within its schema limits (read from the spec, not restated). Values
a real server checks beyond the schema (a currency that exists, a region of the country) are
set to ones it accepts, so that a run against a live server reaches its success path too.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kustom_rules import NEGATIVE_LINE_TYPES, expected_line_tax
from kustom_rules.rules import REGION_REQUIRED_COUNTRIES
from kustom_spec import load_spec

_LINE = load_spec().component("OrderLine")["properties"]
MAX_LINE_TOTAL: int = _LINE["total_amount"]["maximum"]
MAX_UNIT_PRICE: int = _LINE["unit_price"]["maximum"]
# ISO 3166-2 subdivisions for the countries where rule 6 asks for a region (Ohio; New South
# Wales): "OH" alone is no region of Australia.
REGION_FILLERS = {"US": "OH", "AU": "NSW"}
assert set(REGION_FILLERS) == REGION_REQUIRED_COUNTRIES
# Real ISO 4217 currencies of Kustom's markets, for a generated code that is none.
CURRENCIES = ("EUR", "GBP", "SEK", "NOK", "DKK", "USD", "CHF", "AUD")


def _pick(options: tuple[str, ...], seed: str) -> str:
    return options[int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % len(options)]


def _flipped(unit_price: int) -> int:
    """A negative price made positive, within the schema's maximum."""
    return min(-unit_price, MAX_UNIT_PRICE)


def repair_line(line: dict[str, Any]) -> None:
    unit_price = line["unit_price"]
    if unit_price < 0 and line.get("type") not in NEGATIVE_LINE_TYPES:
        unit_price = line["unit_price"] = _flipped(unit_price)  # rule 7
    quantity = line["quantity"]
    if unit_price and abs(quantity * unit_price) > MAX_LINE_TOTAL:
        quantity = line["quantity"] = MAX_LINE_TOTAL // abs(unit_price)
    gross = quantity * unit_price
    discount = line.get("total_discount_amount", 0)
    if discount > max(gross, 0):
        discount = line["total_discount_amount"] = max(gross, 0)
    line["total_amount"] = gross - discount
    if "total_tax_amount" in line:
        line["total_tax_amount"] = expected_line_tax(line["total_amount"], line.get("tax_rate", 0))


def repair_order(order: dict[str, Any], *, currency: str | None = None) -> dict[str, Any]:
    """Fix ``order`` in place so that check_order() finds nothing; returns it. ``currency``:
    the purchase currency to use (a live token's), else a real one is kept or chosen."""
    lines = order.get("order_lines")
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        return order
    for line in lines:
        repair_line(line)
    # order_amount and order_tax_amount are non-negative: discounts may not outweigh the goods.
    if (
        sum(line["total_amount"] for line in lines) < 0
        or sum(line.get("total_tax_amount", 0) for line in lines) < 0
    ):
        for line in lines:
            if line["unit_price"] < 0:
                line["unit_price"] = _flipped(line["unit_price"])
                repair_line(line)
    order["order_amount"] = sum(line["total_amount"] for line in lines)
    if "order_tax_amount" in order:
        order["order_tax_amount"] = sum(line.get("total_tax_amount", 0) for line in lines)
    generated = str(order.get("purchase_currency", ""))
    if currency is not None:
        order["purchase_currency"] = currency
    elif generated.upper() not in CURRENCIES:
        order["purchase_currency"] = _pick(CURRENCIES, generated)
    attachment = order.get("attachment")
    if isinstance(attachment, dict) and "body" in attachment:
        try:
            parsed = json.loads(attachment["body"])
        except (TypeError, ValueError):
            parsed = None
        if not isinstance(parsed, dict):
            attachment["body"] = json.dumps({"value": attachment["body"]})
    address = order.get("shipping_address")
    if isinstance(address, dict):
        country = str(address.get("country", "")).upper()
        if country in REGION_FILLERS and not str(address.get("region", "")).strip():
            address["region"] = REGION_FILLERS[country]
    return order
