"""Errors in Kustom's shape: ``error_code``, ``error_messages`` and ``correlation_id``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_REASON_CHARS = 1000


@dataclass
class ApiError(Exception):
    """An answer other than 200; raised anywhere in the pipeline, turned into a response once."""

    status: int
    code: str
    messages: list[str]
    reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self, correlation_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "correlation_id": correlation_id,
            "error_code": self.code,
            "error_messages": self.messages,
        }
        if self.reason:
            body["reason"] = truncate(self.reason, MAX_REASON_CHARS)
        body.update(self.extra)
        return body


def truncate(text: str, limit: int) -> str:
    """Keep echoed input short: a 10 MB field must not come back in an error."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bad_request(message: str) -> ApiError:
    """The body cannot be read as an order at all."""
    return ApiError(400, "BAD_REQUEST", [message])


def bad_value(fields: list[str], reason: str | None = None) -> ApiError:
    """One or more fields break the schema or a rule; each is named as Kustom does."""
    return ApiError(400, "BAD_VALUE", [f"Bad value: {name}" for name in fields], reason)
