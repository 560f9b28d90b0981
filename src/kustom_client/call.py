"""The request core: one call of one operation, from its first attempt to its result or error.

It does no I/O. The sync and async clients each run the same few-line loop (send, hand the
answer or the httpx error to the call, then wait, return or raise what it says), so every
decision (headers, idempotency key, retries, the deadline, error mapping, logging) is made
here once for both. An operation is an ``Operation``: method, path, body, key and how to read a
success.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from kustom_client.auth import Credentials
from kustom_client.constants import CORRELATION_HEADER, IDEMPOTENCY_HEADER, REPLAYED_HEADER
from kustom_client.deadline import Deadline, TimeoutTypes
from kustom_client.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    KustomError,
    error_for,
)
from kustom_client.headers import LIMIT, REMAINING, RESET, RateLimit, rate_limit
from kustom_client.logs import REDACTED, logger
from kustom_client.reading import ACCEPT_ENCODING, Received, parse_json
from kustom_client.retry import RetryDecision, decide_after_error, decide_after_status
from kustom_redact import Masker, Redactor, Secret, forms_of

T = TypeVar("T")
V = TypeVar("V")

_MASKER = Masker()  # a token shown as its first characters and a hash, as kustom_redact masks

_MAX_BODY_KEPT = 2000  # characters of an unreadable body kept on an exception

_CORRELATION = CORRELATION_HEADER.lower()
_REPLAYED = REPLAYED_HEADER.lower()
_READ_ON_EVERY_ANSWER = frozenset({_CORRELATION, _REPLAYED, LIMIT, REMAINING, RESET})


@dataclass(frozen=True)
class Answer:
    """A response as the parsers see it (not the httpx.Response, which holds the request)."""

    status_code: int
    received_headers: httpx.Headers = field(repr=False)  # as sent: read ``headers`` instead
    mask: Callable[[str], str] = field(repr=False)  # the call's secrets out of a header value
    content: bytes  # the body as read: decompressed, at most max_response_bytes
    body: Any  # parsed JSON, or the text when it cannot be read
    problem: str | None  # why the body cannot be read (not JSON, too deep, too large, ...)
    correlation_id: str | None
    replayed: bool
    rate_limit: RateLimit
    idempotency_key: str | None
    attempts: int  # this one included

    @functools.cached_property
    def headers(self) -> httpx.Headers:
        """The response's headers, each value masked. Built on first use (for an error or a raw
        response): masking every header of every answer would double the client's own time."""
        return httpx.Headers(
            [(name, self.mask(value)) for name, value in self.received_headers.multi_items()],
            encoding="utf-8",  # a mask has a non-ASCII character (…)
        )


@dataclass(frozen=True)
class Operation(Generic[T]):
    """What one operation sends, built once and sent as is on every attempt."""

    method: str
    path_template: str  # with one {customer_token}
    customer_token: str = field(repr=False)
    parse: Callable[[Answer], T]  # reads a success; any exception means an unreadable body
    success_status: int = 200
    content: bytes | None = None
    idempotency_key: str | None = None
    # The code a 404 of this operation gives an unknown token besides TOKEN_NOT_FOUND.
    unknown_token_code: str | None = None

    @property
    def path(self) -> str:
        # safe="": "/" and "?" in a token stay inside its segment (dot segments are refused
        # earlier, in inputs.check_customer_token).
        return self.path_template.format(customer_token=quote(self.customer_token, safe=""))

    @property
    def log_path(self) -> str:
        return self.path_template.format(customer_token=REDACTED)


@dataclass(frozen=True)
class Wait:
    delay: float


@dataclass(frozen=True)
class Done(Generic[T]):
    result: T


@dataclass(frozen=True)
class Failed:
    error: KustomError


Step = Wait | Done[T] | Failed


