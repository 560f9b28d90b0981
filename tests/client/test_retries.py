"""What is retried, how long the client waits, and what it raises: over a real socket against a
scripted server. Assertions are on request counts and recorded waits, never on elapsed time."""

from __future__ import annotations

import asyncio
import socket

import pytest

from kustom_client import (
    MAX_RETRY_AFTER,
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncKustomClient,
    BadRequestError,
    ConflictError,
    InternalServerError,
    KustomAPIError,
    KustomClient,
    KustomError,
    RateLimitError,
    ServiceUnavailableError,
)
from tests.client.helpers import KEY_A, OK, small_order
from tests.http_doubles import Reply, ScriptedServer

IDEMPOTENCY = "Klarna-Idempotency-Key"


def error_body(code: str) -> dict[str, object]:
    return {"error_code": code, "error_messages": [code.lower()], "correlation_id": "c-1"}


def client(server: ScriptedServer, **options: object) -> KustomClient:
    return KustomClient(KEY_A, base_url=server.base_url, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "status",
    [408, 429, 500, 502, 503, 504],
)
def test_retried_statuses_then_success_with_one_key(
    server: ScriptedServer, waits: list[float], status: int
) -> None:
    server.then(Reply(status, error_body("X")), Reply(status, error_body("X")))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        created = kustom.create_order("tok_active", small_order(), idempotency_key="k-1")
    assert created.order_id == "o-1"
    assert len(server.requests) == 3
    assert {r.headers[IDEMPOTENCY] for r in server.requests} == {"k-1"}
    assert len(waits) == 2
    assert 0.375 <= waits[0] <= 0.5  # backoff: 0.5 s, then 1 s, minus up to 25% jitter
    assert 0.75 <= waits[1] <= 1.0


def test_generated_key_is_the_same_on_every_attempt(
    server: ScriptedServer, waits: list[float]
) -> None:
    server.then(Reply(503, error_body("SERVICE_UNAVAILABLE")))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        created = kustom.create_order("tok_active", small_order())
    keys = [r.headers[IDEMPOTENCY] for r in server.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1] == created.idempotency_key


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (409, "IDEMPOTENCY_KEY_CONFLICT", ConflictError),
        (400, "BAD_VALUE", BadRequestError),
        (401, "UNAUTHORIZED", KustomAPIError),
        (403, "TOKEN_SUSPENDED", KustomAPIError),
        (404, "TOKEN_NOT_FOUND", KustomAPIError),
        (422, "UNPROCESSABLE", KustomAPIError),
    ],
)
def test_other_4xx_are_raised_after_one_request(
    server: ScriptedServer, waits: list[float], status: int, code: str, error: type[Exception]
) -> None:
    server.always(Reply(status, error_body(code)))
    with client(server) as kustom, pytest.raises(error) as raised:
        kustom.create_order("tok_active", small_order(), idempotency_key="k-4xx")
    assert len(server.requests) == 1
    assert waits == []
    assert raised.value.idempotency_key == "k-4xx"  # type: ignore[attr-defined]
    assert raised.value.status_code == status  # type: ignore[attr-defined]


def test_retry_after_is_honoured(server: ScriptedServer, waits: list[float]) -> None:
    server.then(
        Reply(429, error_body("RATE_LIMITED"), {"Retry-After": "2"}),
        Reply(503, error_body("SERVICE_UNAVAILABLE"), {"retry-after-ms": "250"}),
    )
    server.always(Reply(200, OK))
    with client(server) as kustom:
        kustom.create_order("tok_active", small_order())
    assert waits == [2.0, 0.25]


def test_x_ratelimit_reset_is_honoured_on_a_429(server: ScriptedServer, waits: list[float]) -> None:
    limited = {"X-Ratelimit-Limit": "40, 40;w=1", "X-Ratelimit-Remaining": "0"}
    server.then(Reply(429, error_body("RATE_LIMITED"), limited | {"X-Ratelimit-Reset": "1"}))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        kustom.create_order("tok_active", small_order())
    assert waits == [1.0]


