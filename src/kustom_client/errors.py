"""One exception hierarchy: a class per documented status and error code, the status-to-class
map (BY_STATUS, BY_CODE) and ``error_for``, which picks the most specific class.

Messages and reprs carry the status, the error code and messages and the correlation id;
never a credential or a customer token (no request, response or httpx exception is kept, so
none is reachable through ``__cause__`` or ``__context__`` either).
"""

from __future__ import annotations

from typing import Any

from kustom_rules import RuleViolation


class KustomError(Exception):
    """Everything this client raises.

    ``idempotency_key`` is the key the failed call sent (yours, or the one the client made):
    retry with it and the server cannot place a second order. None for calls without one.
    """

    idempotency_key: str | None = None


class InvalidArgumentError(KustomError, ValueError):
    """An argument is unusable (a credential, the base URL, a token, a key); nothing was sent.

    ``field`` names the argument. The message never repeats a credential's value.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class OrderValidationError(InvalidArgumentError):
    """The order cannot be sent as it is: it breaks a rule across fields (same messages as the
    server's ``Bad value: <field>``), or holds what JSON or Kustom cannot carry (NaN, an
    integer beyond 64 bits, nesting too deep, a value that is not JSON). Nothing was sent."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        self.violations = violations
        self.error_messages = [v.message for v in violations]
        KustomError.__init__(self, "; ".join(v.reason for v in violations))
        self.field = violations[0].field if violations else "order"


class APIConnectionError(KustomError):
    """The server could not be reached, or the connection broke, after every retry."""


class APITimeoutError(APIConnectionError):
    """The request timed out, after every retry."""


class KustomAPIError(KustomError):
    """The server answered with an error status."""

    status_code: int = 0

    def __init__(
        self,
        status_code: int,
        body: Any,
        *,
        correlation_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        # Seconds the server asked to wait (kustom_client.retry.retry_after).
        self.retry_after = retry_after
        fields = body if isinstance(body, dict) else {}
        self.error_code = _text(fields.get("error_code"))
        messages = fields.get("error_messages")
        self.error_messages: list[str] = (
            [str(m) for m in messages] if isinstance(messages, list) else []
        )
        self.reason = _text(fields.get("reason"))
        self.correlation_id = _text(fields.get("correlation_id")) or correlation_id
        detail = "; ".join(self.error_messages) or (str(body)[:200] if body else "no body")
        super().__init__(
            f"{status_code} {self.error_code or 'error'}: {detail}"
            f" (correlation id {self.correlation_id or 'unknown'})"
        )

    @property
    def request_id(self) -> str | None:
        """The correlation id, under the name other SDKs use."""
        return self.correlation_id


class APIResponseValidationError(KustomAPIError):
    """A success status whose body is not what the spec promises (not JSON, fields missing).

    The request succeeded, so the order may exist: retry with ``idempotency_key`` to get the
    same answer again, never with a new key. ``body`` holds what came (text when not JSON);
    ``problem`` says what is wrong with it.
    """

    def __init__(
        self, status_code: int, body: Any, *, problem: str, correlation_id: str | None = None
    ) -> None:
        super().__init__(status_code, body, correlation_id=correlation_id)
        self.problem = problem
        self.args = (
            f"{status_code} with an unreadable answer ({problem}); the request may have taken "
            f"effect: retry with the same idempotency key (correlation id "
            f"{self.correlation_id or 'unknown'})",
        )


class BadRequestError(KustomAPIError):
    """400: the body cannot be read (BAD_REQUEST) or a field is wrong (BAD_VALUE)."""


class AuthenticationError(KustomAPIError):
    """401: credentials missing or wrong."""


class ForbiddenError(KustomAPIError):
    """403: the token exists but cannot be used for this order."""


class TokenSuspendedError(ForbiddenError):
    """403 TOKEN_SUSPENDED."""


class TokenCanceledError(ForbiddenError):
    """403 TOKEN_CANCELED: cancelled, or another merchant's token."""


class UnavailablePaymentMethodError(ForbiddenError):
    """403 UNAVAILABLE_PAYMENT_METHOD: not usable for the purchase currency."""


class PaymentMethodFailedError(ForbiddenError):
    """403 PAYMENT_METHOD_FAILED: the purchase was declined."""


class TokenForbiddenError(ForbiddenError):
    """403 TOKEN_FORBIDDEN: another merchant's token cannot be read or cancelled."""


class NotFoundError(KustomAPIError):
    """404."""


class TokenNotFoundError(NotFoundError):
    """404 TOKEN_NOT_FOUND."""


class ConflictError(KustomAPIError):
    """409: the idempotency key was used for a different request."""


class RateLimitError(KustomAPIError):
    """429: too many requests, after every retry (or at once, when the server asked to wait
    longer than the client's maximum; ``retry_after`` says how long)."""


class PayloadTooLargeError(KustomAPIError):
    """413."""


class UnsupportedMediaTypeError(KustomAPIError):
    """415."""


class ServiceUnavailableError(KustomAPIError):
    """503 SERVICE_UNAVAILABLE, after every retry."""


class InternalServerError(KustomAPIError):
    """Any other 5xx, after every retry."""


BY_STATUS: dict[int, type[KustomAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}
BY_CODE: dict[str, type[KustomAPIError]] = {
    "TOKEN_SUSPENDED": TokenSuspendedError,
    "TOKEN_CANCELED": TokenCanceledError,
    "UNAVAILABLE_PAYMENT_METHOD": UnavailablePaymentMethodError,
    "PAYMENT_METHOD_FAILED": PaymentMethodFailedError,
    "TOKEN_FORBIDDEN": TokenForbiddenError,
    "TOKEN_NOT_FOUND": TokenNotFoundError,
}


def _text(value: object) -> str | None:
    """A string field of the error body; anything else (a server bug) reads as absent."""
    return value if isinstance(value, str) and value else None


def error_for(
    status_code: int,
    body: Any,
    correlation_id: str | None,
    *,
    retry_after: float | None = None,
) -> KustomAPIError:
    """The most specific exception for a status and the body's error_code."""
    code = body.get("error_code") if isinstance(body, dict) else None
    cls = BY_STATUS.get(status_code, InternalServerError if status_code >= 500 else KustomAPIError)
    specific = BY_CODE.get(code) if isinstance(code, str) else None
    if specific is not None and issubclass(specific, cls):
        cls = specific
    return cls(status_code, body, correlation_id=correlation_id, retry_after=retry_after)
