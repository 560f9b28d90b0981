"""The mock with one deliberate fault, to prove that the contract run catches each kind.

``python -m contract_tests.faulty_mock --fault NAME [scripts/mock flags]`` serves like
scripts/mock, with the app built through the mock's own seam for this:
``create_app(behaviour=...)``, a ``kustom_mock.Behaviour`` that takes one step differently.
The contract run spawns it with ``--mock-command`` (kustom_contract/plugin.py).
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kustom_mock import Behaviour, cli
from kustom_mock.call import Call
from kustom_mock.errors import ApiError, Response
from kustom_mock.fixtures import Merchant, Outcome
from kustom_mock.store import Transaction
from kustom_mock.tokens import CANCELLED, OwnedToken
from kustom_mock.validation import BodyRules, RequestValidator
from kustom_rules import RuleViolation

JSON = dict[str, Any]


class EditedAnswers(Behaviour):
    """Every JSON answer (status and body) passed through ``edit(call, status, body)``."""

    def __init__(self, edit: Callable[[Call, int, JSON], tuple[int, JSON]]) -> None:
        self.edit = edit

    def answer(self, call: Call, response: Response) -> Response:
        if not response.body:  # an empty 202: nothing to edit
            return response
        status, body = self.edit(call, response.status, json.loads(response.body))
        return Response(status, json.dumps(body).encode(), response.headers, response.replayed)


def server_error(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    """A 500 whenever a token is refused (some valid input)."""
    if status == 403:
        return 500, {"error_code": "INTERNAL", "error_messages": ["boom"]}
    return status, body


def undocumented_status(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    return (418, body) if call.token == "tok_pending" and status == 200 else (status, body)


def enum_violation(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    if status == 200 and call.token == "tok_card":
        body["fraud_status"] = "MAYBE"
    return status, body


def missing_field(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    if status == 200:
        body.pop("order_id", None)
    return status, body


def wrong_error_code(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    """An unknown token's order answered with the read's code (NOT_FOUND, not TOKEN_NOT_FOUND)."""
    if status == 404 and body.get("error_code") == "TOKEN_NOT_FOUND":
        body["error_code"] = "NOT_FOUND"
    return status, body


class AcceptInvalid(Behaviour):
    """Neither the schema nor the rules are checked: an invalid body gets an order."""

    def check_body(self, validator: RequestValidator, body: Any) -> dict[str, Any]:
        return body if isinstance(body, dict) else {}


class IgnoreCredentials(Behaviour):
    """Any credentials, or none, pass as the first merchant."""

    def authenticate(
        self, header: str | None, merchants_by_key: Mapping[str, Merchant], scheme: str
    ) -> Merchant:
        return next(iter(merchants_by_key.values()))


class CancelDoesNotStick(Behaviour):
    """A cancel is answered 202 but changes nothing."""

    def cancel(self, tx: Transaction, token: str) -> None:
        return None


class CancelledTokenOrders(Behaviour):
    """A cancelled token can still place orders."""

    def refuse_order(self, token: OwnedToken, call: Call) -> None:
        if token.state.status != CANCELLED:
            super().refuse_order(token, call)


class RefuseDiscountLines(Behaviour):
    """Negative amounts refused on every line, as before Kustom's discount lines were known."""

    def body_rules(self, operation_id: str) -> BodyRules | None:
        rules = super().body_rules(operation_id)
        if rules is None:
            return None

        def stricter(order: Mapping[str, Any]) -> list[RuleViolation]:
            negative = [
                RuleViolation(f"order_lines[{i}].unit_price", "negative unit_price")
                for i, line in enumerate(order["order_lines"])
                if line["unit_price"] < 0
            ]
            return negative or rules(order)

        return stricter


class RulesNotEnforced(Behaviour):
    """The schema is checked, the rules across fields are not: orders that do not add up pass."""

    def body_rules(self, operation_id: str) -> BodyRules | None:
        return None


class ReplayIgnored(Behaviour):
    """The idempotency key's form is checked, but the key is never honoured: every request
    runs anew (a second order), and a reuse with another body is never refused."""

    def idempotency_key(self, key: str | None) -> str | None:
        return None


class ConflictIgnored(Behaviour):
    """A key's record ignores the body: another body under the same key gets the first answer."""

    def fingerprint(self, call: Call) -> str:
        return f"{call.operation_id}\n{call.token}"


