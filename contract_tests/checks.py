"""Checks of what the spec promises beyond one response, registered with Schemathesis so that
they run on every case, in every phase, against any target.

``token_state``: once a token's cancel was accepted (202), a read of it says ``CANCELLED``
and an order with it is refused with ``403 TOKEN_CANCELED`` (openapi.yaml,
patchCustomerToken). Every case runs as the same merchant, so a token this run cancelled is
that merchant's.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.generation.case import Case

CANCELLED_TOKENS: set[str] = set()


def _operation_id(case: Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@schemathesis.check
def token_state(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """A cancelled token reads CANCELLED and can no longer be charged."""
    token = (case.path_parameters or {}).get("customerToken")
    if not isinstance(token, str):
        return None
    operation = _operation_id(case)
    if operation == "patchCustomerToken" and response.status_code == 202:
        CANCELLED_TOKENS.add(token)
        return True
    if token not in CANCELLED_TOKENS:
        return None
    body = _json(response)
    if operation == "readCustomerToken" and response.status_code == 200:
        status = body.get("status") if isinstance(body, dict) else None
        if status != "CANCELLED":
            raise AssertionError(
                f"a token whose cancel was accepted (202) reads as {status!r}, not 'CANCELLED'"
            )
    replayed = "idempotent-replayed" in {k.lower() for k in response.headers}
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
