"""``--rate-limit N``: N requests per second per merchant and operation, as Klarna meters
them (openapi.yaml, 429; https://docs.klarna.com/api/rate-limit/), with its headers (named as
the app's spec names them).

Fixed one-second windows, counted in this process: a few integers per merchant and operation,
so memory stays bounded by the fixtures. With several worker processes each counts its own
share (docs/mock.md, "Rate limit").
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from kustom_mock.errors import ApiError
from kustom_spec import Names

WINDOW_SECONDS = 1.0


@dataclass
class _Window:
    start: float
    count: int


class RateLimiter:
    def __init__(
        self, per_second: int, names: Names, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """``names``: the app's spec's, whose rate-limit header names the answers carry."""
        self.per_second = per_second
        self._names = names
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}

    def admit(self, merchant_id: str, operation_id: str) -> dict[str, str]:
        """The rate-limit headers for this request; a 429 ApiError when over the limit."""
        now = self._clock()
        start = math.floor(now / WINDOW_SECONDS) * WINDOW_SECONDS
        window = self._windows.get((merchant_id, operation_id))
        if window is None or window.start != start:
            window = self._windows[(merchant_id, operation_id)] = _Window(start, 0)
        window.count += 1
        reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
        names = self._names
        headers = {
            names.rate_limit_limit: limit_value(self.per_second),
            names.rate_limit_remaining: str(max(0, self.per_second - window.count)),
            names.rate_limit_reset: str(reset),
        }
        if window.count > self.per_second:
            raise rate_limited(self.per_second, reset, {**headers, names.retry_after: str(reset)})
        return headers


def limit_value(per_second: int) -> str:
    """The limit header's value: the limit and its window, as Klarna writes it (``50, 50;w=1``)."""
    return f"{per_second}, {per_second};w={WINDOW_SECONDS:g}"


def rate_limited(per_second: int, retry_after: int, headers: dict[str, str]) -> ApiError:
    """429 RATE_LIMITED, saying when to retry, with ``headers`` (the rate limit's and the
    retry delay's)."""
    return ApiError(
        429,
        "RATE_LIMITED",
        [
            f"Too many requests for this operation (limit {per_second} per second); "
            f"retry after {retry_after} second{'s' if retry_after != 1 else ''}"
        ],
        headers=headers,
    )
