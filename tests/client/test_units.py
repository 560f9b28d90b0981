"""The client layer's pure parts: error mapping, retry decisions, the path from the spec."""

from __future__ import annotations

import email.utils
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kustom_client import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EndpointNotFoundError,
    ForbiddenError,
    InternalServerError,
    KustomAPIError,
    KustomClient,
    NotFoundError,
    PaymentMethodFailedError,
    RateLimitError,
    ServiceUnavailableError,
    TokenCanceledError,
    TokenNotFoundError,
    TokenSuspendedError,
    UnavailablePaymentMethodError,
)
from kustom_client.call import Operation
from kustom_client.constants import (
    ENDPOINT_NOT_FOUND_CODE,
    MAX_RETRY_DELAY,
    ORDER_PATH,
    RATELIMIT_LIMIT_HEADER,
    RATELIMIT_REMAINING_HEADER,
    RATELIMIT_RESET_HEADER,
    READ_TOKEN_PATH,
    STATUS_PATH,
)
from kustom_client.errors import BY_CODE, BY_STATUS, error_for
from kustom_client.retry import backoff, decide_after_status, retry_after, should_retry
from kustom_spec import load_spec, read_names
from tests.client.helpers import small_order


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "BAD_VALUE", BadRequestError),
        (401, "UNAUTHORIZED", AuthenticationError),
        (403, "TOKEN_SUSPENDED", TokenSuspendedError),
        (403, "TOKEN_CANCELED", TokenCanceledError),
        (403, "UNAVAILABLE_PAYMENT_METHOD", UnavailablePaymentMethodError),
        (403, "PAYMENT_METHOD_FAILED", PaymentMethodFailedError),
        (403, "SOMETHING_NEW", ForbiddenError),
        (404, "TOKEN_NOT_FOUND", TokenNotFoundError),
        (404, None, EndpointNotFoundError),  # not Kustom's error shape
        (404, "NOT_FOUND", NotFoundError),  # without its operation, either
        (404, "ENDPOINT_NOT_FOUND", EndpointNotFoundError),
        (409, "IDEMPOTENCY_KEY_CONFLICT", ConflictError),
        (429, "RATE_LIMITED", RateLimitError),
        (503, "SERVICE_UNAVAILABLE", ServiceUnavailableError),
        (500, None, InternalServerError),
        (502, None, InternalServerError),
        (418, None, KustomAPIError),
        (400, "TOKEN_SUSPENDED", BadRequestError),  # a code only refines its own status
    ],
)
def test_each_status_and_code_has_its_class(
    status: int, code: str | None, cls: type[Exception]
) -> None:
    body = (
        {"error_code": code, "error_messages": ["m"], "correlation_id": "c-1"} if code else "oops"
    )
    error = error_for(status, body, "c-header")
    assert type(error) is cls
    assert error.status_code == status
    assert error.correlation_id == ("c-1" if code else "c-header")
    assert error.request_id == error.correlation_id
    assert str(status) in str(error)


def test_error_carries_messages() -> None:
    error = error_for(
        400,
        {
            "error_code": "BAD_VALUE",
            "error_messages": ["Bad value: order_amount"],
            "correlation_id": "c",
            "reason": "r",
        },
        None,
    )
    assert isinstance(error, BadRequestError)
    assert error.error_messages == ["Bad value: order_amount"]
    assert error.reason == "r"
    assert "Bad value: order_amount" in str(error)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (408, True),
        (409, False),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (422, False),
        (200, False),
        (501, True),
    ],
)
def test_which_statuses_are_retried(status: int, retry: bool) -> None:
    assert should_retry(status) is retry


def test_retry_after_forms() -> None:
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"Retry-After": "3"}) == 3.0
    assert retry_after({"retry-after": "3600"}) == 3600.0  # reported; decide_* refuses to wait
    assert retry_after({"retry-after": "-1"}) is None
    assert retry_after({"retry-after": "nan"}) is None
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 5, usegmt=True)
    assert retry_after({"retry-after": date}, now=now) == pytest.approx(5.0)
    past = email.utils.formatdate(now - 5, usegmt=True)
    assert retry_after({"retry-after": past}, now=now) is None


def test_x_ratelimit_reset_only_on_a_429() -> None:
    assert retry_after({"X-Ratelimit-Reset": "2"}, 429) == 2.0
    assert retry_after({"X-Ratelimit-Reset": "0.5, 1;w=1"}, 429) == 0.5
    assert retry_after({"X-Ratelimit-Reset": "2"}, 503) is None
    assert retry_after({"X-Ratelimit-Reset": "2", "Retry-After": "7"}, 429) == 7.0


def test_decisions() -> None:
    retry = decide_after_status(503, {"Retry-After": "4"}, retries_done=0, max_retries=2)
    assert (retry.retry, retry.delay, retry.retry_after) == (True, 4.0, 4.0)
    exhausted = decide_after_status(503, {}, retries_done=2, max_retries=2)
    assert not exhausted.retry
    assert exhausted.reason == "no retries left after status 503"
    too_long = decide_after_status(429, {"Retry-After": "61"}, retries_done=0, max_retries=2)
    assert (too_long.retry, too_long.waits_too_long, too_long.retry_after) == (False, True, 61)
    conflict = decide_after_status(409, {"Retry-After": "1"}, retries_done=0, max_retries=2)
    assert not conflict.retry


def test_every_status_class_is_a_kustom_api_error() -> None:
    assert BY_STATUS[429] is RateLimitError
    assert all(issubclass(cls, KustomAPIError) for cls in BY_STATUS.values())


