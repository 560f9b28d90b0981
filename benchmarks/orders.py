"""Realistic orders for the benchmarks, built with the client's builder (amounts add up)."""

from __future__ import annotations

import json
from typing import Any

from kustom_client import build_order, build_order_line


def realistic_order(lines: int) -> dict[str, Any]:
    built = [
        build_order_line(
            f"Running shoe model {i}, size 42, white",
            quantity=1 + i % 5,
            unit_price=4999,
            tax_rate=2000,
            total_discount_amount=100,
            type="physical",
            reference=f"SKU-{i:06d}",
            quantity_unit="pcs",
            image_url=f"https://www.example.com/images/products/{i}.png",
            product_url=f"https://www.example.com/products/{i}.html",
            product_identifiers={
                "brand": "shoe-brand",
                "category_path": "Shoes > Running",
                "global_trade_item_number": "4912345678904",
                "manufacturer_part_number": "AD6654412-334.22",
                "color": "white",
                "size": "42",
            },
        )
        for i in range(lines)
    ]
    order = build_order(
        built,
        purchase_currency="EUR",
        merchant_reference1="ON4711",
        merchant_urls={"confirmation": "https://www.example.com/confirmation"},
    )
    return order.to_dict()


def encoded(order: dict[str, Any]) -> bytes:
    return json.dumps(order, separators=(",", ":")).encode()
