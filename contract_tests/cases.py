"""What the run's hooks and checks read off a generated case, in one place: its operation, and
the names it sends (the idempotency header, the auth scheme: from openapi.yaml, not restated)."""

from __future__ import annotations

from typing import Any

from schemathesis.generation.case import Case

from kustom_spec import load_spec, read_names

NAMES = read_names(load_spec())
IDEMPOTENCY_HEADER = NAMES.idempotency_key


def operation_id(case: Case[Any]) -> str:
    """The case's operationId in openapi.yaml."""
    return str(case.operation.definition.raw.get("operationId", case.operation.label))
