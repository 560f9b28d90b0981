"""Schemathesis hooks for the contract run: lead positive cases to the success path.

``map_case`` runs on every generated case (examples, coverage and fuzzing). For each part of
the request that was generated as valid data it:
- puts a usable customer token in the path (mostly ones that place orders, some that are
  refused with a documented 403/404), chosen from a hash of the case so runs repeat exactly;
- repairs the order's arithmetic (repair.py), which random valid data almost never gets right;
- makes an idempotency key unique to its request, so that two different cases never share
  one (that would be a correct 409, not the success path).
Parts generated as invalid are left alone: they are what a negative case is about.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case

from contract_tests.repair import repair_order
from contract_tests.target import Target

IDEMPOTENCY_HEADER = "Klarna-Idempotency-Key"
MAX_KEY_LENGTH = 255
REFUSING_SHARE = 10  # one positive case in this many draws a token that is refused

_target: Target | None = None


def configure(target: Target) -> None:
    global _target
    _target = target


def _digest(case: Case[Any]) -> bytes:
    try:
        body = json.dumps(case.body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(case.body)
    return hashlib.sha256(body.encode()).digest()


def choose_token(target: Target, digest: bytes) -> str:
    number = int.from_bytes(digest[:8], "big")
    if target.refusing_tokens and number % REFUSING_SHARE == 0:
        return target.refusing_tokens[(number // REFUSING_SHARE) % len(target.refusing_tokens)]
    return target.approving_tokens[number % len(target.approving_tokens)]


def _negative(case: Case[Any], location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


@schemathesis.hook
def map_case(context: Any, case: Case[Any]) -> Case[Any]:
    if _target is None:
        return case
    if isinstance(case.body, dict) and not _negative(case, ParameterLocation.BODY):
        repair_order(case.body)
    digest = _digest(case)
    if not _negative(case, ParameterLocation.PATH) and case.path_parameters is not None:
        case.path_parameters["customerToken"] = choose_token(_target, digest)
    headers = case.headers
    if headers and IDEMPOTENCY_HEADER in headers and not _negative(case, ParameterLocation.HEADER):
        token = str((case.path_parameters or {}).get("customerToken", ""))
        suffix = "-" + hashlib.sha256(digest + token.encode()).hexdigest()[:16]
        headers[IDEMPOTENCY_HEADER] = (
            str(headers[IDEMPOTENCY_HEADER])[: MAX_KEY_LENGTH - len(suffix)] + suffix
        )
    return case


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Case[Any]]) -> None:
    """The examples phase does not pass its cases through map_case: map them here."""
    for index, case in enumerate(examples):
        examples[index] = map_case(context, case)
