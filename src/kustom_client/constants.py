"""Hosts, headers, limits and defaults: every number the client layer documents, in one place."""

import httpx

# Kustom's hosts (they replaced api.klarna.com and api.playground.klarna.com).
PRODUCTION_BASE_URL = "https://api.kustom.co"
PLAYGROUND_BASE_URL = "https://api.playground.kustom.co"

# The client's copy of openapi.yaml's routes, header names and auth scheme: it ships without
# the spec. tests/spec/test_contract_literals.py holds each to the spec, and finds no other copy.
TOKENS_PATH = "/customer-token/v1/tokens"
READ_TOKEN_PATH = TOKENS_PATH + "/{customer_token}"  # readCustomerToken
STATUS_PATH = READ_TOKEN_PATH + "/status"  # patchCustomerToken
ORDER_PATH = READ_TOKEN_PATH + "/order"  # createOrder
IDEMPOTENCY_HEADER = "Klarna-Idempotency-Key"
CORRELATION_HEADER = "Klarna-Correlation-Id"
REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on a response replayed under its key
RETRY_AFTER_HEADER = "Retry-After"
# Klarna's rate-limit headers: the limit and its interval ("50, 50;w=1"), the quota left, and
# the seconds until the current metering interval resets.
RATELIMIT_LIMIT_HEADER = "X-Ratelimit-Limit"
RATELIMIT_REMAINING_HEADER = "X-Ratelimit-Remaining"
RATELIMIT_RESET_HEADER = "X-Ratelimit-Reset"
AUTH_SCHEME = "Basic"  # both of Kustom's forms: "<scheme> <credentials>"

# The error code of the token read's and the cancel's 404 for an unknown token (openapi.yaml's
# x-error-codes; an order's is TOKEN_NOT_FOUND): kustom_client raises TokenNotFoundError for both.
READ_NOT_FOUND_CODE = "NOT_FOUND"
# The error code of a 404 for a path that is no operation: this contract's choice, sent by the
# mock (docs/mock.md; openapi.yaml describes only Kustom's operations). tests/client holds it to
# the mock's answer.
ENDPOINT_NOT_FOUND_CODE = "ENDPOINT_NOT_FOUND"

# Read when the matching argument is omitted (arguments win), as Stainless-built clients do.
ENV_API_KEY = "KUSTOM_API_KEY"
ENV_USERNAME = "KUSTOM_USERNAME"
ENV_BASE_URL = "KUSTOM_BASE_URL"
ENV_LOG = "KUSTOM_LOG"

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # per network operation (httpx's meaning)
# The most a whole call may take: every attempt, every wait between them and the reading of the
# answer. Two reads at DEFAULT_TIMEOUT's 60 s fit in; a server that drips its answer does not
# hold a caller past it. This client's choice.
DEFAULT_DEADLINE = 120.0
# The largest answer the client reads, after decompression. Kustom's answers are a few hundred
# bytes (an order, a token, an error); this client's choice, far above them.
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5  # seconds, doubled on each retry
MAX_RETRY_DELAY = 8.0
# The longest wait the client accepts from the server (RETRY_AFTER_HEADER, or
# RATELIMIT_RESET_HEADER on a 429). A server that asks for more gets no early retry: the error is raised at once with the delay on ``retry_after``.
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 429})  # and every 5xx; never 409 or another 4xx

# Deepest nesting of objects and arrays the client sends, in the order and in
# attachment.body, and reads in an answer. It is orjson's own limit for encoding, so checking it
# costs nothing on the fast path; a real order nests four levels.
MAX_JSON_DEPTH = 254
# Kustom's integers are int64 (the vendor's OpenAPI); anything beyond is refused before sending.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
