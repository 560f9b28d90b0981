"""The merchant's API credentials in the Authorization header, in exactly the two forms Kustom
documents, both values of the one ``merchantAuth`` scheme (openapi.yaml, ``securitySchemes``;
the scheme word, its ``x-auth-scheme``, is read from the app's spec):

- ``<scheme> <API key>``: the key itself, not base64 (Kustom's primary form);
- ``<scheme> base64(<username>:<API key>)`` with the merchant's own username.

Anything else (the key base64-encoded alone, the key as a username, a username that is not
the merchant's) is refused with 401, as strict as the vendor: a client must not come to rely
on a form the vendor never promised (openapi.yaml, securitySchemes).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from kustom_mock.errors import ApiError
from kustom_mock.fixtures import Merchant


def unauthorized(problem: str, scheme: str) -> ApiError:
    forms = f"send Authorization: {scheme} <API key>, or {scheme} base64(<username>:<API key>)"
    challenge = f'{scheme} realm="Kustom API", charset="UTF-8"'
    return ApiError(
        401, "UNAUTHORIZED", [f"{problem}: {forms}"], headers={"WWW-Authenticate": challenge}
    )


def authenticate(
    header: str | None, merchants_by_key: Mapping[str, Merchant], scheme: str
) -> Merchant:
    """The merchant the Authorization header proves, or a 401 ApiError. ``scheme``: the app's
    spec's (``Names.auth_scheme``), as written in the challenge; compared case-insensitively.

    Messages never repeat what was sent: a wrong key must not reach a log or a response.
    """
    if not header:
        raise unauthorized("Missing credentials", scheme)
    sent_scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if sent_scheme.lower() != scheme.lower() or not credentials:
        raise unauthorized("Malformed credentials", scheme)
    merchant = merchants_by_key.get(credentials)
    if merchant is not None:
        return merchant
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text, invalid UTF-8
        raise unauthorized("Invalid credentials", scheme) from None
    username, colon, key = decoded.partition(":")
    merchant = merchants_by_key.get(key) if colon else None
    if merchant is None or username != merchant.username:
        raise unauthorized("Invalid credentials", scheme)
    return merchant
