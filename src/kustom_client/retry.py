"""Whether to retry and how long to wait: the one place where the client decides.

Retried: connection errors and timeouts, 408, 429 and 5xx; every attempt carries the same
idempotency key, so a retry cannot place a second order. Never 409 or another 4xx: the answer
would not change. The wait is the one the server asks for (RETRY_AFTER_HEADER, or
RATELIMIT_RESET_HEADER on a 429) up to MAX_RETRY_AFTER; above that the client stops at once rather than retry
early. Otherwise exponential backoff with jitter. No retry waits past the call's deadline.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from kustom_client.constants import (
    INITIAL_RETRY_DELAY,
    MAX_RETRY_AFTER,
    MAX_RETRY_DELAY,
    RATELIMIT_RESET_HEADER,
    RETRY_AFTER_HEADER,
    RETRYABLE_STATUSES,
)

# Failures where the request may not have arrived, or its answer was lost: worth another try.
# The rest (an unsupported scheme, a local protocol error, undecodable content) would repeat.
RETRYABLE_ERRORS: tuple[type[httpx.RequestError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryDecision:
    """What to do after an attempt, and why (the why goes into the log line)."""

    retry: bool
    delay: float  # seconds before the next attempt; 0 when not retrying
    reason: str
    retry_after: float | None = None  # what the server asked for, when it did
    waits_too_long: bool = False  # the server asked for more than MAX_RETRY_AFTER


def should_retry(status_code: int) -> bool:
    return status_code in RETRYABLE_STATUSES or status_code >= 500


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def retry_after(
    headers: Mapping[str, str], status_code: int = 429, now: float | None = None
) -> float | None:
    """Seconds the server asked to wait, uncapped; None when it did not ask or is unreadable.

    ``retry-after-ms``, then RETRY_AFTER_HEADER (seconds or an HTTP date), then on a 429
    Klarna's RATELIMIT_RESET_HEADER (seconds until the metering interval resets; only its
    first number, in case it is given per window like the rate limit itself).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    if "retry-after-ms" in lowered:
        milliseconds = _seconds(lowered["retry-after-ms"].strip())
        if milliseconds is not None:
            return milliseconds / 1000
    if RETRY_AFTER_HEADER.lower() in lowered:
        value = lowered[RETRY_AFTER_HEADER.lower()].strip()
        seconds = _seconds(value)
        if seconds is not None:
            return seconds
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            remaining = parsed.timestamp() - (time.time() if now is None else now)
            return remaining if remaining >= 0 else None
    reset = lowered.get(RATELIMIT_RESET_HEADER.lower())
    if status_code == 429 and reset is not None:
        first = reset.replace(";", ",").split(",")[0].strip()
        return _seconds(first)
    return None


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Delay before retry number ``attempt`` (1-based): doubling, capped, minus up to 25% jitter."""
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1), MAX_RETRY_DELAY)
    jitter = (rng.random() if rng else random.random()) * 0.25  # noqa: S311 (not cryptographic)
    return delay * (1 - jitter)


def _within_deadline(decision: RetryDecision, remaining: float | None) -> RetryDecision:
    """``decision``, unless its wait would end at or past the deadline (``remaining`` seconds
    away; None: no deadline)."""
    if not decision.retry or remaining is None or decision.delay < remaining:
        return decision
    return RetryDecision(
        False,
        0.0,
        f"the call's deadline leaves {max(remaining, 0.0):.2f} s, "
        f"not enough for a {decision.delay:.2f} s wait",
        decision.retry_after,
    )


def decide_after_status(
    status_code: int,
    headers: Mapping[str, str],
    retries_done: int,
    max_retries: int,
    remaining: float | None = None,
) -> RetryDecision:
    """After an answer with an error status, ``remaining`` seconds before the deadline."""
    asked = retry_after(headers, status_code)
    if not should_retry(status_code):
        return RetryDecision(False, 0.0, f"status {status_code} is not retried", asked)
    if asked is not None and asked > MAX_RETRY_AFTER:
        return RetryDecision(
            False,
            0.0,
            f"the server asked to wait {asked:g} s, more than the {MAX_RETRY_AFTER:g} s maximum",
            asked,
            waits_too_long=True,
        )
    if retries_done >= max_retries:
        return RetryDecision(False, 0.0, f"no retries left after status {status_code}", asked)
    if asked is not None:
        decision = RetryDecision(True, asked, f"status {status_code}, as the server asked", asked)
    else:
        decision = RetryDecision(True, backoff(retries_done + 1), f"status {status_code}")
    return _within_deadline(decision, remaining)


def decide_after_error(
    error: httpx.RequestError,
    retries_done: int,
    max_retries: int,
    remaining: float | None = None,
) -> RetryDecision:
    """After a request that got no answer, ``remaining`` seconds before the deadline."""
    name = type(error).__name__
    if not isinstance(error, RETRYABLE_ERRORS):
        return RetryDecision(False, 0.0, f"{name} is not retried")
    if retries_done >= max_retries:
        return RetryDecision(False, 0.0, f"no retries left after {name}")
    return _within_deadline(RetryDecision(True, backoff(retries_done + 1), name), remaining)
