"""What an answer's headers say beyond its body: the rate limit (Klarna's ``X-Ratelimit-*``,
constants.RATELIMIT_*_HEADER), read the same way for results, raw responses and errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kustom_client.constants import (
    RATELIMIT_LIMIT_HEADER,
    RATELIMIT_REMAINING_HEADER,
    RATELIMIT_RESET_HEADER,
)


@dataclass(frozen=True)
class RateLimit:
    """The answer's rate-limit headers; each None when the server did not send it, or sent what
    the spec does not allow (a remaining quota or a reset that is not an integer 0 or more).

    ``limit`` is the header as sent: ``"50, 50;w=1"`` is 50 requests per 1-second window.
    ``remaining`` is the approximate quota left in the window, ``reset`` the seconds until it
    resets. Kustom sends them "where limits apply"; a server that sends none leaves all three None.
    """

    limit: str | None = None
    remaining: int | None = None
    reset: int | None = None


NO_RATE_LIMIT = RateLimit()
# Lower case, as httpx.Headers.multi_items() gives them (its get() takes any case).
LIMIT, REMAINING, RESET = (
    name.lower()
    for name in (RATELIMIT_LIMIT_HEADER, RATELIMIT_REMAINING_HEADER, RATELIMIT_RESET_HEADER)
)
_MAX_DIGITS = 18  # the spec's counts are int32; anything longer is not one


def _count(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    # isdecimal() and isascii(): int() would also take "+1", "1_000" and other scripts' digits;
    # the length keeps int() from refusing a long one (Python's 4300-digit limit) with an error.
    if value.isascii() and value.isdecimal() and len(value) <= _MAX_DIGITS:
        return int(value)
    return None


def rate_limit(headers: Mapping[str, str], mask: Callable[[str], str] = str) -> RateLimit:
    """The rate limit of ``headers`` (httpx.Headers, or a dict with lower-case names), the limit
    (the one text among them) passed through ``mask``."""
    limit = headers.get(LIMIT)
    remaining = headers.get(REMAINING)
    reset = headers.get(RESET)
    if limit is None and remaining is None and reset is None:
        return NO_RATE_LIMIT
    return RateLimit(None if limit is None else mask(limit), _count(remaining), _count(reset))
