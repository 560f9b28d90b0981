"""What the answer's headers say, on every operation: results with ``replayed``,
``correlation_id`` and ``rate_limit``; ``with_raw_response`` for the status, headers and body
of any call; errors with their headers too. Against a scripted server; the mock's own headers
are in test_against_the_mock.py."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest

from kustom_client import (
    MAX_RETRY_AFTER,
    APIResponse,
    AuthenticationError,
    CancelledToken,
    CreatedOrder,
    KustomClient,
    OrderValidationError,
    RateLimit,
    RateLimitError,
    RetrievedToken,
)
from kustom_client.call import Operation
from kustom_client.headers import NO_RATE_LIMIT, rate_limit
from kustom_client.results import raw_operation
from kustom_redact import Masker
from tests.client.helpers import KEY_A, KINDS, OK, OPERATIONS, TOKEN, outcome, small_order
from tests.http_doubles import Reply, ScriptedServer

CUSTOMER_TOKEN = {"status": "ACTIVE", "payment_method_type": "INVOICE"}
LIMITS = {
    "X-Ratelimit-Limit": "50, 50;w=1",
    "X-Ratelimit-Remaining": "15",
    "X-Ratelimit-Reset": "1",
}
HEADERS = LIMITS | {"Klarna-Correlation-Id": "c-ok", "Idempotent-Replayed": "true"}
# What each operation answers on success, and the class of its result.
SUCCESS: dict[str, tuple[int, Any, type[Any]]] = {
    "create_order": (200, OK, CreatedOrder),
    "get_token": (200, CUSTOMER_TOKEN, RetrievedToken),
    "cancel_token": (202, b"", CancelledToken),
}
UNAVAILABLE = {"error_code": "SERVICE_UNAVAILABLE", "error_messages": ["later"]}


def success(operation: str, headers: dict[str, str] = HEADERS) -> Reply:
    status, body, _ = SUCCESS[operation]
    return Reply(status, body, headers)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_result_says_what_the_headers_said(
    server: ScriptedServer, kind: str, operation: str
) -> None:
    server.always(success(operation))
    result = outcome(kind, server, operation)
    assert type(result) is SUCCESS[operation][2]
    assert result.rate_limit == RateLimit("50, 50;w=1", 15, 1)
    assert result.correlation_id == "c-ok"
    assert result.replayed is True


@pytest.mark.parametrize("operation", OPERATIONS)
def test_without_those_headers_a_result_says_none(server: ScriptedServer, operation: str) -> None:
    server.always(success(operation, {}))
    result = outcome("sync", server, operation)
    assert result.rate_limit == NO_RATE_LIMIT == RateLimit(None, None, None)
    assert (result.correlation_id, result.replayed) == (None, False)


def test_the_read_result_reads_like_the_token(server: ScriptedServer) -> None:
    card = {
        "status": "ACTIVE",
        "payment_method_type": "CARD",
        "card": {"brand": "VISA", "expiry_date": "12/2030", "masked_number": "************1111"},
    }
    server.always(Reply(200, card))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        read = kustom.get_token("tok_card")
    assert read.token.to_dict() == card
    assert (read.status, read.payment_method_type) == ("ACTIVE", "CARD")
    assert read.card.brand == "VISA"  # type: ignore[union-attr]
    assert repr(read.direct_debit) == "UNSET"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_with_raw_response_gives_status_headers_and_body_of_every_call(
    server: ScriptedServer, waits: list[float], kind: str, operation: str
) -> None:
    server.then(Reply(503, UNAVAILABLE))
    server.always(success(operation))
    raw = outcome(kind, server, operation, raw=True)
    assert type(raw) is APIResponse
    status, body, result_class = SUCCESS[operation]
    assert raw.status_code == status
    assert raw.retries_taken == 1  # the 503 before it
    assert raw.headers["x-ratelimit-remaining"] == "15"  # any case, as httpx.Headers
    assert raw.headers["Idempotent-Replayed"] == "true"
    assert raw.content == (body if isinstance(body, bytes) else json.dumps(body).encode())
    assert raw.correlation_id == raw.request_id == "c-ok"
    parsed = raw.parse()
    assert type(parsed) is result_class
    assert parsed.rate_limit.remaining == 15
    assert raw.parse() is parsed
    assert "content=" not in repr(raw)
    # The same result as the call without it, against the same answer.
    server.always(success(operation))
    plain = outcome(kind, server, operation)
    assert dataclasses.replace(plain, **_keys(parsed)) == parsed


def _keys(result: Any) -> dict[str, Any]:
    """The fields that differ between two calls: the idempotency key each made."""
    return {"idempotency_key": result.idempotency_key} if hasattr(result, "idempotency_key") else {}


@pytest.mark.parametrize("kind", KINDS)
def test_with_raw_response_raises_as_the_call_does(server: ScriptedServer, kind: str) -> None:
    server.always(Reply(401, {"error_code": "UNAUTHORIZED", "error_messages": ["no"]}))
    error = outcome(kind, server, "create_order", raw=True)
    assert type(error) is AuthenticationError
    assert error.idempotency_key == server.requests[0].headers["Klarna-Idempotency-Key"]


def test_with_raw_response_uses_the_clients_settings_and_leaves_it_as_it_was(
    server: ScriptedServer,
) -> None:
    server.then(Reply(200, OK), Reply(200, OK))
    server.always(Reply(200, CUSTOMER_TOKEN))
    broken = small_order().to_dict() | {"order_amount": 1}
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        with pytest.raises(OrderValidationError):
            kustom.with_raw_response.create_order("tok_active", broken)  # type: ignore[arg-type]
        kustom.check_orders = False  # seen by a with_raw_response taken afterwards
        raw = kustom.with_raw_response.create_order("tok_active", broken)  # type: ignore[arg-type]
        assert json.loads(server.requests[0].body)["order_amount"] == 1
        assert type(raw) is APIResponse
        assert type(kustom.create_order("tok_active", small_order())) is CreatedOrder
        assert type(kustom.get_token("tok_active")) is RetrievedToken


def test_a_raw_operation_sends_what_the_operation_sends() -> None:
    with KustomClient(KEY_A, base_url="http://127.0.0.1:9") as kustom:
        built: list[Operation[Any]] = [
            kustom._create_order("tok_x", small_order(), "k-1"),
            kustom._get_token("tok_x"),
            kustom._cancel_token("tok_x", "k-2"),
        ]
    for operation in built:
        raw = raw_operation(operation)
        for field in dataclasses.fields(Operation):
            if field.name != "parse":
                assert getattr(raw, field.name) == getattr(operation, field.name), field.name


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_headers_show_no_secret(server: ScriptedServer, kind: str, operation: str) -> None:
    """A server that repeats the key or the token in a header: masked in the raw headers and in
    an error's, as everything the client repeats from the server."""
    echo = {
        "X-Echo-Path": f"/customer-token/v1/tokens/{TOKEN}/order",
        "X-Echo-Key": f"Basic {KEY_A}",
        "Klarna-Correlation-Id": f"c-{TOKEN}",
    }
    server.then(Reply(400, {"error_code": "BAD_VALUE"}, echo))
    server.always(success(operation, echo))
    error = outcome(kind, server, operation, raw=True)
    raw = outcome(kind, server, operation, raw=True)
    mask = Masker().mask(TOKEN)
    for headers in (error.headers, raw.headers):
        assert headers["X-Echo-Path"] == f"/customer-token/v1/tokens/{mask}/order"
        assert headers["X-Echo-Key"] == "Basic ***"
        assert headers["Klarna-Correlation-Id"] == f"c-{mask}"
    for shown in (repr(raw), str(raw.headers), repr(error.headers), repr(vars(error))):
        assert TOKEN not in shown
        assert KEY_A not in shown


