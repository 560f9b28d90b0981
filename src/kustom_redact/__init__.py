"""Secrets out of everything written: one redaction for the contract run's reports, the client's
messages, the mock's logs and a validating proxy. Needs nothing but the standard library, so
that every wheel can ship it.

Two kinds of secret:

- **known** ones (an API key, a ``username:key`` pair, a customer token the caller holds): each
  is a ``Secret`` with the text that replaces it (``$KUSTOM_API_KEY`` in a report that a replay
  line reads back, or a mask). Every form a request or a report may carry it in is replaced
  too: URL-encoded, base64 (the Authorization header value), JSON-escaped;
- **unknown** customer tokens: any path segment after ``/tokens/`` (the API's routes all put the
  token there) is masked, so that a token nobody named (a server's echo, another merchant's) is
  not written whole either.

A mask keeps enough of a token to correlate lines (a short prefix and a hash), not enough to
charge anyone. With a key (``Masker(key=...)``) the hash is keyed and the same token gets the
same pseudonym for the whole run: rules that compare tokens across exchanges still hold over
redacted records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast
from urllib.parse import quote, quote_plus

__all__ = ["MIN_SECRET_LENGTH", "Masker", "Redactor", "Secret", "forms_of"]

# Shorter values are not treated as secrets: redacting "a" everywhere would garble every report,
# and a value this short protects nothing anyway.
MIN_SECRET_LENGTH = 4
# How many characters of a token a mask keeps: enough to tell test tokens (tok_act...) apart.
_PREFIX = 6
# The API's routes put the customer token in the segment after "tokens"; in a URL-encoded path
# (a URL inside a query string, say) the segment ends at the next encoded slash.
_TOKEN_SEGMENT = re.compile(
    r"(/tokens/)([^/?#\s\"'<>\\]+)|(%2Ftokens%2F)(.+?)(?=%2F|[/?#&\s\"'<>\\]|$)",
    re.IGNORECASE,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Secret:
    """A value that must never be written whole, and what is written instead."""

    value: str
    replacement: str


@dataclass(frozen=True)
class Masker:
    """Masks a value: a prefix and a hash. ``key``: a keyed hash, stable for whoever holds the
    key (a run's pseudonyms); without one, a plain SHA-256 (stable everywhere)."""

    key: bytes | None = None

    def mask(self, value: str) -> str:
        raw = value.encode("utf-8", "surrogatepass")
        if self.key is None:
            digest = hashlib.sha256(raw).hexdigest()[:8]
        else:
            digest = hmac.new(self.key, raw, hashlib.sha256).hexdigest()[:10]
        prefix = "".join(c if c.isalnum() or c == "_" else "?" for c in value[:_PREFIX])
        return f"{prefix}…{digest}"


def forms_of(value: str) -> set[str]:
    """Every form ``value`` may be written in: as is, URL-encoded (path and query), base64 (as
    in an HTTP Authorization header, padded or not, standard or URL-safe), and JSON-escaped."""
    raw = value.encode("utf-8", "surrogatepass")
    b64 = base64.b64encode(raw).decode("ascii")
    b64url = base64.urlsafe_b64encode(raw).decode("ascii")
    found = {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        b64,
        b64.rstrip("="),
        b64url,
        b64url.rstrip("="),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    return {form for form in found if len(form) >= MIN_SECRET_LENGTH}


@dataclass(frozen=True)
class Redactor:
    """Replaces known secrets (in every form of ``forms_of``) and, with ``mask_paths`` (the
    default), every customer token in an API path by its mask."""

    secrets: tuple[Secret, ...] = ()
    masker: Masker = field(default_factory=Masker)
    mask_paths: bool = True
    _text: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _bytes: re.Pattern[bytes] | None = field(init=False, repr=False, compare=False)
    _by_form: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_form: dict[str, str] = {}
        # Longest secrets first, so a username:key pair is replaced as a pair, not key by key.
        for secret in sorted(self.secrets, key=lambda s: len(s.value), reverse=True):
            if len(secret.value) < MIN_SECRET_LENGTH:
                continue
            for form in forms_of(secret.value):
                by_form.setdefault(form, secret.replacement)
        ordered = sorted(by_form, key=len, reverse=True)
        text = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        raw = (
            re.compile(b"|".join(re.escape(f.encode("utf-8", "surrogatepass")) for f in ordered))
            if ordered
            else None
        )
        object.__setattr__(self, "_by_form", by_form)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_bytes", raw)

    def __repr__(self) -> str:  # the dataclass's would print every secret
        return f"Redactor({len(self.secrets)} secrets, mask_paths={self.mask_paths})"

    def with_secrets(self, *secrets: Secret) -> Redactor:
        """This redactor with more known secrets."""
        return Redactor((*self.secrets, *secrets), self.masker, self.mask_paths)

    def text(self, text: str) -> str:
        """``text`` with every known secret replaced and every token in a path masked."""
        if self._text is not None:
            text = self._text.sub(lambda m: self._by_form[m.group(0)], text)
        if self.mask_paths:
            text = _TOKEN_SEGMENT.sub(self._mask_segment, text)
        return text

    def bytes(self, data: bytes) -> bytes:
        """``data`` redacted as ``text`` does; bytes that are not UTF-8 keep their other bytes."""
        if self._bytes is not None:
            data = self._bytes.sub(
                lambda m: self._by_form[m.group(0).decode("utf-8", "surrogatepass")].encode(),
                data,
            )
        if self.mask_paths and (b"/tokens/" in data or b"%2ftokens%2f" in data.lower()):
            text = data.decode("utf-8", "surrogateescape")
            data = _TOKEN_SEGMENT.sub(self._mask_segment, text).encode("utf-8", "surrogateescape")
        return data

    def value(self, value: T) -> T:
        """A JSON-like value (dicts, lists, strings, numbers) with every string redacted, keys
        included."""
        return cast(T, self._value(value))

    def headers(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """Header pairs with every value redacted (names are not secret)."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return [(name, self.text(value)) for name, value in pairs]

    def _value(self, value: object) -> object:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.bytes(value)
        if isinstance(value, Mapping):
            return {self._value(k): self._value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            items = [self._value(item) for item in value]
            return items if isinstance(value, list) else tuple(items)
        return value

    def _mask_segment(self, match: re.Match[str]) -> str:
        before, token = match.group(1, 2) if match.group(1) else match.group(3, 4)
        if token.startswith("$") or "…" in token:
            return match.group(0)  # already a reference or a mask
        return before + self.masker.mask(token)
