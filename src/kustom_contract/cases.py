"""What the run's hooks and checks read off a generated case, in one place: its operation, and
the names it sends (the idempotency header and its length, the auth scheme: from openapi.yaml,
not restated)."""

from __future__ import annotations

from typing import Any

from schemathesis.generation.case import Case

from kustom_spec import load_spec, read_names

SPEC = load_spec()
NAMES = read_names(SPEC)
IDEMPOTENCY_HEADER = NAMES.idempotency_key
IDEMPOTENCY_KEY_MAX_LENGTH: int = SPEC.resolve(
    SPEC.document["components"]["parameters"]["IdempotencyKey"]
)["schema"]["maxLength"]


def operation_id(case: Case[Any]) -> str:
    """The case's operationId in openapi.yaml."""
    return str(case.operation.definition.raw.get("operationId", case.operation.label))
