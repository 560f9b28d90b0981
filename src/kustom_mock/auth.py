"""HTTP Basic with a merchant's API credentials, in both forms Kustom accepts.

``username:api_key``, or the API key alone (``api_key:`` or ``:api_key``). A username is
optional, but when one is given next to a key it must be that key's own merchant.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from kustom_mock.errors import ApiError
from kustom_mock.fixtures import Merchant

CHALLENGE = 'Basic realm="Kustom API", charset="UTF-8"'


def unauthorized(detail: str) -> ApiError:
    return ApiError(
        401,
        "UNAUTHORIZED",
        [detail],
        headers={"WWW-Authenticate": CHALLENGE},
    )


def authenticate(header: str | None, merchants_by_key: Mapping[str, Merchant]) -> Merchant:
    """The merchant the Authorization header proves, or a 401 ApiError.

    Messages never repeat what was sent: a wrong key must not reach a log or a response.
    """
    if not header:
        raise unauthorized("Missing credentials: send HTTP Basic with your API credentials")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise unauthorized("Malformed credentials: expected HTTP Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized("Malformed credentials: not valid base64 of UTF-8 text") from None
    username, colon, password = decoded.partition(":")
    if not colon:
        raise unauthorized("Malformed credentials: expected username:password")
    key, claimed = (password, username) if password else (username, "")
    merchant = merchants_by_key.get(key)
    if merchant is None or (claimed and claimed != merchant.merchant_id):
        raise unauthorized("Invalid credentials")
    return merchant
