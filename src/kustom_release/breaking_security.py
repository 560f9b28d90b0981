"""Security changes for the breaking-change gate, judged by what a client puts on the wire.

A client built from the old spec sends the credentials of one of its security requirements.
The change breaks it only when the new spec accepts none of those any more; a scheme renamed,
remodelled (an ``http`` scheme replaced by an ``apiKey`` scheme on the same header) or merged
with another is a remodel, not a break, as long as every old form is still accepted.

What a scheme accepts is what it declares: ``http`` fixes the Authorization header's scheme
(its ``scheme`` field), ``apiKey`` names a header, query parameter or cookie and takes any value
there. An ``apiKey`` scheme on ``Authorization`` therefore accepts what an ``http`` scheme
sends; the reverse is narrower. What a description adds ("the key alone, not base64-encoded")
is prose, which the gate does not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kustom_release.change import Change, without_docs

AUTHORIZATION = "authorization"


@dataclass(frozen=True)
class Credential:
    """What one security scheme of a requirement puts on the wire."""

    place: str  # "header authorization", "query api_key", "cookie session", "tls"
    value: str | None  # the Authorization header's scheme, lower-cased; None: any value
    issuer: str = ""  # where an OAuth 2 or OpenID Connect token comes from
    scopes: frozenset[str] = frozenset()

    def accepts(self, sent: Credential) -> bool:
        """Whether a server asking for this takes what a client built for ``sent`` sends."""
        return (
            self.place == sent.place
            and (self.value is None or self.value == sent.value)
            and self.issuer == sent.issuer
            and self.scopes <= sent.scopes
        )

    def describe(self) -> str:
        value = "any value" if self.value is None else self.value.capitalize()
        return f"{self.place} ({value})"


@dataclass(frozen=True)
class Requirement:
    """One alternative of a ``security`` list: every scheme in it at once (none: anonymous)."""

    names: tuple[str, ...]
    credentials: frozenset[Credential]

    def label(self) -> str:
        return " + ".join(self.names) or "no credentials"

    def covers(self, old: Requirement) -> bool:
        """A client sending ``old``'s credentials meets every scheme of this requirement."""
        return all(any(n.accepts(o) for o in old.credentials) for n in self.credentials)


def _credential(scheme: Mapping[str, Any], scopes: Iterable[str]) -> Credential:
    kind = scheme.get("type")
    if kind == "apiKey":
        where = str(scheme.get("in"))
        name = str(scheme.get("name"))
        return Credential(f"{where} {name.lower() if where == 'header' else name}", None)
    if kind == "http":
        return Credential(f"header {AUTHORIZATION}", str(scheme.get("scheme", "")).lower())
    if kind in ("oauth2", "openIdConnect"):
        issuer = json.dumps(
            scheme.get("flows") or scheme.get("openIdConnectUrl"), sort_keys=True, default=str
        )
        return Credential(f"header {AUTHORIZATION}", "bearer", issuer, frozenset(scopes))
    return Credential(str(kind), None)  # mutualTLS and anything newer: matched by kind


def requirements(document: Mapping[str, Any], security: Any) -> list[Requirement]:
    """A ``security`` list as the alternatives a client may send; ``[]`` is one anonymous one."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    found = [
        Requirement(
            tuple(sorted(alternative)),
            frozenset(
                _credential(schemes.get(name, {}), scopes or ())
                for name, scopes in alternative.items()
            ),
        )
        for alternative in security or []
    ]
    return found or [Requirement((), frozenset())]


def _definitions(document: Mapping[str, Any], security: Any) -> tuple[Any, Any]:
    """What a remodel changes: the requirement lists and the schemes, descriptions aside."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    return security or [], without_docs(schemes)


def compare_security(
    where: str,
    old_document: Mapping[str, Any],
    old_security: Any,
    new_document: Mapping[str, Any],
    new_security: Any,
) -> Iterator[Change]:
    """The security change at ``where``: breaking when an old requirement is no longer met."""
    before = requirements(old_document, old_security)
    after = requirements(new_document, new_security)
    lost = [old for old in before if not any(new.covers(old) for new in after)]
    if lost:
        sent = "; ".join(
            f"{old.label()}: {', '.join(sorted(c.describe() for c in old.credentials))}"
            for old in lost
        )
        yield Change(
            "security-changed",
            where,
            True,
            f"authentication changed: what a client built for {sent} sends is no longer accepted",
        )
        return
    if _definitions(old_document, old_security) != _definitions(new_document, new_security):
        yield Change(
            "security-remodelled",
            where,
            False,
            f"security schemes remodelled ({' | '.join(r.label() for r in before)} -> "
            f"{' | '.join(r.label() for r in after)}); every credential an old client sends is "
            "still accepted, so no client breaks",
        )