def test_rate_limit_error_after_the_retries(server: ScriptedServer, waits: list[float]) -> None:
    server.always(Reply(429, error_body("RATE_LIMITED"), {"Retry-After": "1"}))
    with client(server, max_retries=3) as kustom, pytest.raises(RateLimitError) as raised:
        kustom.create_order("tok_active", small_order(), idempotency_key="k-429")
    assert len(server.requests) == 4
    assert waits == [1.0, 1.0, 1.0]
    assert raised.value.status_code == 429
    assert raised.value.retry_after == 1.0
    assert raised.value.idempotency_key == "k-429"


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (429, {"Retry-After": "3600"}, RateLimitError),
        (503, {"Retry-After": "3600"}, ServiceUnavailableError),
        (429, {"X-Ratelimit-Reset": "3600"}, RateLimitError),
        (500, {"retry-after-ms": "600000"}, InternalServerError),
    ],
)
def test_a_retry_after_above_the_maximum_raises_at_once(
    server: ScriptedServer,
    waits: list[float],
    status: int,
    headers: dict[str, str],
    error: type[KustomAPIError],
) -> None:
    server.always(Reply(status, error_body("X"), headers))
    with client(server) as kustom, pytest.raises(error) as raised:
        kustom.create_order("tok_active", small_order(), idempotency_key="k-long")
    assert len(server.requests) == 1
    assert waits == []
    assert raised.value.retry_after is not None
    assert raised.value.retry_after > MAX_RETRY_AFTER
    assert raised.value.idempotency_key == "k-long"
    assert "more than the 60 s maximum" in str(raised.value)


def test_a_retry_after_at_the_maximum_is_waited_for(
    server: ScriptedServer, waits: list[float]
) -> None:
    server.then(Reply(503, error_body("X"), {"Retry-After": str(int(MAX_RETRY_AFTER))}))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        kustom.create_order("tok_active", small_order())
    assert waits == [MAX_RETRY_AFTER]


def test_an_unreadable_retry_after_falls_back_to_backoff(
    server: ScriptedServer, waits: list[float]
) -> None:
    server.then(Reply(503, error_body("X"), {"Retry-After": "soon"}))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        kustom.create_order("tok_active", small_order())
    assert len(waits) == 1
    assert 0.375 <= waits[0] <= 0.5


def test_no_retries_when_max_retries_is_zero(server: ScriptedServer, waits: list[float]) -> None:
    server.always(Reply(503, error_body("SERVICE_UNAVAILABLE")))
    with client(server, max_retries=0) as kustom, pytest.raises(ServiceUnavailableError):
        kustom.create_order("tok_active", small_order())
    assert len(server.requests) == 1


def test_per_call_max_retries_wins(server: ScriptedServer, waits: list[float]) -> None:
    server.always(Reply(503, error_body("SERVICE_UNAVAILABLE")))
    with client(server, max_retries=0) as kustom, pytest.raises(ServiceUnavailableError):
        kustom.create_order("tok_active", small_order(), max_retries=4)
    assert len(server.requests) == 5


def test_a_dropped_connection_is_retried(server: ScriptedServer, waits: list[float]) -> None:
    server.then(Reply(drop=True))
    server.always(Reply(200, OK))
    with client(server) as kustom:
        assert kustom.create_order("tok_active", small_order()).order_id == "o-1"
    assert len(server.requests) == 2
    assert len({r.headers[IDEMPOTENCY] for r in server.requests}) == 1


def test_timeouts_are_retried_then_raised_with_the_key(
    server: ScriptedServer, waits: list[float]
) -> None:
    server.always(Reply(200, OK, delay=0.5))
    with client(server, max_retries=1) as kustom, pytest.raises(APITimeoutError) as raised:
        kustom.create_order("tok_active", small_order(), timeout=0.05)
    assert len(server.requests) == 2
    assert raised.value.idempotency_key == server.requests[0].headers[IDEMPOTENCY]
    assert "2 attempts" in str(raised.value)


