"""A client people want to use, around the generated one: HTTP Basic auth, idempotent retries,
typed errors, checks before sending and an order builder.

Hand-written and kept apart from generated/ (regeneration never touches it); requests and
responses are the generated models.
"""

from kustom_client.builder import (
    build_address,
    build_discount_line,
    build_order,
    build_order_line,
)
from kustom_client.client import AsyncKustomClient, KustomClient
from kustom_client.constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    PLAYGROUND_BASE_URL,
    PRODUCTION_BASE_URL,
)
from kustom_client.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InternalServerError,
    KustomAPIError,
    KustomError,
    NotFoundError,
    OrderValidationError,
    PayloadTooLargeError,
    PaymentMethodFailedError,
    ServiceUnavailableError,
    TokenCanceledError,
    TokenNotFoundError,
    TokenSuspendedError,
    UnavailablePaymentMethodError,
    UnsupportedMediaTypeError,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "PLAYGROUND_BASE_URL",
    "PRODUCTION_BASE_URL",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncKustomClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "InternalServerError",
    "KustomAPIError",
    "KustomClient",
    "KustomError",
    "NotFoundError",
    "OrderValidationError",
    "PayloadTooLargeError",
    "PaymentMethodFailedError",
    "ServiceUnavailableError",
    "TokenCanceledError",
    "TokenNotFoundError",
    "TokenSuspendedError",
    "UnavailablePaymentMethodError",
    "UnsupportedMediaTypeError",
    "build_address",
    "build_discount_line",
    "build_order",
    "build_order_line",
]
