"""The spec's prose held against the target, as checks registered with Schemathesis: they run
on every case of every phase, appear in the summary with their counts, and fail with a
reproducible case like the built-in ones. They work against any target: the spawned mock and a
live server alike.

- ``rules_across_fields``: for an accepted order, a sibling with exactly one rule broken
  (rotating through the spec's rules) must get 400 BAD_VALUE naming that field;
- ``idempotency``: an accepted keyed request sent again with the same key gets the same status
  and body; with another body under the same key, the spec's refusal (409);
- ``error_codes``: every documented error's error_code is one the spec lists for that status
  (x-error-codes), and every error carries a correlation_id;
- ``token_state``: once a token's cancel was accepted (202), a read of it says CANCELLED and an
  order with it is refused with 403 TOKEN_CANCELED. Every case runs as one merchant, so a token
  the run cancelled is that merchant's.

The first two send extra requests (contract_tests/extra_requests.py): through the run's rate
limit, and against a live server within the order budget.
"""

from __future__ import annotations

import itertools
import secrets
from collections import Counter
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from contract_tests.cases import IDEMPOTENCY_HEADER, NAMES, operation_id
from contract_tests.extra_requests import resend
from contract_tests.rule_breakers import break_one_rule
from kustom_spec import load_spec

SPEC = load_spec()
CANCELLED_TOKENS: set[str] = set()
# How often each check ran to a verdict on a case (for the summary).
CHECK_COUNTS: Counter[str] = Counter()
_rule_turns = itertools.count()


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _positive_body(case: Case[Any]) -> bool:
    return not (case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY))


def _sent_key(response: Any) -> str | None:
    key = response.request.headers.get(IDEMPOTENCY_HEADER)
    return str(key) if key else None


@schemathesis.check
def rules_across_fields(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """An accepted order's sibling with one rule broken is refused with 400 BAD_VALUE."""
    if operation_id(case) != "createOrder" or response.status_code != 200:
        return None
    if not isinstance(case.body, dict) or not _positive_body(case):
        return None
    broken = break_one_rule(case.body, next(_rule_turns))
    if broken is None:
        return None
    prepared = response.request.copy()
    if _sent_key(response) is not None:  # a key of its own: not a conflicting reuse
        prepared.headers[IDEMPOTENCY_HEADER] = f"rule-{broken.rule}-{secrets.token_hex(8)}"
    answer = resend(case, prepared, broken.order)
    if answer is None:  # the order budget is spent
        return None
    CHECK_COUNTS[f"rules_across_fields (rule {broken.rule})"] += 1
    code = answer.body.get("error_code") if isinstance(answer.body, dict) else None
    messages = answer.body.get("error_messages", []) if isinstance(answer.body, dict) else []
    wanted = f"Bad value: {broken.field}"
    if answer.status != 400 or code != "BAD_VALUE" or wanted not in messages:
        raise AssertionError(
            f"an order breaking rule {broken.rule} ({broken.field}) got {answer.status} "
            f"{code!r} {messages!r}; the spec asks for 400 BAD_VALUE with {wanted!r}"
        )
    return True


@schemathesis.check
def idempotency(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """The same key and body get the same answer; another body under the key is refused."""
    operation = operation_id(case)
    key = _sent_key(response)
    if key is None or not (
        (operation == "createOrder" and response.status_code == 200)
        or (operation == "patchCustomerToken" and response.status_code == 202)
    ):
        return None
    if not isinstance(case.body, dict) or not _positive_body(case):
        return None
    is_order = operation == "createOrder"
    first_body = _json(response) if response.content else None
    again = resend(case, response.request)
    if again is None:  # the order budget is spent
        return None
    CHECK_COUNTS["idempotency (replay)"] += 1
    if again.status != response.status_code or again.body != first_body:
        raise AssertionError(
            f"the same request under the same {IDEMPOTENCY_HEADER} got {again.status} "
            f"{again.raw[:200]!r}, not the first answer ({response.status_code})"
        )
    changed = dict(case.body) | (
        {"merchant_reference2": f"changed-{secrets.token_hex(4)}"}
        if is_order
        else {"probe": secrets.token_hex(4)}
    )
    other = resend(case, response.request, changed)
    if other is None:
        return True
    CHECK_COUNTS["idempotency (conflict)"] += 1
    code = other.body.get("error_code") if isinstance(other.body, dict) else None
    if other.status != 409 or code != "IDEMPOTENCY_KEY_CONFLICT":
        raise AssertionError(
            f"another body under the same {IDEMPOTENCY_HEADER} got {other.status} {code!r}; "
            "the spec asks for 409 IDEMPOTENCY_KEY_CONFLICT"
        )
    return True


@schemathesis.check
def error_codes(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """A documented error's error_code is one the spec lists for its status; it has a
    correlation_id."""
    status = response.status_code
    operation = SPEC.operations.get(operation_id(case))
    if status < 400 or operation is None or status not in operation.statuses:
        return None
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return None  # an invalid path may miss the operation's route: its 404 is the router's
    codes = operation.error_codes(status)
    body = _json(response)
    if not codes or not isinstance(body, dict):
        return None  # the body's shape is response_schema_conformance's to judge
    CHECK_COUNTS["error_codes"] += 1
    if body.get("error_code") not in codes:
        raise AssertionError(
            f"{status} carries error_code {body.get('error_code')!r}; the spec lists {codes} "
            f"for {status} of {operation.operation_id}"
        )
    if not body.get("correlation_id"):
        raise AssertionError(f"the {status} error has no correlation_id")
    return True


@schemathesis.check
def token_state(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """A cancelled token reads CANCELLED and can no longer be charged."""
    token = (case.path_parameters or {}).get("customerToken")
    if not isinstance(token, str):
        return None
    operation = operation_id(case)
    if operation == "patchCustomerToken" and response.status_code == 202:
        CANCELLED_TOKENS.add(token)
        return True
    if token not in CANCELLED_TOKENS:
        return None
    body = _json(response)
    CHECK_COUNTS["token_state"] += 1
    if operation == "readCustomerToken" and response.status_code == 200:
        status = body.get("status") if isinstance(body, dict) else None
        if status != "CANCELLED":
            raise AssertionError(
                f"a token whose cancel was accepted (202) reads as {status!r}, not 'CANCELLED'"
            )
    replayed = NAMES.idempotent_replayed.lower() in {k.lower() for k in response.headers}
    if operation == "createOrder" and not replayed:  # a replay answers an earlier request
        if 200 <= response.status_code < 300:
            raise AssertionError(
                "a token whose cancel was accepted (202) placed an order "
                f"(status {response.status_code})"
            )
        code = body.get("error_code") if isinstance(body, dict) else None
        if response.status_code == 403 and code != "TOKEN_CANCELED":
            raise AssertionError(
                f"an order with a cancelled token got 403 {code!r}, not 'TOKEN_CANCELED'"
            )
    return True
