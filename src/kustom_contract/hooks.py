"""The run's Schemathesis hooks, registered on its schema only: lead positive cases to the
success path.

``map_case`` runs on every generated case (examples, coverage, fuzzing and each step of the
stateful phase). For each part of the request that was generated as valid data it:
- puts a usable customer token in the path, chosen from a hash of the case so runs repeat
  exactly: for orders and reads mostly tokens that work, some that are refused with a
  documented 403/404; for status changes (and the first step of a stateful sequence) a fresh
  token, so that cancelling never spoils a token other cases use. A token that is already one
  of the run's came from a link of the stateful phase and is kept;
- repairs the order's arithmetic (repair.py), which random valid data almost never gets right;
- makes an idempotency key unique to its request (within the contract's 1-255 characters), so
  that two different cases never share one (that would be a correct 409, not the success path).
Parts generated as invalid are left alone: they are what a negative case is about.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from typing import Any

from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.generation.meta import TestPhase
from schemathesis.schemas import BaseSchema

from kustom_contract.cases import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, operation_id
from kustom_contract.repair import repair_order
from kustom_contract.target import FRESH_PREFIX, Target

REFUSING_SHARE = 10  # one positive case in this many draws a token that is refused


def _digest(case: Case[Any]) -> bytes:
    try:
        body = json.dumps(case.body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(case.body)
    seed = f"{case.operation.label}\n{body}\n{sorted((case.path_parameters or {}).items())}"
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()


def fresh_token(target: Target, digest: bytes) -> str:
    """A token that may be cancelled: a fresh mock token, or the live one given for it."""
    if target.cancel_token is not None:
        return target.cancel_token
    return FRESH_PREFIX + digest[:8].hex()


def choose_token(target: Target, digest: bytes) -> str:
    number = int.from_bytes(digest[:8], "big")
    if target.refusing_tokens and number % REFUSING_SHARE == 0:
        return target.refusing_tokens[(number // REFUSING_SHARE) % len(target.refusing_tokens)]
    return target.approving_tokens[number % len(target.approving_tokens)]


def _sequence_token(target: Target, token: object) -> bool:
    """A token a stateful sequence was given: fresh, or the live one to cancel. Not any token
    of the run's: a sequence's first step may carry the spec's example (tok_active), which a
    sequence must not cancel."""
    return isinstance(token, str) and (
        token.startswith(FRESH_PREFIX) or token == target.cancel_token
    )


def _negative(case: Case[Any], location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


class CaseMapper:
    """The hooks, with the target they draw tokens for. Each stateful sequence starts on a
    token of its own (Hypothesis may replay a sequence's first steps, and a token an earlier
    sequence cancelled would answer differently): this process's prefix and a counter, so
    that runs in several processes never share one."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._prefix = secrets.token_hex(4)
        self._sequences = itertools.count()

    def register(self, schema: BaseSchema) -> None:
        """The hooks on ``schema`` alone (Schemathesis marks a hook function with attributes:
        plain functions, not bound methods)."""

        def map_case(context: Any, case: Case[Any]) -> Case[Any]:
            return self.map_case(context, case)

        def before_add_examples(context: Any, examples: list[Case[Any]]) -> None:
            self.before_add_examples(context, examples)

        schema.hook(map_case)
        schema.hook(before_add_examples)

    def _token_for(self, case: Case[Any], digest: bytes) -> str:
        target = self.target
        current = (case.path_parameters or {}).get("customerToken")
        stateful = case.meta is not None and case.meta.phase.name is TestPhase.STATEFUL
        if stateful and _sequence_token(target, current):
            return str(current)  # set by a link from an earlier step
        if stateful and target.cancel_token is None:
            return f"{FRESH_PREFIX}{self._prefix}-{next(self._sequences)}"
        if stateful or operation_id(case) == "patchCustomerToken":
            return fresh_token(target, digest)
        return choose_token(target, digest)

    def map_case(self, context: Any, case: Case[Any]) -> Case[Any]:
        body = case.body
        is_order = operation_id(case) == "createOrder"
        if is_order and isinstance(body, dict) and not _negative(case, ParameterLocation.BODY):
            repair_order(body, currency=self.target.currency)
        digest = _digest(case)
        if not _negative(case, ParameterLocation.PATH) and case.path_parameters is not None:
            case.path_parameters["customerToken"] = self._token_for(case, digest)
        headers = case.headers
        if (
            headers
            and IDEMPOTENCY_HEADER in headers
            and not _negative(case, ParameterLocation.HEADER)
        ):
            token = str((case.path_parameters or {}).get("customerToken", ""))
            suffix = "-" + hashlib.sha256(digest + token.encode()).hexdigest()[:16]
            key = str(headers[IDEMPOTENCY_HEADER]).strip(" \t")
            headers[IDEMPOTENCY_HEADER] = key[: IDEMPOTENCY_KEY_MAX_LENGTH - len(suffix)] + suffix
        return case

    def before_add_examples(self, context: Any, examples: list[Case[Any]]) -> None:
        """The examples phase does not pass its cases through map_case: map them here."""
        for index, case in enumerate(examples):
            examples[index] = self.map_case(context, case)