class TotalsOnly(Behaviour):
    """Only the order's total is checked (order_amount the sum of the lines' totals); nothing
    else of the schema or the rules: an order that breaks one other constraint gets an order."""

    def check_body(self, validator: RequestValidator, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return {}
        try:
            total = sum(int(line["total_amount"]) for line in body["order_lines"])
            if total != int(body["order_amount"]):
                raise ApiError(400, "BAD_VALUE", ["Bad value: order_amount"])
        except (KeyError, TypeError, ValueError):
            pass  # what it does not check, it lets through
        return body


class SuspendedAsCancelled(Behaviour):
    """A suspended token's order is refused with the wrong code (TOKEN_CANCELED)."""

    def refuse_order(self, token: OwnedToken, call: Call) -> None:
        if token.state.status == "SUSPENDED":
            raise ApiError(403, "TOKEN_CANCELED", ["The customer token is canceled"])
        super().refuse_order(token, call)


class DeclineNeverRefused(Behaviour):
    """A declined payment method is never refused: the order goes through (no 403 at all)."""

    def refuse_order(self, token: OwnedToken, call: Call) -> None:
        if token.profile.outcome is not Outcome.DECLINED:
            super().refuse_order(token, call)


class AnyUsername(Behaviour):
    """The merchant's key with any username passes: the username is never compared."""

    def authenticate(
        self, header: str | None, merchants_by_key: Mapping[str, Merchant], scheme: str
    ) -> Merchant:
        _, _, credentials = (header or "").strip().partition(" ")
        try:
            _, _, key = base64.b64decode(credentials, validate=True).decode().partition(":")
        except ValueError:
            key = ""
        if key in merchants_by_key:
            return merchants_by_key[key]
        return super().authenticate(header, merchants_by_key, scheme)


class SharedKeys(Behaviour):
    """Idempotency keys shared across merchants: a key another merchant used replays that
    merchant's answer (or 409 for another request), as a server that forgets whose key it is.
    Kept in this process (the faulty mock runs as one)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, Response]] = {}  # key -> (merchant, first answer)

    def answer(self, call: Call, response: Response) -> Response:
        key = call.idempotency_key
        if key is None or response.status >= 500:
            return response
        merchant = call.merchant.merchant_id
        earlier = self.first.setdefault(key, (merchant, response))
        if earlier[0] == merchant:
            return response
        return Response(earlier[1].status, earlier[1].body, earlier[1].headers, replayed=True)


FAULTS: dict[str, Callable[[], Behaviour]] = {
    "accept_invalid": AcceptInvalid,
    "ignore_credentials": IgnoreCredentials,
    "cancel_does_not_stick": CancelDoesNotStick,
    "cancelled_token_orders": CancelledTokenOrders,
    "refuse_discount_lines": RefuseDiscountLines,
    "rules_not_enforced": RulesNotEnforced,
    "replay_ignored": ReplayIgnored,
    "conflict_ignored": ConflictIgnored,
    "totals_only": TotalsOnly,
    "suspended_as_cancelled": SuspendedAsCancelled,
    "decline_never_refused": DeclineNeverRefused,
    "any_username": AnyUsername,
    "shared_keys": SharedKeys,
    **{
        edit.__name__: functools.partial(EditedAnswers, edit)
        for edit in (
            server_error,
            undocumented_status,
            enum_violation,
            missing_field,
            wrong_error_code,
        )
    },
}


def without_correlation_id(call: Call, status: int, body: JSON) -> tuple[int, JSON]:
    """Not a fault: errors without the body's correlation_id, which the Error schema leaves
    optional (the header still carries it). A run that demanded it would fail a correct server."""
    body.pop("correlation_id", None)
    return status, body


# Servers that differ from the mock where the spec allows it: the run must pass them.
ALLOWED: dict[str, Callable[[], Behaviour]] = {
    "without_correlation_id": functools.partial(EditedAnswers, without_correlation_id)
}


def main(argv: Sequence[str] | None = None) -> int:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--fault", choices=sorted({**FAULTS, **ALLOWED}), required=True)
    known, rest = pre.parse_known_args(argv)
    behaviour = {**FAULTS, **ALLOWED}[known.fault]()
    return cli.main(rest, behaviour=behaviour, label=f"kustom-mock (fault: {known.fault})")


if __name__ == "__main__":
    sys.exit(main())
