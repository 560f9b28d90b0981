"""One provocation sent and judged (kustom_contract/provocations.py lists them): each request on
the run's session (bounded, through its rate limit), each exchange held to every rule of the
conformance core and fed to the run's history; the last answer must carry the status and error
code wanted. What it found is a list of ``Finding``s, so that a live target's known differences
(kustom_contract/known_differences.py) apply to it as to a generated case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from schemathesis.core.rate_limit import ratelimit

from kustom_conformance import Exchange, Side
from kustom_contract.coverage import answer_key, enum_fields
from kustom_contract.exchanges import from_requests
from kustom_contract.known_differences import Finding
from kustom_contract.provocations import Provocation, Sent

if TYPE_CHECKING:
    from kustom_contract.run import ContractRun


def _send(run: ContractRun, base_url: str, sent: Sent) -> Exchange:
    prepared = requests.Request(
        sent.method, base_url + sent.path, headers=sent.headers, data=sent.body or None
    ).prepare()
    config = run.schema.config
    with ratelimit(config.rate_limit_for(), prepared.url):
        response = run.session.send(prepared, timeout=config.request_timeout_for())
    return from_requests(prepared, response, urlsplit(base_url).path.rstrip("/"))


# The mock's test controls (docs/mock.md): where a fault is armed for the calling merchant.
FAULTS_PATH = "/_mock/faults"


def _arm(run: ContractRun, base_url: str, fault: dict[str, Any], headers: dict[str, str]) -> str:
    """Arm ``fault`` in the mock with the merchant's credentials; a problem, or "" if armed."""
    auth = {"Authorization": headers["Authorization"]}
    response = run.session.post(
        base_url + FAULTS_PATH,
        json=fault,
        headers=auth,
        timeout=run.schema.config.request_timeout_for(),
    )
    if response.status_code != 201:
        return f"arming a fault at {FAULTS_PATH}: {response.status_code}"
    return ""


def places_orders(provocation: Provocation) -> int:
    """How many of its requests may place a real order: the valid orders, and the first of a
    key's sequence."""
    if provocation.operation != "createOrder":
        return 0
    if 200 <= provocation.status < 300:
        return len(provocation.requests)
    return len(provocation.requests) - 1


@dataclass(frozen=True)
class Outcome:
    """``problem``: what went wrong, one line per finding (None: as the spec says, or every
    difference a known one); ``skipped``: why nothing was sent."""

    problem: str | None = None
    skipped: str | None = None


def provoke(run: ContractRun, provocation: Provocation, base_url: str) -> Outcome:
    """Send it and judge every answer."""
    ledger = run.state.ledger
    for _ in range(places_orders(provocation)):  # spent once across the run's processes
        if not ledger.spend_order_request():
            return Outcome(skipped="the order budget (KUSTOM_ORDER_BUDGET) is spent")
    own_target = base_url == run.base_url
    found: list[Finding] = []
    last: Exchange | None = None
    sends = list(provocation.requests)
    if provocation.repeat_until is not None:
        sends += [sends[-1]] * (provocation.repeat_until - 1)
    conformance = run.checks.conformance
    for number, sent in enumerate(sends):
        if provocation.arm is not None and number == len(sends) - 1:
            problem = _arm(run, base_url, provocation.arm, sent.headers)
            if problem:
                return Outcome(f"[provoked.arm] {provocation.id}: {problem}")
        last = _send(run, base_url, sent)
        answer = last.response
        run.state.coverage.answer(sent.operation, answer.status, answer.json)
        run.state.coverage.sent(sent.operation, last.request.json, enum_fields(sent.operation))
        if sent.operation == "createOrder":
            ledger.note_order_answer(answer.status, answer.json)
        violations = [v for v in conformance.check(last) if v.side is Side.SERVER]
        if own_target:
            violations += run.state.history.feed(last)
        found += [Finding(sent.operation, v.rule, str(v)) for v in violations]
        if provocation.repeat_until is not None and answer.status == provocation.status:
            break
    assert last is not None
    status, body = last.response.status, last.response.json
    code = body.get("error_code") if isinstance(body, dict) else None
    op = provocation.operation
    if status != provocation.status:
        found.append(
            Finding(op, "provoked.status", f"{provocation.id}: {status}, not {provocation.status}")
        )
    elif provocation.error_code is not None and code != provocation.error_code:
        found.append(
            Finding(
                op,
                "provoked.error-code",
                f"{provocation.id}: error_code {code!r}, not {provocation.error_code!r}",
            )
        )
    for name, wanted in provocation.body:
        got = body.get(name) if isinstance(body, dict) else None
        if status == provocation.status and got != wanted:
            found.append(
                Finding(op, "provoked.body", f"{provocation.id}: {name} {got!r}, not {wanted!r}")
            )
    if not found:
        run.state.coverage.provoked[answer_key(op, status, provocation.error_code)] += 1
        return Outcome()
    if run.known.entries and run.known.known(found):
        return Outcome()
    return Outcome("\n".join(f"[{f.finding}] {f.message}" for f in found))
