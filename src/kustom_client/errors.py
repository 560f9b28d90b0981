"""One exception hierarchy: a class per documented status and error code, the status-to-class
map (BY_STATUS, BY_CODE) and ``error_for``, which picks the most specific class.

Messages and reprs carry the status, the error code and messages and the correlation id;
never a credential or a customer token (no request, response or httpx exception is kept, so
none is reachable through ``__cause__`` or ``__context__`` either).
"""

from __future__ import annotations

from typing import Any

import httpx
from kustom_customer_token_client.models import AuthorizedPaymentMethod

from kustom_client.checked import checked
from kustom_client.constants import ENDPOINT_NOT_FOUND_CODE
from kustom_client.headers import rate_limit
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
    """The server answered with an error status.

    ``headers`` are the answer's headers (``httpx.Headers``, with the call's secrets masked as
    in ``body``), ``rate_limit`` what their ``X-Ratelimit-*`` say.
    """

    status_code: int = 0

    def __init__(
        self,
        status_code: int,
        body: Any,
        *,
        correlation_id: str | None = None,
        retry_after: float | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers = httpx.Headers() if headers is None else headers
        self.rate_limit = rate_limit(self.headers)
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
        self,
        status_code: int,
        body: Any,
        *,
        problem: str,
        correlation_id: str | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(status_code, body, correlation_id=correlation_id, headers=headers)
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
    """403 PAYMENT_METHOD_FAILED: the purchase was declined; it may succeed later.

    ``authorized_payment_method`` is the payment method that declined (the generated
    ``AuthorizedPaymentMethod``: ``type``, and ``number_of_days`` or ``number_of_installments``
    where it has them), ``fraud_status`` the fraud status the server gave (``REJECTED``); each
    None when the body does not carry it in the spec's shape.
    """

    def __init__(self, status_code: int, body: Any, **kwargs: Any) -> None:
        super().__init__(status_code, body, **kwargs)
        fields = body if isinstance(body, dict) else {}
        self.authorized_payment_method = _payment_method(fields.get("authorized_payment_method"))
        self.fraud_status = _text(fields.get("fraud_status"))


class TokenForbiddenError(ForbiddenError):
    """403 TOKEN_FORBIDDEN: another merchant's token cannot be read or cancelled."""


class NotFoundError(KustomAPIError):
    """404: an unknown token (TokenNotFoundError), a path that is no operation
    (EndpointNotFoundError), or, as this class itself, a 404 the client cannot tell apart."""


class TokenNotFoundError(NotFoundError):
    """404: no customer token has this id, on any operation: TOKEN_NOT_FOUND (what an order
    gets), or NOT_FOUND on the token read and the cancel (what the spec says they get)."""


class EndpointNotFoundError(NotFoundError):
    """404 for a path that is no operation: a wrong base URL or path prefix, or the wrong host.

    Raised for the mock's ENDPOINT_NOT_FOUND, and for a 404 whose body is not Kustom's error
    shape (no ``error_code``: an HTML page, an empty body, another server's JSON), which is no
    answer of Kustom's about a token.
    """


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
    ENDPOINT_NOT_FOUND_CODE: EndpointNotFoundError,
}


def _text(value: object) -> str | None:
    """A string field of the error body; anything else (a server bug) reads as absent."""
    return value if isinstance(value, str) and value else None


def _payment_method(value: object) -> AuthorizedPaymentMethod | None:
    if not isinstance(value, dict):
        return None
    try:
        return checked(AuthorizedPaymentMethod.from_dict(value))
    except Exception:  # any parser failure: a body not in the spec's shape
        return None


def error_for(
    status_code: int,
    body: Any,
    correlation_id: str | None,
    *,
    retry_after: float | None = None,
    headers: httpx.Headers | None = None,
    unknown_token_code: str | None = None,
) -> KustomAPIError:
    """The most specific exception for a status and the body's error_code.

    ``unknown_token_code`` is the code the operation answers an unknown token with besides
    TOKEN_NOT_FOUND (NOT_FOUND for the token read and the cancel): on a 404 it means
    TokenNotFoundError. A 404 without an error_code is not Kustom's answer: EndpointNotFoundError.
    """
    code = _text(body.get("error_code")) if isinstance(body, dict) else None
    cls = BY_STATUS.get(status_code, InternalServerError if status_code >= 500 else KustomAPIError)
    if status_code == 404 and code is None:
        specific: type[KustomAPIError] | None = EndpointNotFoundError
    elif status_code == 404 and code == unknown_token_code:
        specific = TokenNotFoundError
    else:
        specific = BY_CODE.get(code) if code is not None else None
    if specific is not None and issubclass(specific, cls):
        cls = specific
    return cls(
        status_code, body, correlation_id=correlation_id, retry_after=retry_after, headers=headers
    )
