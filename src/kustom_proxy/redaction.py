"""Every credential and customer token the proxy sees, replaced by a stable pseudonym for the
run in everything it writes (the report, the HAR, its lines), whether or not it was told them.

One key per run (``Pseudonyms``) keys the hash of every mask (kustom_redact's ``Masker``), so a
token or a key gets the same pseudonym in every exchange and the rules across exchanges (a
replay, a cancelled token, another merchant's token) hold over the record as over the traffic
(``scripts/verify-traffic``). The Authorization header keeps its form
(``kustom_conformance.pseudonymous``): the key alone stays a key alone, ``username:key`` stays
base64 of a pair, so both forms of one key stay one merchant. The same credentials and the
exchange's token are replaced wherever else they appear (a body or a header echoing them; the
credentials in a URL too), in every form ``kustom_redact`` knows; every token in an API path is
masked. In a JSON body only string values are rewritten, so the body stays JSON of the same
shape. Elsewhere than in their own header and path segment, values shorter than
``LEARNED_MIN_LENGTH`` stay: they protect nothing, and replacing a word as short as ``json``
wherever it occurs would change what the record says (a media type, an error message).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kustom_conformance import Conformance, Request, pseudonymous
from kustom_redact import Masker, Redactor, Secret

# Headers whose whole value is a secret of some other kind: masked whole.
OPAQUE = frozenset({"proxy-authorization", "cookie", "set-cookie"})
LEARNED_MIN_LENGTH = 8


@dataclass(frozen=True)
class PathSafeMasker(Masker):
    """A Masker whose masks can stand as a segment of a URL's path: what its prefix does not
    keep becomes ``-`` (kustom_redact's ``?`` would start a query string)."""

    def mask(self, value: str) -> str:
        return super().mask(value).replace("?", "-")


@dataclass(frozen=True)
class ExchangeRedaction:
    """The redaction of one exchange: its credentials and token known, every token in a path
    masked. ``redactor`` for bodies and headers; ``url_redactor`` for its URL, where only the
    path's masks stand for the token (a token such as ``order`` is also a word of the path)."""

    redactor: Redactor
    url_redactor: Redactor
    authorization: str  # the header's name, as the spec's security scheme names it
    scheme: str
    mask: PathSafeMasker

    def text(self, text: str) -> str:
        return self.redactor.text(text)

    def url(self, url: str) -> str:
        return self.url_redactor.text(url)

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        found = []
        for name, value in headers:
            lowered = name.lower()
            if lowered == self.authorization.lower():
                value = pseudonymous(value, self.scheme, self.mask.mask)
            elif lowered in OPAQUE:
                value = self.mask.mask(value)
            else:
                value = self.redactor.text(value)
            found.append((name, value))
        return found

    def body(self, body: bytes) -> bytes:
        """``body`` redacted: a JSON body's string values (its shape kept), other bytes as
        they are."""
        if not body:
            return body
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            return self.redactor.bytes(body)
        redacted = self._strings(parsed)
        if redacted == parsed:
            return body
        return json.dumps(redacted, ensure_ascii=False, separators=(",", ":")).encode()

    def _strings(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redactor.text(value)
        if isinstance(value, dict):
            return {key: self._strings(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._strings(item) for item in value]
        return value


class Pseudonyms:
    """The run's pseudonyms: ``for_request`` gives the redaction of one exchange."""

    def __init__(self, conformance: Conformance, key: bytes | None = None) -> None:
        self.conformance = conformance
        self.masker = PathSafeMasker(key=key if key is not None else secrets.token_bytes(32))

    def for_request(self, request: Request) -> ExchangeRedaction:
        conformance = self.conformance
        scheme = conformance.names.auth_scheme
        credentials: list[Secret] = []

        def mask(value: str) -> str:
            replacement = self.masker.mask(value)
            credentials.append(Secret(value, replacement))
            return replacement

        sent = request.header(conformance.authorization)
        if sent:
            masked = pseudonymous(sent, scheme, mask)
            value = _credentials(sent)
            if value:  # the whole value too (base64 of username:key), wherever it is echoed
                credentials.append(Secret(value, _credentials(masked)))
        credentials = [s for s in credentials if len(s.value) >= LEARNED_MIN_LENGTH]
        match = conformance.match(request)
        token = match.path_params.get(conformance.token_parameter) if match else None
        found = list(credentials)
        if token and len(token) >= LEARNED_MIN_LENGTH:
            found.append(Secret(token, self.masker.mask(token)))
        return ExchangeRedaction(
            Redactor(tuple(found), self.masker),
            Redactor(tuple(credentials), self.masker),
            conformance.authorization,
            scheme,
            self.masker,
        )


def _credentials(authorization: str) -> str:
    """What follows the scheme; empty when nothing does."""
    return authorization.strip().partition(" ")[2].strip()
