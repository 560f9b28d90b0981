"""Whose request it is: a pseudonym for the merchant whose API key an Authorization header
carries, in either of Kustom's two forms (openapi.yaml, securitySchemes): ``<scheme> <API key>``
or ``<scheme> base64(<username>:<API key>)``. Both forms of one key are one merchant.

Only a digest is kept, never the key: what the core remembers across exchanges and every
violation it reports hold no credential. A key alone is told from the base64 form as the mock
tells them (kustom_mock.auth): Kustom's keys (``kco_live_api_...``) are no valid base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib


def digest(text: str) -> str:
    """A short, stable pseudonym for ``text`` (a key, a token, an idempotency key)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def credentials(authorization: str | None, scheme: str) -> str | None:
    """The credentials after ``scheme`` (compared without regard to case); None when the header
    is absent, names another scheme or carries nothing."""
    if not authorization:
        return None
    sent_scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if sent_scheme.lower() != scheme.lower() or not value:
        return None
    return value


def merchant_of(authorization: str | None, scheme: str) -> str | None:
    """The pseudonym of the merchant whose API key the header carries; None without one."""
    value = credentials(authorization, scheme)
    if value is None:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # the key alone
        return digest(value)
    _, colon, key = decoded.partition(":")
    return digest(key if colon and key else value)
