"""Explicit sequences over the token operations, beside the generated ones of the stateful
phase: each answer is held to the spec, and the state the spec promises to the next request.

Against a server other than the mock they run only where cancelling is allowed
(KUSTOM_ALLOW_CANCEL=1 with KUSTOM_CANCEL_TOKEN), and the other merchant's token only against
the mock, whose test data has a second merchant.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from kustom_conformance import Response, response_violations
from kustom_contract.auth import Credentials
from kustom_contract.cases import IDEMPOTENCY_HEADER
from kustom_contract.config import configured
from kustom_contract.target import FRESH_PREFIX, MOCK_SECOND_API_KEY, MOCK_SECOND_USERNAME
from kustom_spec import load_spec

SPEC = load_spec()
TARGET = configured().target
ORDER = SPEC.resolve(SPEC.document["components"]["examples"]["MinimalOrder"])["value"]
CREDENTIALS = Credentials(TARGET.username, TARGET.api_key)
# Merchant B of the mock's test data (docs/mock.md, "Test data").
MERCHANT_B = Credentials(MOCK_SECOND_USERNAME, MOCK_SECOND_API_KEY)

pytestmark = pytest.mark.skipif(
    not TARGET.can_cancel, reason="cancelling is not allowed against this target"
)


class Api:
    """The three operations over HTTP, every answer checked against the spec."""

    def __init__(self, client: httpx.Client, credentials: Credentials) -> None:
        self.client = client
        self.credentials = credentials

    def send(
        self,
        operation_id: str,
        token: str,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        operation = SPEC.operation(operation_id)
        all_headers = {"Authorization": self.credentials.header_for(secrets.token_hex(2))}
        all_headers.update(headers or {})
        response = self.client.request(
            operation.method.upper(),
            operation.path.replace("{customerToken}", token),
            headers=all_headers,
            json=body,
        )
        answer = Response.of(response.status_code, response.headers.multi_items(), response.content)
        problems = response_violations(operation, answer)
        assert not problems, f"{operation_id} {response.status_code}: {problems}"
        return response

    def read(self, token: str) -> httpx.Response:
        return self.send("readCustomerToken", token)

    def order(self, token: str) -> httpx.Response:
        return self.send("createOrder", token, ORDER)

    def cancel(self, token: str, key: str | None = None) -> httpx.Response:
        headers = {IDEMPOTENCY_HEADER: key} if key else {}
        return self.send("patchCustomerToken", token, {"status": "CANCELLED"}, headers)


@pytest.fixture
def api(base_url: str) -> Iterator[Api]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield Api(client, CREDENTIALS)


@pytest.fixture
def token() -> str:
    """A token that may be cancelled: a fresh one of the mock's, or the live one given."""
    return TARGET.cancel_token or f"{FRESH_PREFIX}seq-{secrets.token_hex(8)}"


def test_read_order_cancel_read_order(api: Api, token: str) -> None:
    before = api.read(token)
    assert before.status_code == 200
    assert before.json()["status"] in {"ACTIVE", "CANCELLED"}
    if TARGET.is_mock:
        assert before.json()["status"] == "ACTIVE"
        assert api.order(token).status_code == 200
    assert api.cancel(token).status_code == 202
    after = api.read(token)
    assert after.status_code == 200
    assert after.json()["status"] == "CANCELLED"
    assert after.json()["payment_method_type"] == before.json()["payment_method_type"]
    refused = api.order(token)
    assert refused.status_code == 403
    assert refused.json()["error_code"] == "TOKEN_CANCELED"


def test_cancel_twice(api: Api, token: str) -> None:
    assert api.cancel(token).status_code == 202
    again = api.cancel(token)
    assert again.status_code == 202, "a second cancel is accepted too (openapi.yaml)"
    assert again.content == b""
    assert api.read(token).json()["status"] == "CANCELLED"


def test_a_replayed_cancel_under_one_key(api: Api, token: str) -> None:
    key = f"cancel-{secrets.token_hex(8)}"
    first = api.cancel(token, key)
    again = api.cancel(token, key)
    assert first.status_code == again.status_code == 202
    conflict = api.send(
        "patchCustomerToken", token, {"status": "ACTIVE"}, {IDEMPOTENCY_HEADER: key}
    )
    assert conflict.status_code in {400, 409}  # a bad status, or a conflicting reuse


@pytest.mark.skipif(not TARGET.is_mock, reason="needs the mock's second merchant")
def test_another_merchants_token_cannot_be_read_cancelled_or_charged(
    api: Api, base_url: str, token: str
) -> None:
    assert api.read(token).status_code == 200  # merchant A's from its first use
    other = Api(api.client, MERCHANT_B)
    for response, code in (
        (other.read(token), "TOKEN_FORBIDDEN"),
        (other.cancel(token), "TOKEN_FORBIDDEN"),
        (other.order(token), "TOKEN_CANCELED"),
    ):
        assert response.status_code == 403
        assert response.json()["error_code"] == code
    assert api.read(token).json()["status"] == "ACTIVE"
