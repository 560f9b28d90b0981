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
from kustom_client.client import (
    AsyncKustomClient,
    AsyncKustomClientWithRawResponse,
    KustomClient,
    KustomClientWithRawResponse,
)
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
    EndpointNotFoundError,
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
from kustom_client.headers import RateLimit
from kustom_client.logs import configure_logging
from kustom_client.params import (
    AddressParam,
    AttachmentParam,
    MerchantUrlsParam,
    OrderLineParam,
    OrderLineTypeParam,
    OrderParam,
    ProductIdentifiersParam,
    SubscriptionIntervalParam,
    SubscriptionParam,
)
from kustom_client.results import APIResponse, CancelledToken, CreatedOrder, RetrievedToken

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
    "APIResponse",
    "APIResponseValidationError",
    "APITimeoutError",
    "AddressParam",
    "AsyncKustomClient",
    "AsyncKustomClientWithRawResponse",
    "AttachmentParam",
    "AuthenticationError",
    "BadRequestError",
    "CancelledToken",
    "ConflictError",
    "CreatedOrder",
    "EndpointNotFoundError",
    "ForbiddenError",
    "InternalServerError",
    "InvalidArgumentError",
    "KustomAPIError",
    "KustomClient",
    "KustomClientWithRawResponse",
    "KustomError",
    "MerchantUrlsParam",
    "NotFoundError",
    "OrderLineParam",
    "OrderLineTypeParam",
    "OrderParam",
    "OrderValidationError",
    "PayloadTooLargeError",
    "PaymentMethodFailedError",
    "ProductIdentifiersParam",
    "RateLimit",
    "RateLimitError",
    "RetrievedToken",
    "ServiceUnavailableError",
    "SubscriptionIntervalParam",
    "SubscriptionParam",
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