@pytest.mark.parametrize("kind", KINDS)
def test_an_error_carries_its_headers_and_rate_limit(server: ScriptedServer, kind: str) -> None:
    asked = MAX_RETRY_AFTER * 2  # more than the client waits: raised at once
    headers = LIMITS | {"X-Ratelimit-Remaining": "0", "Retry-After": f"{asked:g}"}
    server.always(Reply(429, {"error_code": "RATE_LIMITED"}, headers))
    error = outcome(kind, server, "get_token")
    assert type(error) is RateLimitError
    assert error.rate_limit == RateLimit("50, 50;w=1", 0, 1)
    assert error.headers["retry-after"] == f"{asked:g}"
    assert error.retry_after == asked


@pytest.mark.parametrize(
    ("value", "count"),
    [
        ("15", 15),
        (" 7 ", 7),
        ("0", 0),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        ("1.5", None),
        ("٣", None),  # a digit, but not ASCII
        ("", None),
        ("9" * 19, None),
        ("9" * 5000, None),  # past int()'s 4300-digit limit: None, not an error
    ],
)
def test_a_count_that_is_not_a_non_negative_integer_reads_as_none(
    value: str, count: int | None
) -> None:
    headers = {"X-Ratelimit-Remaining": value, "X-Ratelimit-Reset": value}
    limit = rate_limit(httpx.Headers(headers, encoding="utf-8"))
    assert (limit.remaining, limit.reset) == (count, count)
    assert limit.limit is None
