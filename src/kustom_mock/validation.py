"""Validate a request against openapi.yaml: each operation's schemas compiled at start-up.

No part of the schema is restated here; errors are turned into Kustom's field names
(``order_lines[1].total_amount``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema_rs

from kustom_mock.errors import bad_request, bad_value, printable, truncate
from kustom_rules import RuleViolation
from kustom_spec import Operation

MAX_DETAIL_CHARS = 200
BodyRules = Callable[[Mapping[str, Any]], list[RuleViolation]]


def field_name(path: Sequence[str | int]) -> str:
    """``["order_lines", 1, "total_amount"]`` → ``order_lines[1].total_amount``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _error_fields(error: jsonschema_rs.ValidationError) -> list[str]:
    """The fields an error is about: the one at its path, or the one missing there, or each
    one not allowed there (a schema with ``additionalProperties: false``)."""
    path = list(error.instance_path)
    if error.kind.name == "required":
        return [field_name([*path, error.kind.as_dict()["property"]])]
    if error.kind.name == "additionalProperties":
        return [field_name([*path, name]) for name in error.kind.as_dict()["unexpected"]]
    return [field_name(path)]


class RequestValidator:
    """One operation's body schema, body limit and idempotency-key schema, compiled once."""

    def __init__(
        self, operation: Operation, rules: BodyRules | None = None, *, idempotency_header: str
    ) -> None:
        """``idempotency_header``: the key's header as the app's spec names it (Names)."""
        spec = operation.spec
        body = operation.request_body
        self.has_body = body is not None
        self._body = spec.validator(operation.request_schema) if body is not None else None
        self.max_body_bytes: int = body["x-max-body-bytes"] if body is not None else 0
        self._rules = rules
        self._idempotency_header = idempotency_header
        self.takes_idempotency_key = operation.has_parameter("header", idempotency_header)
        self._key = (
            spec.validator(operation.parameter("header", idempotency_header)["schema"])
            if self.takes_idempotency_key
            else None
        )

    def idempotency_key(self, value: str | None) -> str | None:
        """The key without the whitespace around it (RFC 9110: not part of the value)."""
        if value is None or self._key is None:
            return None
        value = value.strip(" \t")
        for error in self._key.iter_errors(value):
            detail = truncate(error.message, MAX_DETAIL_CHARS)
            header = self._idempotency_header
            raise bad_value([header], f"{header}: {detail}")
        return value

    def body(self, value: Any) -> dict[str, Any]:
        """The body if it keeps the schema and the rules across fields, else a 400 ApiError."""
        if not isinstance(value, dict):
            raise bad_request("Request body must be a JSON object")
        assert self._body is not None
        # is_valid first: a valid body (the common case) skips building the error iterator.
        errors = [] if self._body.is_valid(value) else list(self._body.iter_errors(value))
        if errors:
            fields: dict[str, str] = {}
            for error in errors:
                for name in _error_fields(error):
                    fields.setdefault(
                        printable(name, 100), truncate(error.message, MAX_DETAIL_CHARS)
                    )
            reason = "; ".join(f"{name}: {detail}" for name, detail in fields.items())
            raise bad_value(list(fields), reason)
        if self._rules is not None:
            violations = self._rules(value)
            if violations:
                raise bad_value(
                    [v.field for v in violations], "; ".join(v.reason for v in violations)
                )
        return value
