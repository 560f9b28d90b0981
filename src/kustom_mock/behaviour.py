"""The steps of a request that a server may take differently, as one object the app calls.

``Behaviour`` takes each step the mock's own way. ``create_app(behaviour=...)`` takes a
subclass that overrides a step or two, for a server that differs on purpose: one with a known
fault, to prove that the contract run catches it (the project's own tests do this,
contract_tests/faulty_mock.py), or one that answers the way another server is known to. The
rest of the mock (routing, headers, limits, the store, rendering) stays the same.

The app and the operations (kustom_mock.operations) call these steps; a step never calls back
into them: each default is written here whole, beside the seam that replaces it, so an override
replaces the step and nothing else, and the handlers stay one fixed sequence for every server.

Each method says when it is called; an override may call ``super()`` for the mock's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import orjson

from kustom_mock.auth import authenticate
from kustom_mock.call import Call
from kustom_mock.errors import ApiError, Response
from kustom_mock.fixtures import Merchant, Outcome
from kustom_mock.store import Transaction
from kustom_mock.tokens import CANCELLED, OwnedToken
from kustom_mock.validation import BodyRules, RequestValidator
from kustom_rules import check_order

# The rules across fields a body must keep beyond its schema, by operationId (kustom_rules).
BODY_RULES: dict[str, BodyRules] = {"createOrder": check_order}


class Behaviour:
    """The mock's own way of taking each step that a server may take differently."""

    def authenticate(
        self, header: str | None, merchants_by_key: Mapping[str, Merchant], scheme: str
    ) -> Merchant:
        """Per request: the merchant the Authorization header proves under ``scheme`` (the
        served spec's, kustom_spec.Names.auth_scheme), or a 401 ApiError."""
        return authenticate(header, merchants_by_key, scheme)

    def body_rules(self, operation_id: str) -> BodyRules | None:
        """Once, at start-up: the rules across fields an operation's body must keep beyond its
        schema (kustom_rules); None: none."""
        return BODY_RULES.get(operation_id)

    def check_body(self, validator: RequestValidator, body: Any) -> dict[str, Any]:
        """Per request with a body (parsed JSON): the body if it keeps its operation's schema
        and rules, else a 400 ApiError."""
        return validator.body(body)

    def idempotency_key(self, key: str | None) -> str | None:
        """Per request: the key its answer is kept and replayed under (the header's, checked
        already); None: the request runs anew and its answer is not kept."""
        return key

    def fingerprint(self, call: Call) -> str:
        """Per keyed request: what must match the key's record for a replay; another value under
        the same key is a conflict (409). The mock's: operation, token and body (as JSON, so
        formatting and key order do not count)."""
        try:  # orjson: a tenth of json.dumps's time on a 1000-line order
            canonical = orjson.dumps(call.body, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # integers past 64 bits, which the schema allows
            canonical = json.dumps(call.body, sort_keys=True, separators=(",", ":")).encode()
        head = f"{call.operation_id}\n{call.token}\n".encode("utf-8", "surrogatepass")
        return hashlib.sha256(head + canonical).hexdigest()

    def refuse_order(self, token: OwnedToken, call: Call) -> None:
        """Per order with a known token: raise the 403 ApiError that refuses it, if any."""
        assert call.body is not None
        if token.state.merchant_id != call.merchant.merchant_id:
            # "The customer token exists, but isn't linked to your merchant ID" (Klarna).
            raise ApiError(403, "TOKEN_CANCELED", ["The customer token is canceled"])
        if token.state.status == "SUSPENDED":
            raise ApiError(403, "TOKEN_SUSPENDED", ["The customer token is suspended"])
        if token.state.status == CANCELLED:
            raise ApiError(403, "TOKEN_CANCELED", ["The customer token is canceled"])
        currency = str(call.body["purchase_currency"]).upper()
        if token.profile.currencies is not None and currency not in token.profile.currencies:
            raise ApiError(
                403,
                "UNAVAILABLE_PAYMENT_METHOD",
                [f"The payment method is not available for purchase currency {currency}"],
            )
        if token.profile.outcome is Outcome.DECLINED:
            raise ApiError(
                403,
                "PAYMENT_METHOD_FAILED",
                ["The purchase was declined by the payment method"],
                reason="The purchase was declined",
                extra={"authorized_payment_method": token.profile.payment_method},
            )

    def cancel(self, tx: Transaction, token: str) -> None:
        """Per accepted status change (the token is the merchant's): record it as cancelled."""
        tx.set_token_status(token, CANCELLED)

    def answer(self, call: Call, response: Response) -> Response:
        """Per request that reached its operation: the response as sent (a replay included)."""
        return response
