"""Hosts and defaults."""

import httpx

# Kustom's hosts (they replaced api.klarna.com and api.playground.klarna.com).
PRODUCTION_BASE_URL = "https://api.kustom.co"
PLAYGROUND_BASE_URL = "https://api.playground.kustom.co"

ORDER_PATH = "/customer-token/v1/tokens/{customer_token}/order"  # tests hold it to the spec
IDEMPOTENCY_HEADER = "Klarna-Idempotency-Key"
CORRELATION_HEADER = "Klarna-Correlation-Id"

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5  # seconds, doubled on each retry
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a server's Retry-After above this is not waited for; backoff instead
RETRYABLE_STATUSES = frozenset({408, 409, 429})  # and every 5xx
