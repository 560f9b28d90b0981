"""The spec's prose held against the target: thin adapters from Schemathesis' checks to the
conformance core (kustom_conformance), which holds the rules. They run on every case of every
phase beside the built-in checks (passed to ``validate_response`` as additional checks, bound
to the run), count in the summary, and fail with a reproducible case like the built-in ones;
against the spawned mock and a live server alike.

- ``error_codes``: a documented error's ``error_code`` is one its response lists
  (x-error-codes), and its correlation id is the header's;
- ``refusals``: a request that breaks the spec is never accepted, and a 400 to one names a
  field it broke (``Bad value: <field>``);
- ``across_exchanges``: every case's exchange fed to the run's History: a repeat under a key
  gets the first answer, a different request under it 409; a cancelled token reads
  ``CANCELLED`` and is refused orders with ``403 TOKEN_CANCELED``; another merchant's token is
  refused;
- ``rules_across_fields``: for an accepted order, a sibling with exactly one rule broken
  (rotating through the spec's rules, rule_breakers.py) is refused with 400 BAD_VALUE naming
  that field;
- ``idempotency``: an accepted keyed order or cancel is sent again under its key (the first
  answer wanted), then with another body (409 wanted).

The last two send requests of their own (resend.py): through the run's rate limit, within the
order budget, each exchange held to every rule of the core (Schemathesis sees none of them).
"""

from __future__ import annotations

import itertools
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import requests
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from kustom_conformance import Conformance, Exchange, History, Side, Violation
from kustom_contract.cases import IDEMPOTENCY_HEADER, operation_id
from kustom_contract.coverage import Coverage
from kustom_contract.exchanges import from_requests, from_schemathesis
from kustom_contract.resend import resend
from kustom_contract.rule_breakers import break_one_rule
from kustom_contract.state import Ledger

Check = Callable[[Any, Any, Case[Any]], bool | None]
ERROR_RULES = frozenset({"response.error-code", "response.correlation-id"})
# Rules the built-in checks already hold every case to (status_code_conformance, the
# content type, header and schema conformance): the adapters leave them to Schemathesis.
BUILT_IN = frozenset(
    {"response.status", "response.header", "response.content-type", "response.schema"}
)


def _positive_body(case: Case[Any]) -> bool:
    return not (case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY))


def _negative_path(case: Case[Any]) -> bool:
    """An invalid path may miss the operation's route: its 404 is the router's, not the
    operation's."""
    return case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)


def _sent_key(response: Any) -> str | None:
    key = response.request.headers.get(IDEMPOTENCY_HEADER)
    return str(key) if key else None


def _fail(found: Iterable[Violation], context: str = "") -> None:
    lines = [f"{context}{violation}" for violation in found]
    if lines:
        raise AssertionError("\n".join(lines))


class ProseChecks:
    """The checks, bound to one run's core, history, session and ledger (``all``: in the order
    they must run, the case's exchange fed to the history before anything is sent again)."""

    def __init__(
        self,
        conformance: Conformance,
        history: History,
        session: requests.Session,
        ledger: Ledger,
        counts: Counter[str],
        base_path: str = "",
        coverage: Coverage | None = None,
    ) -> None:
        self.conformance = conformance
        self.history = history
        self.session = session
        self.ledger = ledger
        self.counts = counts
        self.base_path = base_path
        self.coverage = coverage if coverage is not None else Coverage()
        self._rule_turns = itertools.count()

    @property
    def all(self) -> list[Check]:
        return [
            self.error_codes,
            self.refusals,
            self.across_exchanges,
            self.rules_across_fields,
            self.idempotency,
        ]

    def _exchange(self, response: Any) -> Exchange:
        return from_schemathesis(response, self.base_path)

    def error_codes(self, ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        """A documented error's error_code is one its response lists; its correlation ids
        agree."""
        if response.status_code < 400 or _negative_path(case):
            return None
        exchange = self._exchange(response)
        # No request check: a refusal is the next adapter's to judge.
        found = self.conformance.check_response(
            exchange.request, exchange.response, request_violations=[]
        )
        self.counts["error_codes"] += 1
        _fail(v for v in found if v.rule in ERROR_RULES)
        return True

    def refusals(self, ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        """A request that breaks the spec is refused; a 400 names a field it broke."""
        exchange = self._exchange(response)
        broken = self.conformance.check_request(exchange.request)
        if not broken or any(v.rule == "request.operation" for v in broken):
            return None
        self.counts["refusals"] += 1
        found = self.conformance.check_response(
            exchange.request, exchange.response, request_violations=broken
        )
        _fail(v for v in found if v.rule == "response.refusal")
        return True

    def across_exchanges(self, ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        """The case's exchange, held to what came before it."""
        _fail(self.history.feed(self._exchange(response)))
        return True

    def _sent_again(self, case: Case[Any], prepared: Any, body: Any = None) -> Exchange | None:
        """``prepared`` sent again (with ``body``, if given), held to every rule of the core
        and fed to the history; None when the order budget is spent."""
        sent = resend(self.session, self.ledger, case, prepared, body)
        if sent is None:
            return None
        exchange = from_requests(sent.request, sent.response, self.base_path)
        answer = exchange.response.json if exchange.response.status >= 400 else None
        self.coverage.answer(operation_id(case), exchange.response.status, answer)
        return exchange

    def _judged(self, exchange: Exchange) -> list[Violation]:
        return [*self.conformance.check(exchange), *self.history.feed(exchange)]

    def rules_across_fields(self, ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        """An accepted order's sibling with one rule broken is refused with 400 BAD_VALUE."""
        if operation_id(case) != "createOrder" or response.status_code != 200:
            return None
        if not isinstance(case.body, dict) or not _positive_body(case):
            return None
        broken = break_one_rule(case.body, next(self._rule_turns))
        if broken is None:
            return None
        prepared = response.request.copy()
        if _sent_key(response) is not None:  # a key of its own: not a conflicting reuse
            prepared.headers[IDEMPOTENCY_HEADER] = f"rule-{broken.rule}-{secrets.token_hex(8)}"
        sibling = self._sent_again(case, prepared, broken.order)
        if sibling is None:  # the order budget is spent
            return None
        self.counts[f"rules_across_fields (rule {broken.rule})"] += 1
        found = self._judged(sibling)
        if not any(v.rule == "request.rules" and v.field == broken.field for v in found):
            raise AssertionError(
                f"the run's sibling for rule {broken.rule} does not break it at {broken.field}"
            )
        context = f"an order breaking rule {broken.rule} ({broken.field}): "
        _fail((v for v in found if v.side is Side.SERVER), context)
        return True

    def idempotency(self, ctx: Any, response: Any, case: Case[Any]) -> bool | None:
        """The same key and body get the first answer; another body under the key is refused."""
        operation = operation_id(case)
        if _sent_key(response) is None or not (
            (operation == "createOrder" and response.status_code == 200)
            or (operation == "patchCustomerToken" and response.status_code == 202)
        ):
            return None
        if not isinstance(case.body, dict) or not _positive_body(case):
            return None
        again = self._sent_again(case, response.request)
        if again is None:  # the order budget is spent
            return None
        self.counts["idempotency (replay)"] += 1
        found = self._judged(again)
        changed = dict(case.body) | (
            {"merchant_reference2": f"changed-{secrets.token_hex(4)}"}
            if operation == "createOrder"
            else {"probe": secrets.token_hex(4)}
        )
        other = self._sent_again(case, response.request, changed)
        if other is not None:
            self.counts["idempotency (conflict)"] += 1
            found += self._judged(other)
        _fail(v for v in found if v.side is Side.SERVER)
        return True
