"""The spec's rules for requests and answers, held exchange by exchange: the conformance core
of the contract run and of a validating proxy. Needs the spec (kustom_spec) and the rules
across fields (kustom_rules), no test or HTTP library: an exchange is plain values.

    conformance = Conformance()                # openapi.yaml, compiled once
    history = History(conformance)             # what holds across exchanges, bounded
    for exchange in exchanges:                 # Exchange(Request(...), Response(...))
        for problem in conformance.check(exchange) + history.feed(exchange):
            print(problem.side, problem.rule, problem.source, problem.message)
"""

from kustom_conformance.core import Conformance, response_violations
from kustom_conformance.exchange import NOT_JSON, Exchange, Request, Response
from kustom_conformance.fields import bad_value, field_name
from kustom_conformance.history import BoundedMemory, History, KeyRecord, Memory, TokenRecord
from kustom_conformance.limits import without_contract_limits
from kustom_conformance.merchants import merchant_of, pseudonymous
from kustom_conformance.routes import Match
from kustom_conformance.violations import RULES, Rule, Side, Violation

__all__ = [
    "NOT_JSON",
    "RULES",
    "BoundedMemory",
    "Conformance",
    "Exchange",
    "History",
    "KeyRecord",
    "Match",
    "Memory",
    "Request",
    "Response",
    "Rule",
    "Side",
    "TokenRecord",
    "Violation",
    "bad_value",
    "field_name",
    "merchant_of",
    "pseudonymous",
    "response_violations",
    "without_contract_limits",
]
