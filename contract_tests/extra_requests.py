"""Requests the run's own checks send beside the generated cases: on the run's keep-alive
session, through the run's rate limit, and, for orders, within a budget.

Against a live server each extra order request may place a real order, so a budget
(KUSTOM_ORDER_BUDGET, kustom_devtools.contract_settings; none for the spawned mock, though a
value that is not a whole number is refused there too) caps them,
and the summary says how many orders the run placed in all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import requests
from schemathesis.core.rate_limit import ratelimit
from schemathesis.generation.case import Case

from contract_tests.cases import operation_id
from kustom_devtools.contract_settings import order_budget_from_env
from kustom_devtools.target import Target


@dataclass
class Ledger:
    """What the checks sent, and the orders the run placed (2xx answers to createOrder)."""

    # The run's session (contract_tests/run.py): one keep-alive connection for the run (a new
    # one per case cost about a millisecond each), every request bounded.
    session: requests.Session = field(default_factory=requests.Session)
    budget: int | None = None  # extra order requests allowed; None: no limit
    extra_order_requests: int = 0
    orders_placed: int = 0
    order_ids: set[str] = field(default_factory=set)

    def can_send_order(self) -> bool:
        return self.budget is None or self.extra_order_requests < self.budget

    def note_order_answer(self, status: int, body: Any) -> None:
        """Count an order that a 2xx answer created (a replay's order_id counts once)."""
        if not 200 <= status < 300:
            return
        order_id = body.get("order_id") if isinstance(body, dict) else None
        if order_id is None or order_id not in self.order_ids:
            self.orders_placed += 1
        if isinstance(order_id, str):
            self.order_ids.add(order_id)


LEDGER = Ledger()


def configure(target: Target, session: requests.Session) -> None:
    env = dict(os.environ)
    session.trust_env = not target.is_local  # no proxy lookup on loopback (it is per call)
    LEDGER.session = session
    budget = order_budget_from_env(env)  # read even for the spawned mock: a typo is refused
    LEDGER.budget = None if target.is_mock else budget


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # parsed JSON, or None
    raw: bytes


def resend(
    case: Case[Any], prepared: requests.PreparedRequest, body: Any | None = None
) -> Answer | None:
    """``prepared`` again (same method, URL and headers: credentials and key included), with
    ``body`` as its JSON body when given; through the run's rate limit. An order is counted
    against the budget, and its answer in the ledger; None when the budget is spent."""
    is_order = operation_id(case) == "createOrder"
    if is_order and not LEDGER.can_send_order():
        return None
    request = prepared.copy()
    if body is not None:
        request.prepare_body(data=json.dumps(body).encode(), files=None)
        request.headers["Content-Type"] = "application/json"
    config = case.operation.schema.config
    limiter = config.rate_limit_for(operation=case.operation)
    with ratelimit(limiter, request.url):
        response = LEDGER.session.send(
            request, timeout=config.request_timeout_for(operation=case.operation)
        )
    try:
        parsed: Any = response.json()
    except ValueError:
        parsed = None
    if is_order:
        LEDGER.extra_order_requests += 1
        LEDGER.note_order_answer(response.status_code, parsed)
    return Answer(response.status_code, parsed, response.content)
