"""The mock with one deliberate fault, to prove the contract run catches each kind.

``python -m contract_tests.faults --fault NAME [scripts/mock flags]`` serves like scripts/mock.
Test-only: the product never imports this.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import kustom_mock.app
from kustom_mock import MockApp
from kustom_mock.app import ASGIApp, Message, Receive, Scope, Send
from kustom_mock.cli import build_app, configure_logging, parse_args, serve
from kustom_mock.errors import Reply, Response
from kustom_mock.operations import Call, OwnedToken
from kustom_mock.store import Transaction
from kustom_rules import RuleViolation

BodyEdit = Callable[[Scope, int, dict[str, Any]], tuple[int, dict[str, Any]]]


def _token(scope: Scope) -> str:
    parts = scope["path"].split("/")
    return parts[4] if len(parts) > 4 else ""


def rewrite_responses(app: ASGIApp, edit: BodyEdit) -> ASGIApp:
    """Wrap ``app`` so that ``edit`` may change each JSON response's status and body."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: Message = {}

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = dict(message)
                return
            if not message["body"]:  # an empty 202: nothing to edit
                await send(start)
                await send(message)
                return
            status, body = edit(scope, start["status"], json.loads(message["body"]))
            raw = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(raw)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": raw})

        await app(scope, receive, capture)

    return wrapped


def server_error(scope: Scope, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A 500 whenever an order is declined by a refusing token (some valid input)."""
    if status == 403:
        return 500, {"error_code": "INTERNAL", "error_messages": ["boom"]}
    return status, body


def undocumented_status(
    scope: Scope, status: int, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    return (418, body) if _token(scope) == "tok_pending" and status == 200 else (status, body)


def enum_violation(scope: Scope, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if status == 200 and _token(scope) == "tok_card":
        body["fraud_status"] = "MAYBE"
    return status, body


def missing_field(scope: Scope, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if status == 200:
        body.pop("order_id", None)
    return status, body


def accept_invalid(app: MockApp) -> None:
    """Skip schema validation and the rules: an invalid body gets an order."""
    for validator in app.validators.values():
        validator.body = lambda value: value if isinstance(value, dict) else {}  # type: ignore[method-assign]


def cancel_does_not_stick(app: MockApp) -> None:
    """A cancel is answered 202 but changes nothing."""
    operations = app.operations

    def pretend(tx: Transaction, call: Call) -> Reply:
        operations._own_token(tx, call)
        return Reply(202)

    operations.handlers["patchCustomerToken"] = pretend


def cancelled_token_orders(app: MockApp) -> None:
    """A cancelled token can still place orders."""
    operations = app.operations
    refusal = operations._refusal

    def lenient(token: OwnedToken, call: Call) -> None:
        if token.state.status != "CANCELLED":
            refusal(token, call)

    operations._refusal = lenient  # type: ignore[method-assign]


def ignore_credentials(app: MockApp) -> None:
    """Any credentials, or none, pass as merchant A."""
    merchant = next(iter(app.fixtures.merchants_by_key.values()))
    kustom_mock.app.authenticate = lambda header, merchants_by_key: merchant  # type: ignore[attr-defined]


def wrong_error_code(scope: Scope, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """An unknown token's order answered with the read's code (NOT_FOUND, not TOKEN_NOT_FOUND)."""
    if status == 404 and body.get("error_code") == "TOKEN_NOT_FOUND":
        body["error_code"] = "NOT_FOUND"
    return status, body


RESPONSE_FAULTS: dict[str, BodyEdit] = {
    "server_error": server_error,
    "undocumented_status": undocumented_status,
    "enum_violation": enum_violation,
    "missing_field": missing_field,
    "wrong_error_code": wrong_error_code,
}


def refuse_discount_lines(app: MockApp) -> None:
    """Negative amounts refused on every line, as before Kustom's discount lines were known."""
    validator = app.validators["createOrder"]
    rules = validator._rules
    assert rules is not None

    def stricter(order: Mapping[str, Any]) -> list[RuleViolation]:
        negative = [
            RuleViolation(f"order_lines[{i}].unit_price", "negative unit_price")
            for i, line in enumerate(order["order_lines"])
            if line["unit_price"] < 0
        ]
        return negative or rules(order)

    validator._rules = stricter


def rules_not_enforced(app: MockApp) -> None:
    """The schema is checked, the rules across fields are not: orders that do not add up pass."""
    app.validators["createOrder"]._rules = None


def replay_ignored(app: MockApp) -> None:
    """The idempotency key's form is checked, but the key is never honoured: every request
    runs anew (a second order), and a reuse with another body is never refused."""
    execute = app._execute

    def forgetful(call: Call, correlation_id: str) -> Response:
        return execute(dataclasses.replace(call, idempotency_key=None), correlation_id)

    app._execute = forgetful  # type: ignore[method-assign]


def conflict_ignored(app: MockApp) -> None:
    """A key's record ignores the body: another body under the same key gets the first answer."""

    def body_blind(call: Call) -> str:
        return f"{call.operation_id}\n{call.token}"

    kustom_mock.app.fingerprint = body_blind


APP_FAULTS: dict[str, Callable[[MockApp], None]] = {
    "accept_invalid": accept_invalid,
    "ignore_credentials": ignore_credentials,
    "cancel_does_not_stick": cancel_does_not_stick,
    "cancelled_token_orders": cancelled_token_orders,
    "refuse_discount_lines": refuse_discount_lines,
    "rules_not_enforced": rules_not_enforced,
    "replay_ignored": replay_ignored,
    "conflict_ignored": conflict_ignored,
}
FAULTS = sorted([*RESPONSE_FAULTS, *APP_FAULTS])


def main(argv: Sequence[str] | None = None) -> int:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--fault", choices=FAULTS, required=True)
    known, rest = pre.parse_known_args(argv)
    args = parse_args(rest)
    configure_logging(args.log_level)
    app = build_app(args)
    if app is None:
        return 2
    served: ASGIApp = app
    if known.fault in APP_FAULTS:
        APP_FAULTS[known.fault](app)
    else:
        served = rewrite_responses(app, RESPONSE_FAULTS[known.fault])
    return serve(served, args, label=f"kustom-mock (fault: {known.fault})")


if __name__ == "__main__":
    sys.exit(main())
