"""When to retry and how long to wait: exponential backoff with jitter, or Retry-After."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

from kustom_client.constants import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RETRYABLE_STATUSES,
)


def should_retry(status_code: int) -> bool:
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked to wait (retry-after-ms, or Retry-After in seconds or as a
    date), when within bounds; None when absent, unreadable or too long."""
    seconds: float | None = None
    if "retry-after-ms" in headers:
        try:
            seconds = float(headers["retry-after-ms"]) / 1000
        except ValueError:
            seconds = None
    elif "retry-after" in headers:
        value = headers["retry-after"].strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                seconds = parsed.timestamp() - (time.time() if now is None else now)
    if seconds is None or not 0 <= seconds <= MAX_RETRY_AFTER:
        return None
    return seconds


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1-based): doubling, capped, minus up to 25% jitter."""
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1), MAX_RETRY_DELAY)
    jitter = (rng.random() if rng else random.random()) * 0.25  # noqa: S311 (not cryptographic)
    return delay * (1 - jitter)


def retry_delay(attempt: int, headers: Mapping[str, str] | None) -> float:
    asked = retry_after(headers) if headers is not None else None
    return asked if asked is not None else backoff(attempt)
