"""The steps of a request that a server may take differently, as one object the app calls.

``Behaviour`` takes each step the mock's own way. ``create_app(behaviour=...)`` takes a
subclass that overrides a step or two, for a server that differs on purpose: one with a known
fault, to prove that the contract run catches it (the project's own tests do this,
contract_tests/faulty_mock.py), or one that answers the way another server is known to. The
rest of the mock (routing, headers, limits, the store, rendering) stays the same.

Each method says when it is called; an override may call ``super()`` for the mock's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kustom_mock.auth import authenticate
from kustom_mock.errors import Response
from kustom_mock.fixtures import Merchant
from kustom_mock.operations import (
    CANCELLED,
    Call,
    Operations,
    OwnedToken,
    fingerprint,
    refuse_order,
)
from kustom_mock.store import Transaction
from kustom_mock.validation import BodyRules, RequestValidator


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
        return Operations.rules.get(operation_id)

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
        the same key is a conflict (409)."""
        return fingerprint(call)

    def refuse_order(self, token: OwnedToken, call: Call) -> None:
        """Per order with a known token: raise the 403 ApiError that refuses it, if any."""
        refuse_order(token, call)

    def cancel(self, tx: Transaction, token: str) -> None:
        """Per accepted status change (the token is the merchant's): record it as cancelled."""
        tx.set_token_status(token, CANCELLED)

    def answer(self, call: Call, response: Response) -> Response:
        """Per request that reached its operation: the response as sent (a replay included)."""
        return response