@given(st.integers(1, 30), st.randoms(use_true_random=False))
def test_backoff_doubles_within_bounds(attempt: int, rng: random.Random) -> None:
    delay = backoff(attempt, rng)
    ceiling = min(0.5 * 2 ** (attempt - 1), MAX_RETRY_DELAY)
    assert 0.75 * ceiling <= delay <= ceiling


@pytest.mark.parametrize(
    ("operation_id", "path"),
    [
        ("createOrder", ORDER_PATH),
        ("readCustomerToken", READ_TOKEN_PATH),
        ("patchCustomerToken", STATUS_PATH),
    ],
)
def test_the_paths_are_the_specs(operation_id: str, path: str) -> None:
    spec_path = load_spec().operation(operation_id).path
    assert path.replace("{customer_token}", "{customerToken}") == spec_path


def operations_by_id() -> dict[str, Operation[Any]]:
    """What the client sends for each of the spec's operations (nothing is sent here)."""
    with KustomClient("key_for_units", base_url="http://127.0.0.1:9") as kustom:
        return {
            "createOrder": kustom._create_order("tok_x", small_order(), None),
            "readCustomerToken": kustom._get_token("tok_x"),
            "patchCustomerToken": kustom._cancel_token("tok_x", None),
        }


def test_every_error_code_of_the_spec_has_its_class() -> None:
    """Each status the spec answers with an error maps to its class, each code a 403 can carry
    refines it, and every code of every operation's 404 is an unknown token: TokenNotFoundError
    (the rest of the codes add nothing to their status)."""
    spec = load_spec()
    built = operations_by_id()
    assert set(built) == set(spec.operations)
    not_found_codes = set()
    for operation in spec.operations.values():
        for status, response in operation.node["responses"].items():
            response = spec.resolve(response)
            if not status.isdigit() or int(status) < 400:
                continue
            expected = BY_STATUS.get(int(status), InternalServerError)
            for code in response.get("x-error-codes", []):
                error = error_for(
                    int(status),
                    {"error_code": code},
                    None,
                    unknown_token_code=built[operation.operation_id].unknown_token_code,
                )
                assert isinstance(error, expected), (operation.operation_id, status, code)
                if int(status) == 404:
                    not_found_codes.add(code)
                    assert type(error) is TokenNotFoundError, (operation.operation_id, code)
                elif int(status) == 403:
                    assert type(error) is BY_CODE[code], (operation.operation_id, code)
    assert not_found_codes == {"TOKEN_NOT_FOUND", "NOT_FOUND"}  # the test saw both


def test_a_code_for_an_unknown_token_means_it_only_on_its_own_operation() -> None:
    """NOT_FOUND is the read's and the cancel's unknown token; on an order (whose unknown token
    is TOKEN_NOT_FOUND) it may be a server's answer for any path: neither subclass."""
    built = operations_by_id()
    body = {"error_code": "NOT_FOUND"}
    unknown = {name: op.unknown_token_code for name, op in built.items()}
    assert type(error_for(404, body, None, unknown_token_code=unknown["createOrder"])) is (
        NotFoundError
    )
    for name in ("readCustomerToken", "patchCustomerToken"):
        error = error_for(404, body, None, unknown_token_code=unknown[name])
        assert type(error) is TokenNotFoundError
    # Whatever the operation, the route's code and a body without Kustom's shape are no token's.
    for code in unknown.values():
        for route_body in ({"error_code": ENDPOINT_NOT_FOUND_CODE}, "<html>404</html>", None, {}):
            error = error_for(404, route_body, None, unknown_token_code=code)
            assert type(error) is EndpointNotFoundError
        # The same codes on another status refine nothing.
        assert type(error_for(400, body, None, unknown_token_code=code)) is BadRequestError


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ({"type": "card"}, {"type": "card"}),
        ({"type": "invoice", "number_of_days": 14}, {"type": "invoice", "number_of_days": 14}),
        ({"type": "crypto"}, {"type": "crypto"}),  # a type the client does not know yet: kept
        ({"number_of_days": 14}, None),  # type is required
        ({"type": "card", "number_of_days": "14"}, None),  # not the spec's shape
        ("card", None),
        (None, None),
    ],
)
def test_the_declined_payment_method_is_typed_on_the_error(
    method: object, expected: dict[str, object] | None
) -> None:
    body = {
        "error_code": "PAYMENT_METHOD_FAILED",
        "error_messages": ["The purchase was declined by the payment method"],
        "reason": "The purchase was declined",
        "fraud_status": "REJECTED",
        "authorized_payment_method": method,
    }
    error = error_for(403, body, None)
    assert isinstance(error, PaymentMethodFailedError)
    found = error.authorized_payment_method
    assert (None if found is None else found.to_dict()) == expected
    assert error.fraud_status == "REJECTED"
    assert error.reason == "The purchase was declined"


def test_the_specs_declined_example_reads_whole() -> None:
    example = load_spec().document["components"]["examples"]["PaymentMethodFailed"]["value"]
    error = error_for(403, example, None)
    assert isinstance(error, PaymentMethodFailedError)
    assert error.authorized_payment_method is not None
    assert error.authorized_payment_method.to_dict() == example["authorized_payment_method"]
    # The example is the mock's answer (tests/mock/test_example_exchanges.py), which has no
    # fraud_status; the test above reads one.
    assert error.fraud_status == example.get("fraud_status")
    assert error.reason == example["reason"]


def test_the_rate_limit_headers_are_the_specs() -> None:
    """The client's copy of the names (tests/spec/test_contract_literals.py holds the others)."""
    names = read_names(load_spec())
    assert (names.rate_limit) == (
        RATELIMIT_LIMIT_HEADER,
        RATELIMIT_REMAINING_HEADER,
        RATELIMIT_RESET_HEADER,
    )
