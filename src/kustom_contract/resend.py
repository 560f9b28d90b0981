"""Requests the run's own checks send beside the generated cases: on the run's keep-alive
session (every request bounded), through the run's rate limit, and, for orders, within the
order budget (KUSTOM_ORDER_BUDGET: each extra order request against a live server may place a
real order; the summary says how many the run placed in all)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from schemathesis.core.rate_limit import ratelimit
from schemathesis.generation.case import Case

from kustom_contract.cases import operation_id
from kustom_contract.state import Ledger


@dataclass(frozen=True)
class Resent:
    """A request the run sent again and its answer, as requests has them."""

    request: requests.PreparedRequest
    response: requests.Response


def resend(
    session: requests.Session,
    ledger: Ledger,
    case: Case[Any],
    prepared: requests.PreparedRequest,
    body: Any | None = None,
) -> Resent | None:
    """``prepared`` again (same method, URL and headers: credentials and key included), with
    ``body`` as its JSON body when given; through the run's rate limit. An order is counted
    against the budget, and its answer in the ledger; None when the budget is spent."""
    is_order = operation_id(case) == "createOrder"
    if is_order and not ledger.can_send_order():
        return None
    request = prepared.copy()
    if body is not None:
        request.prepare_body(data=json.dumps(body).encode(), files=None)
        request.headers["Content-Type"] = "application/json"
    config = case.operation.schema.config
    limiter = config.rate_limit_for(operation=case.operation)
    with ratelimit(limiter, request.url):
        response = session.send(
            request, timeout=config.request_timeout_for(operation=case.operation)
        )
    if is_order:
        ledger.extra_order_requests += 1
        try:
            parsed: Any = response.json()
        except ValueError:
            parsed = None
        ledger.note_order_answer(response.status_code, parsed)
    return Resent(request, response)
