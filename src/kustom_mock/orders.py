"""What an order with a given customer token leads to: the mock's business rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from kustom_mock.fixtures import Merchant, Outcome, Token

DEFAULT_REDIRECT_BASE = "https://credit.klarna.com/v1/sessions"


@dataclass
class Reply:
    """A response decided inside the idempotency transaction (nothing raised there)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def order_id(self) -> str | None:
        return self.body.get("order_id") if self.status == 200 else None


def error_reply(status: int, code: str, message: str, **extra: Any) -> Reply:
    return Reply(status, {"error_code": code, "error_messages": [message], **extra})


def printable(text: str, limit: int = 200) -> str:
    """Echo client input without control characters (they could forge lines in logs)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:limit])


def token_not_found(name: str) -> Reply:
    return error_reply(404, "TOKEN_NOT_FOUND", f"Customer token not found: {printable(name)}")


def idempotency_conflict() -> Reply:
    return error_reply(
        409,
        "IDEMPOTENCY_KEY_CONFLICT",
        "The request does not match the earlier request with this Klarna-Idempotency-Key",
    )


def token_problem(token: Token, merchant: Merchant, currency: str) -> Reply | None:
    """The 403 a known token gets before any order is placed, or None when it can be charged."""
    if token.merchant_id != merchant.merchant_id:
        # The token exists but not for this merchant: Kustom answers as for a cancelled one.
        return error_reply(403, "TOKEN_CANCELED", "The customer token is canceled")
    if token.outcome is Outcome.SUSPENDED:
        return error_reply(403, "TOKEN_SUSPENDED", "The customer token is suspended")
    if token.outcome is Outcome.CANCELED:
        return error_reply(403, "TOKEN_CANCELED", "The customer token is canceled")
    if token.currencies is not None and currency.upper() not in token.currencies:
        return error_reply(
            403,
            "UNAVAILABLE_PAYMENT_METHOD",
            f"The payment method is not available for purchase currency {currency.upper()}",
        )
    if token.outcome is Outcome.DECLINED:
        return error_reply(
            403,
            "PAYMENT_METHOD_FAILED",
            "The purchase was declined by the payment method",
            reason="The purchase was declined",
            authorized_payment_method=token.payment_method,
        )
    return None


def service_unavailable() -> Reply:
    return error_reply(
        503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable, please retry"
    )


def order_created(token: Token, redirect_base: str = DEFAULT_REDIRECT_BASE) -> Reply:
    return Reply(
        200,
        {
            "order_id": str(uuid.uuid4()),
            "redirect_url": f"{redirect_base}/{uuid.uuid4()}/redirect",
            "fraud_status": token.fraud_status,
            "authorized_payment_method": token.payment_method,
        },
    )
