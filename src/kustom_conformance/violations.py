"""What the conformance core reports: one ``Violation`` per broken rule of the spec, naming the
side at fault, the rule, where the spec states it, the operation and the answer's correlation
id; and the rules themselves, each with one id and the place in openapi.yaml it comes from."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Side(enum.Enum):
    """Who broke the rule: the client (its request breaks the spec) or the server (its answer,
    or its answer given what came before, does)."""

    CLIENT = "client"
    SERVER = "server"


@dataclass(frozen=True)
class Rule:
    """One rule of the spec the core holds exchanges to (a violation names the node of
    openapi.yaml that states it, for the operation at hand)."""

    id: str
    side: Side
    summary: str


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``source``: the JSON pointer into openapi.yaml of what was broken;
    ``operation``: its operationId (None when the request matched none); ``field``: the field
    at fault in Kustom's notation (``order_lines[1].total_amount``), where there is one;
    ``correlation_id``: the answer's, to quote to the server's owner. The message never holds a
    credential, a customer token or an idempotency key."""

    side: Side
    rule: str
    source: str
    operation: str | None
    message: str
    correlation_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f" ({self.operation})" if self.operation else ""
        return f"{self.side.value} breaks {self.rule}{where}: {self.message} [{self.source}]"


def escape(part: str | int) -> str:
    """One part of a JSON pointer (RFC 6901: ``~`` and ``/`` escaped)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(*parts: str | int) -> str:
    """A JSON pointer into openapi.yaml, as a URI fragment (``#/paths/...``)."""
    return "#/" + "/".join(escape(part) for part in parts)


_CLIENT, _SERVER = Side.CLIENT, Side.SERVER
_RULES = (
    Rule("request.operation", _CLIENT, "the method and path are an operation"),
    Rule(
        "request.credentials",
        _CLIENT,
        "credentials in one of the two documented forms",
    ),
    Rule(
        "request.parameter",
        _CLIENT,
        "each header and path parameter keeps its schema",
    ),
    Rule(
        "request.content-type",
        _CLIENT,
        "a body is sent as a documented media type",
    ),
    Rule("request.body-size", _CLIENT, "a body within x-max-body-bytes"),
    Rule("request.json", _CLIENT, "a body that is a JSON object"),
    Rule("request.schema", _CLIENT, "the body keeps its schema"),
    Rule(
        "request.rules",
        _CLIENT,
        "the body keeps the rules across fields (an operation's description)",
    ),
    Rule("response.status", _SERVER, "a status the operation documents"),
    Rule(
        "response.header",
        _SERVER,
        "required headers present, documented ones keeping their schema",
    ),
    Rule("response.content-type", _SERVER, "a documented body, or none"),
    Rule("response.schema", _SERVER, "the body keeps its schema"),
    Rule(
        "response.error-code",
        _SERVER,
        "an error_code the response lists in x-error-codes",
    ),
    Rule(
        "response.correlation-id",
        _SERVER,
        "the header and the body's correlation_id agree",
    ),
    Rule(
        "response.refusal",
        _SERVER,
        "a request that breaks the spec is refused, a 400 naming a field it broke",
    ),
    Rule(
        "idempotency.replay",
        _SERVER,
        "a repeat under a key within its window gets the first answer",
    ),
    Rule(
        "idempotency.conflict",
        _SERVER,
        "a different request under a used key gets 409",
    ),
    Rule(
        "idempotency.scope",
        _SERVER,
        "a key is the merchant's own: another merchant's is neither replayed nor a conflict",
    ),
    Rule(
        "token.cancelled",
        _SERVER,
        "a cancelled token reads CANCELLED and is refused orders (403 TOKEN_CANCELED)",
    ),
    Rule(
        "token.other-merchant",
        _SERVER,
        "another merchant's token is refused (403)",
    ),
)
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def violation(
    rule: str,
    source: str,
    operation: str | None,
    message: str,
    *,
    correlation_id: str | None = None,
    field: str | None = None,
) -> Violation:
    """A violation of the registered ``rule`` (its side from ``RULES``; a KeyError for an id
    that is none)."""
    return Violation(RULES[rule].side, rule, source, operation, message, correlation_id, field)
