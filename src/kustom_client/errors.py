"""One exception class per documented status and error code, each with the correlation id.

Messages and reprs carry the status, the error code and messages and the correlation id;
never a credential (the request's headers are not kept).
"""

from __future__ import annotations

from typing import Any

from kustom_rules import RuleViolation


class KustomError(Exception):
    """Everything this client raises."""


class OrderValidationError(KustomError, ValueError):
    """The order breaks a rule across fields; nothing was sent. Same messages as the server's."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        self.violations = violations
        self.error_messages = [v.message for v in violations]
        super().__init__("; ".join(v.reason for v in violations))


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
    ) -> None:
        self.status_code = status_code
        self.body = body
        fields = body if isinstance(body, dict) else {}
        self.error_code: str | None = fields.get("error_code")
        messages = fields.get("error_messages")
        self.error_messages: list[str] = (
            [str(m) for m in messages] if isinstance(messages, list) else []
        )
        self.reason: str | None = fields.get("reason")
        self.correlation_id: str | None = fields.get("correlation_id") or correlation_id
        detail = "; ".join(self.error_messages) or (str(body)[:200] if body else "no body")
        super().__init__(
            f"{status_code} {self.error_code or 'error'}: {detail}"
            f" (correlation id {self.correlation_id or 'unknown'})"
        )

    @property
    def request_id(self) -> str | None:
        """The correlation id, under the name other SDKs use."""
        return self.correlation_id


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


class NotFoundError(KustomAPIError):
    """404."""


class TokenNotFoundError(NotFoundError):
    """404 TOKEN_NOT_FOUND."""


class ConflictError(KustomAPIError):
    """409: the idempotency key was used for a different request."""


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
    503: ServiceUnavailableError,
}
BY_CODE: dict[str, type[KustomAPIError]] = {
    "TOKEN_SUSPENDED": TokenSuspendedError,
    "TOKEN_CANCELED": TokenCanceledError,
    "UNAVAILABLE_PAYMENT_METHOD": UnavailablePaymentMethodError,
    "PAYMENT_METHOD_FAILED": PaymentMethodFailedError,
    "TOKEN_NOT_FOUND": TokenNotFoundError,
}


def error_for(status_code: int, body: Any, correlation_id: str | None) -> KustomAPIError:
    """The most specific exception for a status and the body's error_code."""
    code = body.get("error_code") if isinstance(body, dict) else None
    cls = BY_STATUS.get(status_code, InternalServerError if status_code >= 500 else KustomAPIError)
    specific = BY_CODE.get(code) if isinstance(code, str) else None
    if specific is not None and issubclass(specific, cls):
        cls = specific
    return cls(status_code, body, correlation_id=correlation_id)
