"""Turn the request's bytes into JSON strictly: one clear 4xx for each way a body can be bad.

The stdlib parser is the reference, for its hooks: duplicate keys, NaN/Infinity and numbers
that do not fit a float are refused, which faster parsers accept silently. It costs about
40 µs on a 10-line order, so a body that is plainly simple goes through orjson first (about
15 µs with the checks below); anything orjson refuses or cannot be trusted with goes the
stdlib's way, so the answer, error message included, is the same either way.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from kustom_mock.asgi import Receive
from kustom_mock.errors import ApiError, bad_request, printable, truncate

JSON_MEDIA_TYPE = "application/json"
# A \uD800-\uDFFF escape: legal JSON only as half of a pair. Seen in the text, the parsed value
# is then checked exactly (the regex alone cannot tell an escaped backslash from an escape).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def check_content_encoding(content_encoding: str | None) -> None:
    """Bodies are read as sent: a compressed one would only fail later, less clearly."""
    if content_encoding and content_encoding.strip().lower() != "identity":
        raise ApiError(
            415,
            "BAD_REQUEST",
            [
                f"Unsupported Content-Encoding: {printable(content_encoding, 50)} (send the body as is)"
            ],
        )


def check_content_type(content_type: str | None) -> None:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        shown = printable(media_type, 100) or "none"
        raise ApiError(
            415,
            "BAD_REQUEST",
            [f"Unsupported Content-Type: {shown} (expected {JSON_MEDIA_TYPE})"],
        )


def too_large(limit: int) -> ApiError:
    # Connection: close: the rest of the body is not read, so the connection cannot be reused.
    return ApiError(
        413,
        "BAD_REQUEST",
        [f"Request body is larger than {limit} bytes"],
        headers={"Connection": "close"},
    )


class ClientGone(Exception):
    """The client disconnected before its body arrived; there is no one to answer."""


async def read_body(receive: Receive, declared: str | None, limit: int) -> bytes:
    """The request's body, whole; a 413 ApiError as soon as it (or its Content-Length) is past
    ``limit``, ClientGone when the client leaves first."""
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate key {printable(key, 100)!r}")
            seen.add(key)
    return result


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number {truncate(text, 40)} is out of range")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def _lone_surrogate_or_too_deep(value: Any) -> bool:
    try:
        return _has_lone_surrogate(value)
    except RecursionError:
        return True


# Digits as "0", everything else as a space: a run of 19 zeros is a number orjson would turn
# into a float (past 64 bits) where the stdlib keeps an exact int (or refuses it).
_DIGIT_SHAPE = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_DIGIT_RUN = b"0" * 19


class _Deferred:
    """The fast path's answer when the body must go the stdlib's way."""


_DEFER = _Deferred()


def _parse_plain(raw: bytes) -> Any:
    """orjson for a body with no escape and no long digit run, or _DEFER.

    Why this is the stdlib's answer: without a backslash, every string is its literal text, so
    the colons in ``raw`` are one per key-value pair plus those inside strings, and orjson's
    re-encoding of what it kept has the same count unless a pair was dropped, which is what
    orjson does silently with a duplicate key. It refuses NaN, infinities, control characters
    and nesting past 1024 (all deferred, so the stdlib words the error).
    """
    if b"\\" in raw or _LONG_DIGIT_RUN in raw.translate(_DIGIT_SHAPE):
        return _DEFER
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _DEFER
    if raw.count(b":") != orjson.dumps(value).count(b":"):
        return _DEFER  # a duplicate key
    return value


def parse_json(raw: bytes) -> Any:
    """The JSON value in ``raw`` (strict UTF-8, no BOM, no duplicate keys), or a 400 ApiError."""
    # orjson refuses invalid UTF-8, encoded surrogates, a BOM and an empty body by itself: the
    # fast path goes first, and the checks below word the refusal.
    value = _parse_plain(raw)
    if value is not _DEFER:
        return value
    if not raw.strip():
        raise bad_request("Request body is empty: expected a JSON order")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"Request body is not valid UTF-8 (byte {exc.start})") from None
    if text.startswith("\ufeff"):
        raise bad_request("Request body starts with a byte order mark")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"Invalid JSON in request body: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:  # our hooks, and int() past Python's digit limit
        raise bad_request(f"Invalid JSON in request body: {truncate(str(exc), 200)}") from None
    except RecursionError:
        raise bad_request("Invalid JSON in request body: nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text) and _lone_surrogate_or_too_deep(value):
        raise bad_request("Invalid JSON in request body: a \\u escape is half a surrogate pair")
    return value
