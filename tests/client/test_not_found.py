"""A 404 told apart: an unknown token (TokenNotFoundError, on every operation) from a path that
is no operation (EndpointNotFoundError: a wrong base URL, prefix or host), against a scripted
server standing in for servers that answer either way. The mock's own answers are in
test_against_the_mock.py."""

from __future__ import annotations

from typing import Any

import pytest

from kustom_client import (
    EndpointNotFoundError,
    KustomAPIError,
    NotFoundError,
    TokenNotFoundError,
)
from kustom_client.constants import ENDPOINT_NOT_FOUND_CODE
from tests.client.helpers import KINDS, OPERATIONS, outcome
from tests.http_doubles import Reply, ScriptedServer


def kustom_error(code: str) -> dict[str, Any]:
    return {"error_code": code, "error_messages": ["m"], "correlation_id": "c-404"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(404, kustom_error(ENDPOINT_NOT_FOUND_CODE)), "the mock's code for it"),
        (Reply(404, b"<html><body>404 Not Found</body></html>"), "a web server's page"),
        (Reply(404, b""), "no body"),
        (Reply(404, {"detail": "Not Found"}), "another API's JSON"),
        (Reply(404, {"error_code": 404, "error_messages": ["x"]}), "not a string code"),
    ],
)
def test_a_404_that_is_not_about_a_token_is_endpoint_not_found(
    server: ScriptedServer, waits: list[float], kind: str, operation: str, reply: Reply, reason: str
) -> None:
    server.always(reply)
    error = outcome(kind, server, operation)
    assert type(error) is EndpointNotFoundError, reason
    assert isinstance(error, NotFoundError)  # code that catches NotFoundError still does
    assert len(server.requests) == 1  # a 404 is not retried
    assert error.idempotency_key == (
        None if operation == "get_token" else server.requests[0].headers["Klarna-Idempotency-Key"]
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("operation", "code", "expected"),
    [
        ("create_order", "TOKEN_NOT_FOUND", TokenNotFoundError),
        ("get_token", "NOT_FOUND", TokenNotFoundError),
        ("cancel_token", "NOT_FOUND", TokenNotFoundError),
        # The spec's code of another operation: still the unknown token, unambiguously.
        ("get_token", "TOKEN_NOT_FOUND", TokenNotFoundError),
        ("cancel_token", "TOKEN_NOT_FOUND", TokenNotFoundError),
        # An order's 404 is TOKEN_NOT_FOUND; NOT_FOUND there could be any path's: neither.
        ("create_order", "NOT_FOUND", NotFoundError),
        ("get_token", "SOMETHING_NEW", NotFoundError),
    ],
)
def test_an_unknown_token_is_token_not_found_on_every_operation(
    server: ScriptedServer,
    kind: str,
    operation: str,
    code: str,
    expected: type[KustomAPIError],
) -> None:
    server.always(Reply(404, kustom_error(code)))
    error = outcome(kind, server, operation)
    assert type(error) is expected
    assert (error.error_code, error.correlation_id) == (code, "c-404")
