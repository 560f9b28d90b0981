"""Build order lines and orders whose amounts add up: the commonest integration error.

Totals and taxes come from the same rules the server enforces (kustom_rules); the result is
the generated models, ready to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kustom_customer_token_client.models import OrderLine, OrderRequest

from kustom_rules import expected_line_tax, expected_line_total


def build_order_line(
    name: str,
    *,
    quantity: int,
    unit_price: int,
    tax_rate: int = 0,
    total_discount_amount: int = 0,
    **fields: Any,
) -> OrderLine:
    """An order line with ``total_amount`` and ``total_tax_amount`` computed.

    Amounts are integers in minor units, ``tax_rate`` has two implicit decimals (2000 = 20%).
    Other fields (``type``, ``reference``, ``product_identifiers``, ...) are passed as in the
    JSON. Raises ValueError for negative amounts or a discount above the line's price.
    """
    for label, value in (
        ("quantity", quantity),
        ("unit_price", unit_price),
        ("tax_rate", tax_rate),
        ("total_discount_amount", total_discount_amount),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{label} must be a non-negative integer, not {value!r}")
    total = expected_line_total(quantity, unit_price, total_discount_amount)
    if total < 0:
        raise ValueError(
            f"total_discount_amount {total_discount_amount} is more than quantity x unit_price"
        )
    line = {
        **fields,
        "name": name,
        "quantity": quantity,
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "total_discount_amount": total_discount_amount,
        "total_amount": total,
        "total_tax_amount": expected_line_tax(total, tax_rate),
    }
    return OrderLine.from_dict(line)


def build_order(
    lines: Sequence[OrderLine], *, purchase_currency: str, **fields: Any
) -> OrderRequest:
    """An order with ``order_amount`` and ``order_tax_amount`` summed from its lines."""
    if not lines:
        raise ValueError("an order needs at least one line")
    line_dicts = [line.to_dict() for line in lines]
    order = {
        **fields,
        "purchase_currency": purchase_currency,
        "order_lines": line_dicts,
        "order_amount": sum(line["total_amount"] for line in line_dicts),
        "order_tax_amount": sum(line.get("total_tax_amount", 0) for line in line_dicts),
    }
    return OrderRequest.from_dict(order)
