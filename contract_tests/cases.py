"""What the run's hooks and checks read off a generated case, in one place: its operation, and
the idempotency header's name (from openapi.yaml, not restated)."""

from __future__ import annotations

from typing import Any

from schemathesis.generation.case import Case

from kustom_spec import load_spec

IDEMPOTENCY_HEADER: str = load_spec().document["components"]["parameters"]["IdempotencyKey"]["name"]


def operation_id(case: Case[Any]) -> str:
    """The case's operationId in openapi.yaml."""
    return str(case.operation.definition.raw.get("operationId", case.operation.label))
