"""Validate a request against openapi.yaml: schemas compiled from the spec at start-up.

No part of the schema is restated here; errors are turned into Kustom's field names
(``order_lines[1].total_amount``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jsonschema_rs

from kustom_mock.errors import ApiError, bad_request, bad_value, truncate
from kustom_rules import check_order
from kustom_spec import Spec

IDEMPOTENCY_HEADER = "Klarna-Idempotency-Key"
MAX_DETAIL_CHARS = 200


def field_name(path: Sequence[str | int]) -> str:
    """``["order_lines", 1, "total_amount"]`` → ``order_lines[1].total_amount``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _error_field(error: jsonschema_rs.ValidationError) -> str:
    path = list(error.instance_path)
    if error.kind.name == "required":
        path.append(error.kind.as_dict()["property"])
    return field_name(path)


class RequestValidator:
    """The request schema and header schemas of the spec's operation, compiled once."""

    def __init__(self, spec: Spec) -> None:
        self._body = spec.validator(spec.request_schema)
        self._idempotency_key = spec.validator(
            spec.parameter("header", IDEMPOTENCY_HEADER)["schema"]
        )
        self.max_body_bytes: int = spec.resolve(spec.operation["requestBody"])["x-max-body-bytes"]

    def idempotency_key(self, value: str | None) -> str | None:
        if value is None:
            return None
        for error in self._idempotency_key.iter_errors(value):
            detail = truncate(error.message, MAX_DETAIL_CHARS)
            raise bad_value([IDEMPOTENCY_HEADER], f"{IDEMPOTENCY_HEADER}: {detail}")
        return value

    def order(self, order: Any) -> dict[str, Any]:
        """The order if it keeps the schema and the rules across fields, else a 400 ApiError."""
        if not isinstance(order, dict):
            raise bad_request("Request body must be a JSON object (an order)")
        errors = list(self._body.iter_errors(order))
        if errors:
            fields: dict[str, str] = {}
            for error in errors:
                fields.setdefault(_error_field(error), truncate(error.message, MAX_DETAIL_CHARS))
            reason = "; ".join(f"{name}: {detail}" for name, detail in fields.items())
            raise bad_value(list(fields), reason)
        violations = check_order(order)
        if violations:
            raise bad_value([v.field for v in violations], "; ".join(v.reason for v in violations))
        return order


__all__ = ["IDEMPOTENCY_HEADER", "ApiError", "RequestValidator", "field_name"]
