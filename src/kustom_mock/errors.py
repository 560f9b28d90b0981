"""Errors in Kustom's shape (``error_code``, ``error_messages``, ``correlation_id``), and the
one function that turns any answer into bytes.

Every refusal the app makes is an ``ApiError``, raised where it is found and rendered once by
``render``; successful answers are ``Reply`` objects rendered by the same function. (A request
the server refuses before the app sees it, malformed or over a limit, is answered in the same
shape by the protocol itself: protocol.protocol_error_response.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from kustom_mock.faults import FaultAction

MAX_REASON_CHARS = 1000
# What a 503 tells a client to wait (names.retry_after, this contract's choice): a store that is
# briefly unavailable, or tok_flaky, answers a retry a second later.
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class Reply:
    """An answer before it is encoded: status, JSON body (None: an empty body), headers."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    """An answer as sent: encoded body, every header but the framing ones; ``fault``: an armed
    fault that breaks it on the wire (kustom_mock.fault_effects)."""

    status: int
    body: bytes
    headers: dict[str, str]
    replayed: bool = False
    fault: FaultAction | None = None


@dataclass
class ApiError(Exception):
    """An error answer; raised anywhere in the pipeline, rendered once."""

    status: int
    code: str
    messages: list[str]
    reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def reply(self, correlation_id: str) -> Reply:
        body: dict[str, Any] = {
            "correlation_id": correlation_id,
            "error_code": self.code,
            "error_messages": self.messages,
        }
        if self.reason:
            body["reason"] = truncate(self.reason, MAX_REASON_CHARS)
        body.update(self.extra)
        return Reply(self.status, body, dict(self.headers))


def encode(body: dict[str, Any]) -> bytes:
    """JSON as sent; integers past 64 bits cannot occur in an answer (they are refused)."""
    return orjson.dumps(body)


def render(reply: Reply | ApiError, correlation_id: str, correlation_header: str) -> Response:
    """The one way an answer becomes bytes: errors get the correlation id in body and header."""
    if isinstance(reply, ApiError):
        reply = reply.reply(correlation_id)
    body = b"" if reply.body is None else encode(reply.body)
    return Response(reply.status, body, {**reply.headers, correlation_header: correlation_id})


def truncate(text: str, limit: int) -> str:
    """Keep echoed input short: a 10 MB field must not come back in an error."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text: str, limit: int = 200) -> str:
    """Echo client input without control characters (they could forge lines in logs), and
    short: every string from the request that goes back in a message passes here."""
    text = truncate(text, limit)
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def bad_request(message: str) -> ApiError:
    """The request cannot be read at all."""
    return ApiError(400, "BAD_REQUEST", [message])


def bad_value(fields: list[str], reason: str | None = None) -> ApiError:
    """One or more fields break the schema or a rule; each is named as Kustom does."""
    return ApiError(400, "BAD_VALUE", [f"Bad value: {name}" for name in fields], reason)


def service_unavailable(retry_after_header: str, seconds: int = RETRY_AFTER_SECONDS) -> ApiError:
    """503: the mock cannot answer now (its store, tok_flaky's first attempt, a fault); a retry
    with the same idempotency key may, after the ``seconds`` its ``retry_after_header`` says."""
    return ApiError(
        503,
        "SERVICE_UNAVAILABLE",
        ["The service is temporarily unavailable, please retry"],
        headers={retry_after_header: str(seconds)},
    )
