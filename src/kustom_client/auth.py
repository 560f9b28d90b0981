"""The Authorization header, in the two forms Kustom documents (the two values of openapi.yaml's
one ``merchantAuth`` scheme), checked before anything is sent.

Kustom's primary form is ``<scheme> <API key>`` (constants.AUTH_SCHEME): the raw key, not
base64. The alternative is ``<scheme> base64(<username>:<API key>)`` with the portal's username (``<MID>-<suffix>``); it is
optional, but when given it must be the merchant's own.
"""

from __future__ import annotations

import base64

from kustom_client.constants import AUTH_SCHEME
from kustom_client.errors import InvalidArgumentError
from kustom_client.logs import REDACTED
from kustom_redact import Redactor, Secret


def _check_credential(field: str, value: str) -> None:
    """Visible ASCII only. Anything else would be sent mangled (non-ASCII), could split the
    header (CR/LF) or be trimmed by a proxy (spaces); the message never quotes the value."""
    if not isinstance(value, str):
        raise InvalidArgumentError(field, f"must be a string, not {type(value).__name__}")
    if not value:
        raise InvalidArgumentError(field, "is empty")
    for position, char in enumerate(value):
        if not "!" <= char <= "~":
            kind = "a non-ASCII character" if ord(char) > 127 else "a space or control character"
            raise InvalidArgumentError(field, f"contains {kind} at position {position}")


class Credentials:
    """The merchant's API key and optional username; only the finished header is kept, and
    ``redactor``, which replaces the key and the ``username:key`` pair in every form (the raw
    key and base64 of the pair are the two Authorization header values) in text the client
    repeats.

    ``repr`` shows the username and the form, never the key.
    """

    __slots__ = ("_header", "redactor", "username")

    def __init__(self, api_key: str, username: str | None) -> None:
        _check_credential("api_key", api_key)
        if username is None:
            self._header = f"{AUTH_SCHEME} {api_key}"
        else:
            _check_credential("username", username)
            if ":" in username:
                # base64(<username>:<API key>) is split at the first colon.
                raise InvalidArgumentError("username", "contains ':'")
            pair = base64.b64encode(f"{username}:{api_key}".encode("ascii")).decode("ascii")
            self._header = f"{AUTH_SCHEME} {pair}"
        secrets = [Secret(api_key, REDACTED)]
        if username is not None:
            secrets.append(Secret(f"{username}:{api_key}", REDACTED))
        self.redactor = Redactor(tuple(secrets))
        self.username = username

    @property
    def authorization(self) -> str:
        """The Authorization header value."""
        return self._header

    def __repr__(self) -> str:
        if self.username is None:
            return "Credentials(api_key='***')"
        return f"Credentials(username={self.username!r}, api_key='***')"
