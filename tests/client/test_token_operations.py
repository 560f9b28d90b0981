"""get_token and cancel_token over the wire, against a scripted server: the same request core,
so the same retries, errors and checks as create_order."""

from __future__ import annotations

import asyncio
import json

import pytest
from kustom_customer_token_client.models import TokenStatus

from kustom_client import (
    APIResponseValidationError,
    AsyncKustomClient,
    ConflictError,
    InvalidArgumentError,
    KustomClient,
    TokenForbiddenError,
    TokenNotFoundError,
)
from tests.client.helpers import KEY_A
from tests.http_doubles import Reply, ScriptedServer

CARD_TOKEN = {
    "payment_method_type": "CARD",
    "status": "ACTIVE",
    "card": {"brand": "VISA", "expiry_date": "12/2030", "masked_number": "************1111"},
}
UNAVAILABLE = {"error_code": "SERVICE_UNAVAILABLE", "error_messages": ["later"]}


def test_get_token_reads_the_model(server: ScriptedServer, waits: list[float]) -> None:
    server.then(Reply(503, UNAVAILABLE))
    server.always(Reply(200, CARD_TOKEN))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        token = kustom.get_token("tok/card")
    assert token.status == TokenStatus.ACTIVE
    assert token.card.brand == "VISA"  # type: ignore[union-attr]
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/customer-token/v1/tokens/tok%2Fcard")
    ] * 2
    first = server.requests[0]
    assert first.body == b""
    assert "Klarna-Idempotency-Key" not in first.headers
    assert "Content-Type" not in first.headers
    assert first.headers["Authorization"] == f"Basic {KEY_A}"
    assert len(waits) == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (
            Reply(403, {"error_code": "TOKEN_FORBIDDEN", "error_messages": ["x"]}),
            TokenForbiddenError,
        ),
        (Reply(404, {"error_code": "NOT_FOUND", "error_messages": ["x"]}), TokenNotFoundError),
        (Reply(200, {"status": "ACTIVE"}), APIResponseValidationError),
    ],
)
def test_get_token_errors_after_one_request(
    server: ScriptedServer, reply: Reply, error: type[Exception]
) -> None:
    server.always(reply)
    with KustomClient(KEY_A, base_url=server.base_url) as kustom, pytest.raises(error) as raised:
        kustom.get_token("tok_x")
    assert len(server.requests) == 1
    assert raised.value.idempotency_key is None  # type: ignore[attr-defined]  # a read has none


def test_cancel_token_under_one_key(server: ScriptedServer, waits: list[float]) -> None:
    server.then(Reply(503, UNAVAILABLE), Reply(drop=True))
    server.always(Reply(202, b"", {"Klarna-Correlation-Id": "c-cancel"}))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        cancelled = kustom.cancel_token("tok_fresh_1", idempotency_key="k-cancel")
    assert cancelled.replayed is False
    assert cancelled.idempotency_key == "k-cancel"
    assert cancelled.correlation_id == "c-cancel"
    assert len(server.requests) == 3
    for request in server.requests:
        assert (request.method, request.path) == (
            "PATCH",
            "/customer-token/v1/tokens/tok_fresh_1/status",
        )
        assert json.loads(request.body) == {"status": "CANCELLED"}
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Klarna-Idempotency-Key"] == "k-cancel"


def test_cancel_token_makes_a_key_and_reports_a_replay(server: ScriptedServer) -> None:
    server.always(Reply(202, b"", {"Idempotent-Replayed": "true"}))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        cancelled = kustom.cancel_token("tok_fresh_2")
    assert cancelled.replayed is True
    assert cancelled.idempotency_key == server.requests[0].headers["Klarna-Idempotency-Key"]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(409, {"error_code": "IDEMPOTENCY_KEY_CONFLICT"}), ConflictError),
        (Reply(403, {"error_code": "TOKEN_FORBIDDEN"}), TokenForbiddenError),
        (Reply(200, b""), APIResponseValidationError),  # 202 is the promise
    ],
)
def test_cancel_token_errors_carry_the_key(
    server: ScriptedServer, reply: Reply, error: type[Exception]
) -> None:
    server.always(reply)
    with KustomClient(KEY_A, base_url=server.base_url) as kustom, pytest.raises(error) as raised:
        kustom.cancel_token("tok_fresh_3", idempotency_key="k-c")
    assert len(server.requests) == 1
    assert raised.value.idempotency_key == "k-c"  # type: ignore[attr-defined]


@pytest.mark.parametrize("token", ["", ".", ".."])
def test_dot_tokens_are_refused_by_every_operation(server: ScriptedServer, token: str) -> None:
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        with pytest.raises(InvalidArgumentError):
            kustom.get_token(token)
        with pytest.raises(InvalidArgumentError) as raised:
            kustom.cancel_token(token, idempotency_key="k-dot")
    assert raised.value.idempotency_key == "k-dot"
    assert server.requests == []


def test_async_token_operations(server: ScriptedServer, waits: list[float]) -> None:
    server.then(Reply(200, CARD_TOKEN), Reply(503, UNAVAILABLE))
    server.always(Reply(202, b""))

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=server.base_url) as kustom:
            token = await kustom.get_token("tok_card")
            assert token.payment_method_type == "CARD"
            cancelled = await kustom.cancel_token("tok_card", idempotency_key="k-async")
            assert cancelled.idempotency_key == "k-async"

    asyncio.run(scenario())
    assert [r.method for r in server.requests] == ["GET", "PATCH", "PATCH"]
