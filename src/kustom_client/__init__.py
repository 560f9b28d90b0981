"""A client people want to use, around the generated one: auth in the two forms Kustom
documents, idempotent retries, typed errors, checks before sending and an order builder.

Hand-written and kept apart from generated/ (regeneration never touches it); requests and
responses are the generated models. docs/client.md is the guide.
"""

from kustom_client.builder import (
    build_address,
    build_discount_line,
    build_order,
    build_order_line,
)
from kustom_client.client import AsyncKustomClient, KustomClient
from kustom_client.constants import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_JSON_DEPTH,
    MAX_RETRY_AFTER,
    PLAYGROUND_BASE_URL,
    PRODUCTION_BASE_URL,
)
from kustom_client.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    InternalServerError,
    InvalidArgumentError,
    KustomAPIError,
    KustomError,
    NotFoundError,
    OrderValidationError,
    PayloadTooLargeError,
    PaymentMethodFailedError,
    RateLimitError,
    ServiceUnavailableError,
    TokenCanceledError,
    TokenForbiddenError,
    TokenNotFoundError,
    TokenSuspendedError,
    UnavailablePaymentMethodError,
    UnsupportedMediaTypeError,
)
from kustom_client.logs import configure_logging
from kustom_client.results import CancelledToken, CreatedOrder

configure_logging()  # KUSTOM_LOG, read once at import as Stainless-built clients do

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_JSON_DEPTH",
    "MAX_RETRY_AFTER",
    "PLAYGROUND_BASE_URL",
    "PRODUCTION_BASE_URL",
    "APIConnectionError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AsyncKustomClient",
    "AuthenticationError",
    "BadRequestError",
    "CancelledToken",
    "ConflictError",
    "CreatedOrder",
    "ForbiddenError",
    "InternalServerError",
    "InvalidArgumentError",
    "KustomAPIError",
    "KustomClient",
    "KustomError",
    "NotFoundError",
    "OrderValidationError",
    "PayloadTooLargeError",
    "PaymentMethodFailedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "TokenCanceledError",
    "TokenForbiddenError",
    "TokenNotFoundError",
    "TokenSuspendedError",
    "UnavailablePaymentMethodError",
    "UnsupportedMediaTypeError",
    "build_address",
    "build_discount_line",
    "build_order",
    "build_order_line",
    "configure_logging",
]
