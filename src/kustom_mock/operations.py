"""What each operation of the spec does to the mock's state: the token looked up (a fresh one
claimed), then read, cancelled or charged; which orders are refused and how a cancel is recorded
are steps of the app's Behaviour (kustom_mock.behaviour).

Each handler runs inside the request's write transaction and returns a Reply or raises an
ApiError; either way the answer is the decision that the idempotency record keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kustom_mock.behaviour import Behaviour
from kustom_mock.call import Call
from kustom_mock.errors import ApiError, Reply, encode, service_unavailable
from kustom_mock.fixtures import Fixtures, Outcome
from kustom_mock.ids import uuid4
from kustom_mock.store import NewOrder, Transaction
from kustom_mock.tokens import OwnedToken, is_fresh, profile_of

Handler = Callable[[Transaction, Call], Reply]

REDIRECT_BASE = "https://credit.klarna.com/v1/sessions"  # an order's redirect_url starts so
# How much of an order's body is kept for inspection (GET /_mock/orders), this contract's
# choice: a 60-line order whole; past it the body is kept cut short, with its whole size.
KEPT_BODY_BYTES = 32 * 1024


class Operations:
    """The handlers, by operationId. A refusal and a cancel are steps of ``behaviour``
    (kustom_mock.behaviour), which the handlers call and which never call back."""

    def __init__(
        self,
        fixtures: Fixtures,
        behaviour: Behaviour,
        retention_seconds: float,
        retry_after_header: str,
        *,
        keep_bodies: bool = True,
    ) -> None:
        """``keep_bodies``: keep each order's body for GET /_mock/orders; without the test
        controls nothing could read it, and it is most of what an order writes."""
        self.keep_bodies = keep_bodies
        self.fixtures = fixtures
        self.behaviour = behaviour
        self.retention_seconds = retention_seconds  # how long tok_flaky's first attempts count
        self.retry_after_header = retry_after_header  # the served spec's name for the retry delay
        self.handlers: dict[str, Handler] = {
            "readCustomerToken": self.read_customer_token,
            "patchCustomerToken": self.patch_customer_token,
            "createOrder": self.create_order,
        }

    def _token(self, tx: Transaction, call: Call) -> OwnedToken | None:
        """The token with its state; a fresh token is claimed by its first merchant here."""
        profile = profile_of(self.fixtures, call.token)
        if profile is None:
            return None
        state = tx.token(call.token)
        if state is None and is_fresh(call.token):
            state = tx.claim_token(call.token, call.merchant.merchant_id, "ACTIVE")
        return None if state is None else OwnedToken(state, profile)

    def _own_token(self, tx: Transaction, call: Call) -> OwnedToken:
        """For the token read and status change: 404 unknown, 403 another merchant's."""
        token = self._token(tx, call)
        if token is None:
            raise token_not_found()
        if token.state.merchant_id != call.merchant.merchant_id:
            raise token_forbidden()
        return token

    def read_customer_token(self, tx: Transaction, call: Call) -> Reply:
        token = self._own_token(tx, call)
        return Reply(200, token.profile.read(token.state.status))

    def patch_customer_token(self, tx: Transaction, call: Call) -> Reply:
        self._own_token(tx, call)
        # The schema admits only CANCELLED; setting it twice changes nothing (openapi.yaml).
        self.behaviour.cancel(tx, call.token)
        return Reply(202)

    def create_order(self, tx: Transaction, call: Call) -> Reply:
        assert call.body is not None
        token = self._token(tx, call)
        if token is None:
            raise ApiError(404, "TOKEN_NOT_FOUND", ["Customer token not found"])
        self.behaviour.refuse_order(token, call)
        profile = token.profile
        if profile.outcome is Outcome.FLAKY and (
            call.idempotency_key is None
            or tx.first_flaky_attempt(
                call.merchant.merchant_id, call.idempotency_key, self.retention_seconds
            )
        ):
            raise service_unavailable(self.retry_after_header)
        order_id = uuid4()
        body = {
            "order_id": order_id,
            "redirect_url": f"{REDIRECT_BASE}/{uuid4()}/redirect",
            "fraud_status": profile.fraud_status,
            "authorized_payment_method": profile.payment_method,
        }
        tx.save_order(
            NewOrder(
                order_id=order_id,
                merchant_id=call.merchant.merchant_id,
                token=call.token,
                key=call.idempotency_key,
                summary=encode(order_summary(call.body)),
                response=encode(body),
                body=kept_body(call.raw_body) if self.keep_bodies else None,
                body_bytes=len(call.raw_body) if self.keep_bodies else None,
            )
        )
        return Reply(200, body)


def kept_body(raw: bytes) -> str:
    """The body as kept: whole up to KEPT_BODY_BYTES, else its first KEPT_BODY_BYTES bytes (a
    character cut in two at the end dropped). A body got here as valid UTF-8."""
    if len(raw) <= KEPT_BODY_BYTES:
        return raw.decode()
    return raw[:KEPT_BODY_BYTES].decode("utf-8", "ignore")


def token_not_found() -> ApiError:
    """An unknown token, for the token read, the cancel and the test controls."""
    return ApiError(404, "NOT_FOUND", ["Invalid customer-token ID"])


def token_forbidden() -> ApiError:
    """Another merchant's token, for the token read, the cancel and the test controls."""
    return ApiError(403, "TOKEN_FORBIDDEN", ["The customer token belongs to another merchant"])


def order_summary(body: dict[str, Any]) -> dict[str, Any]:
    """What the store keeps of an order's request: enough to inspect it, bounded in size."""
    return {
        "purchase_currency": body["purchase_currency"],
        "order_amount": body["order_amount"],
        "order_lines": len(body["order_lines"]),
    }
