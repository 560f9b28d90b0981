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
from collections.abc import Callable


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


def pseudonymous(authorization: str, scheme: str, mask: Callable[[str], str]) -> str:
    """``authorization`` with every credential in it replaced by ``mask(credential)``, in the
    form it came in, so that ``merchant_of`` tells the pseudonymous headers apart exactly as it
    tells the originals: the API key alone masked; ``base64(username:key)`` re-encoded from
    the masked username and key; anything else after the scheme (another scheme's
    credentials, a value that decodes to no pair) masked whole, and a lone word that is not
    the scheme too. ``mask`` must be stable and give text that is not base64 and holds no
    colon (kustom_redact's Masker gives ``prefix…hash``)."""
    sent_scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if not value:
        same = sent_scheme.lower() == scheme.lower()
        return authorization if same or not sent_scheme else mask(sent_scheme)
    if sent_scheme.lower() == scheme.lower():
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):  # the key alone
            return f"{sent_scheme} {mask(value)}"
        username, colon, key = decoded.partition(":")
        if colon and key:
            pair = f"{mask(username) if username else ''}:{mask(key)}"
            return f"{sent_scheme} {base64.b64encode(pair.encode()).decode('ascii')}"
    return f"{sent_scheme} {mask(value)}"