class Call(Generic[T]):
    """One call: the request to send, and what to do after each attempt."""

    def __init__(
        self,
        operation: Operation[T],
        *,
        base_url: str,
        credentials: Credentials,
        timeout: TimeoutTypes,
        max_retries: int,
        deadline: Deadline,
        max_response_bytes: int,
    ) -> None:
        self.operation = operation
        self.method = operation.method
        self.url = base_url + operation.path
        self.content = operation.content
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self._secrets = credentials.redactor
        self.headers = {
            "Accept": "application/json",
            # Only what reading.BodyReader inflates within max_response_bytes.
            "Accept-Encoding": ACCEPT_ENCODING,
            "Authorization": credentials.authorization,
        }
        if operation.content is not None:
            self.headers["Content-Type"] = "application/json"
        if operation.idempotency_key is not None:
            self.headers[IDEMPOTENCY_HEADER] = operation.idempotency_key
        self.attempts = 0

    def __repr__(self) -> str:
        return f"Call({self.method} {self.operation.log_path}, attempts={self.attempts})"

    def request(self) -> dict[str, Any]:
        """The arguments of httpx's ``stream`` for the next attempt: its timeouts none longer
        than the time the deadline leaves."""
        return {
            "method": self.method,
            "url": self.url,
            "content": self.content,
            "headers": self.headers,
            "timeout": self.deadline.cut(self.timeout),
        }

    def sending(self) -> None:
        """Count the attempt about to be sent."""
        self.attempts += 1
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s attempt %d of %d: sending %d bytes, idempotency key %s",
                self.method,
                self.operation.log_path,
                self.attempts,
                self.max_retries + 1,
                len(self.content or b""),
                self.operation.idempotency_key or "none",
            )

    def answered(self, response: httpx.Response, received: Received) -> Step[T]:
        """After a response, its body read as ``received``."""
        answer = self._answer(response, received)
        status = answer.status_code
        if 200 <= status < 300:
            step = self._success(answer)
            outcome = "done" if isinstance(step, Done) else "unreadable body"
            self._log(str(status), RetryDecision(False, 0.0, outcome))
            return step
        decision = decide_after_status(
            status,
            response.headers,
            self.attempts - 1,
            self.max_retries,
            self.deadline.remaining(),
        )
        error = error_for(
            status,
            self.redact(answer.body),
            answer.correlation_id,
            retry_after=decision.retry_after,
            headers=answer.headers,
            unknown_token_code=self.operation.unknown_token_code,
        )
        self._log(f"{status} {error.error_code or ''}".strip(), decision)
        if decision.retry:
            return Wait(decision.delay)
        if decision.waits_too_long:
            error.args = (f"{error.args[0]}; not retried: {decision.reason}",)
        return self._fail(error)

    def failed(self, exc: httpx.RequestError) -> Step[T]:
        """After an httpx error. The error returned keeps nothing of ``exc``: httpx errors hold
        the request and its Authorization header. Raise it outside the ``except`` block, so
        that it has no ``__context__`` either."""
        if self.deadline.passed():
            return self.expired(type(exc).__name__)
        decision = decide_after_error(
            exc, self.attempts - 1, self.max_retries, self.deadline.remaining()
        )
        self._log(type(exc).__name__, decision)
        if decision.retry:
            return Wait(decision.delay)
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        verb = "timed out" if cls is APITimeoutError else "failed"
        lines = str(exc).splitlines()  # httpx's message: its first line, the URL masked
        detail = self.redact(lines[0])[:200] if lines else "no detail"
        return self._fail(
            cls(
                f"{self.method} {self.operation.log_path} {verb} ({self._tried}): "
                f"{type(exc).__name__}: {detail}"
            )
        )

    def redact(self, value: V) -> V:
        """``value`` (text, or JSON-like) with the API key, the ``username:key`` pair (so both
        Authorization header values) and this call's customer token replaced in every form they
        may take, and any other token in an API path masked: for what the client repeats from
        the server."""
        return self._redactor.value(value)

    @functools.cached_property
    def _redactor(self) -> Redactor:
        # Built on first use (an error, mostly): compiling the token's forms costs ~50 us.
        token = self.operation.customer_token
        return self._secrets.with_secrets(Secret(token, _MASKER.mask(token)))

    def expired(self, outcome: str = "no complete answer") -> Failed:
        """After an attempt the deadline cut short: APITimeoutError, never a retry."""
        reason = f"the call's deadline of {self.deadline.seconds:g} s passed"
        self._log(outcome, RetryDecision(False, 0.0, reason))
        return self._fail(
            APITimeoutError(
                f"{self.method} {self.operation.log_path} timed out ({self._tried}): {reason}"
            )
        )

    @property
    def _tried(self) -> str:
        return f"{self.attempts} attempt{'s' if self.attempts > 1 else ''}"

    def _answer(self, response: httpx.Response, received: Received) -> Answer:
        problem = received.problem
        body: Any = None
        if problem is None:
            try:
                body = parse_json(received.content)
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            body = received.content[: _MAX_BODY_KEPT * 4].decode("utf-8", "replace")
            body = body[:_MAX_BODY_KEPT]
        # The few headers every result reads, in one pass (five lookups cost twice as much).
        read = {k: v for k, v in response.headers.multi_items() if k in _READ_ON_EVERY_ANSWER}
        correlation_id = read.get(_CORRELATION)
        return Answer(
            status_code=response.status_code,
            received_headers=response.headers,
            mask=self._header_value,
            content=received.content,
            body=body,
            problem=problem,
            correlation_id=None if correlation_id is None else self._header_value(correlation_id),
            replayed=read.get(_REPLAYED, "").strip().lower() == "true",
            rate_limit=rate_limit(read, self._header_value),
            idempotency_key=self.operation.idempotency_key,
            attempts=self.attempts,
        )

    def _header_value(self, value: str) -> str:
        """A response header's value with any secret masked: the headers reach results, raw
        responses and errors. The token's forms are looked for first so that a success need
        not build ``_redactor`` (whose forms cost ~50 us)."""
        value = self._secrets.text(value)
        if any(form in value for form in self._token_forms):
            value = self._redactor.text(value)
        return value

    @functools.cached_property
    def _token_forms(self) -> set[str]:
        return forms_of(self.operation.customer_token)

    def _success(self, answer: Answer) -> Step[T]:
        if answer.status_code != self.operation.success_status:
            problem = f"expected status {self.operation.success_status}"
        else:
            try:
                return Done(self.operation.parse(answer))
            except Exception as exc:  # any parser failure means the body is unreadable
                problem = self.redact(f"{type(exc).__name__}: {exc}")[:200]
        return self._fail(
            APIResponseValidationError(
                answer.status_code,
                self.redact(answer.body),
                problem=problem,
                correlation_id=answer.correlation_id,
                headers=answer.headers,
            )
        )

    def _fail(self, error: KustomError) -> Failed:
        error.idempotency_key = self.operation.idempotency_key
        return Failed(error)

    def _log(self, outcome: str, decision: RetryDecision) -> None:
        """One line per attempt: what came back, and what the client does next and why."""
        if not logger.isEnabledFor(logging.INFO):
            return
        if decision.retry:
            action = f"retrying in {decision.delay:.2f} s ({decision.reason})"
        elif decision.reason == "done":
            action = "done"
        else:
            action = f"giving up ({decision.reason})"
        logger.info(
            "%s %s attempt %d of %d: %s; %s",
            self.method,
            self.operation.log_path,
            self.attempts,
            self.max_retries + 1,
            outcome,
            action,
        )
