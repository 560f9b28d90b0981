"""The names code sends and reads, from openapi.yaml: the headers and the auth scheme.

Each name is read where the spec defines it (a parameter or a response header by its
component, the scheme word of ``securitySchemes``' ``x-auth-scheme``), so the mock, the tools and the contract run
never restate one. The client layer cannot import this package (it ships alone); its
``kustom_client.constants`` holds its own copy, which tests/spec/test_contract_literals.py
holds to these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kustom_spec.document import HTTP_METHODS, Spec

# The one security scheme: both of Kustom's forms are values of its header (openapi.yaml).
SECURITY_SCHEME = "merchantAuth"


class SpecNamesError(ValueError):
    """The spec lacks a name code sends or reads, or spells one two ways: says which, and where."""


@dataclass(frozen=True)
class Names:
    """Header names as the spec spells them; the auth scheme as sent (``<scheme> <credentials>``)."""

    idempotency_key: str
    idempotent_replayed: str
    correlation_id: str
    rate_limit_limit: str
    rate_limit_remaining: str
    rate_limit_reset: str
    retry_after: str
    auth_scheme: str

    @property
    def rate_limit(self) -> tuple[str, str, str]:
        return (self.rate_limit_limit, self.rate_limit_remaining, self.rate_limit_reset)


def _responses(spec: Spec) -> list[dict[str, Any]]:
    document = spec.document
    found = list(document.get("components", {}).get("responses", {}).values())
    for item in document.get("paths", {}).values():
        for method in HTTP_METHODS:
            if method in item:
                found += item[method].get("responses", {}).values()
    return [spec.resolve(response) for response in found]


def response_header(spec: Spec, component: str) -> str:
    """The name responses send ``#/components/headers/<component>`` under (one name only)."""
    ref = f"#/components/headers/{component}"
    names = {
        name
        for response in _responses(spec)
        for name, header in response.get("headers", {}).items()
        if header.get("$ref") == ref
    }
    if len(names) != 1:
        raise SpecNamesError(
            f"{spec.path.name}: {ref} is sent under {sorted(names) or 'no name'}, not one name"
        )
    return str(names.pop())


def _name_at(spec: Spec, pointer: str, what: str) -> str:
    """The string at a JSON pointer such as ``#/components/parameters/IdempotencyKey/name``;
    a SpecNamesError naming the pointer and its purpose when it is not there (a bare KeyError
    would say only ``'IdempotencyKey'``)."""
    node: Any = spec.document
    for part in pointer.removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, str) or not node:
        raise SpecNamesError(f"{spec.path.name}: no {pointer} ({what})")
    return node


def read_names(spec: Spec) -> Names:
    """Every name code sends or reads, from ``spec``; a SpecNamesError (one line) for the
    first one it lacks."""
    return Names(
        idempotency_key=_name_at(
            spec, "#/components/parameters/IdempotencyKey/name", "the idempotency key header"
        ),
        idempotent_replayed=response_header(spec, "IdempotentReplayed"),
        correlation_id=response_header(spec, "CorrelationId"),
        rate_limit_limit=response_header(spec, "RateLimitLimit"),
        rate_limit_remaining=response_header(spec, "RateLimitRemaining"),
        rate_limit_reset=response_header(spec, "RateLimitReset"),
        retry_after=response_header(spec, "RetryAfter"),
        # HTTP's scheme names are case-insensitive; RFC 7617 writes this one capitalized.
        auth_scheme=_name_at(
            spec,
            f"#/components/securitySchemes/{SECURITY_SCHEME}/x-auth-scheme",
            "the scheme both forms of the Authorization header start with",
        ).capitalize(),
    )
