"""Test data shared by the client's tests."""

from __future__ import annotations

from kustom_customer_token_client.models import OrderRequest

from kustom_client import build_order, build_order_line

KEY_A = "kco_test_api_merchant_a"
USERNAME_A = "M-TEST-A-4f2c"  # the portal username of issue 10
OK = {"order_id": "o-1", "redirect_url": "https://x", "fraud_status": "ACCEPTED"}


def small_order() -> OrderRequest:
    return build_order(
        [build_order_line("Running shoe", quantity=1, unit_price=2500, tax_rate=2500)],
        purchase_currency="EUR",
    )