def test_a_per_call_timeout_that_suffices(server: ScriptedServer) -> None:
    server.always(Reply(200, OK, delay=0.2))
    with client(server, timeout=0.05, max_retries=0) as kustom:
        assert kustom.create_order("tok_active", small_order(), timeout=5).order_id == "o-1"


def test_connection_refused_carries_the_key(waits: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        KustomClient(KEY_A, base_url=f"http://127.0.0.1:{port}", max_retries=1) as kustom,
        pytest.raises(APIConnectionError) as raised,
    ):
        kustom.create_order("tok_active", small_order(), idempotency_key="k-refused")
    assert raised.value.idempotency_key == "k-refused"
    assert len(waits) == 1
    assert "ConnectError" in str(raised.value)


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (Reply(200, b"<html>gateway</html>"), "not readable JSON"),
        (Reply(200, {"unexpected": True}), "KeyError"),
        (Reply(200, ["o-1"]), "not an object"),
        (Reply(201, OK), "expected status 200"),
    ],
)
def test_an_unreadable_success_has_its_own_error(
    server: ScriptedServer, waits: list[float], reply: Reply, problem: str
) -> None:
    server.always(reply)
    with client(server) as kustom, pytest.raises(APIResponseValidationError) as raised:
        kustom.create_order("tok_active", small_order(), idempotency_key="k-maybe")
    assert len(server.requests) == 1  # the order may exist: never resent under a new key
    error = raised.value
    assert error.idempotency_key == "k-maybe"
    assert error.status_code == reply.status
    assert problem in error.problem
    expected_body = reply.body.decode() if isinstance(reply.body, bytes) else reply.body
    assert error.body == expected_body
    assert "same idempotency key" in str(error)


def test_a_replay_is_reported(server: ScriptedServer) -> None:
    server.then(Reply(200, OK, {"Klarna-Correlation-Id": "c-first"}))
    server.always(Reply(200, OK, {"Idempotent-Replayed": "true", "Klarna-Correlation-Id": "c-1"}))
    with client(server) as kustom:
        first = kustom.create_order("tok_active", small_order(), idempotency_key="k-r")
        again = kustom.create_order("tok_active", small_order(), idempotency_key="k-r")
    assert (first.replayed, again.replayed) == (False, True)
    assert first.correlation_id == "c-first"
    assert again.idempotency_key == "k-r"
    assert again.order.order_id == again.order_id == "o-1"


def test_async_shares_the_decisions(server: ScriptedServer, waits: list[float]) -> None:
    server.then(
        Reply(503, error_body("SERVICE_UNAVAILABLE"), {"Retry-After": "3"}),
        Reply(drop=True),
        Reply(409, error_body("IDEMPOTENCY_KEY_CONFLICT")),
    )

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=server.base_url) as kustom:
            with pytest.raises(ConflictError) as raised:
                await kustom.create_order("tok_active", small_order(), idempotency_key="k-a")
            assert raised.value.idempotency_key == "k-a"
            server.always(Reply(429, error_body("RATE_LIMITED"), {"Retry-After": "900"}))
            with pytest.raises(RateLimitError) as limited:
                await kustom.create_order("tok_active", small_order())
            assert limited.value.retry_after == 900

    asyncio.run(scenario())
    assert len(server.requests) == 4
    assert waits[0] == 3.0
    assert len(waits) == 2


def test_async_timeout(server: ScriptedServer) -> None:
    server.always(Reply(200, OK, delay=0.5))

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=server.base_url, max_retries=0) as kustom:
            with pytest.raises(APITimeoutError) as raised:
                await kustom.create_order("tok_active", small_order(), timeout=0.05)
            assert raised.value.idempotency_key

    asyncio.run(scenario())


def test_every_error_is_a_kustom_error() -> None:
    for cls in (APIConnectionError, APIResponseValidationError, RateLimitError, ConflictError):
        assert issubclass(cls, KustomError)
