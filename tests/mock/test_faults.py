"""Faults on demand (POST /_mock/faults): each kind's answer and what it leaves in the store,
which requests a fault takes (count, operation, token, merchant, the oldest first, a malformed
request none), its input refused in the API's error shape, and the kinds that act on the wire
through the mock's own server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from kustom_mock import MockConfig, create_app
from kustom_mock.faults import (
    FAULT_NEWS_SECONDS,
    MAX_ARMED,
    FaultAction,
    FaultKind,
    FaultNews,
    NewFault,
)
from kustom_mock.store import Transaction
from kustom_servers.mock_process import RunningMock, running_mock
from tests.mock.helpers import (
    AUTH_A,
    AUTH_B,
    FULL_ORDER,
    PATH,
    STATUS_PATH,
    CheckedClient,
    assert_error_shape,
    checked_client,
)


def arm(client: CheckedClient, auth: tuple[str, str] = AUTH_A, **fault: Any) -> dict[str, Any]:
    armed = client.post("/_mock/faults", json=fault, auth=auth)
    assert armed.status_code == 201, armed.text
    return dict(armed.json())


def armed(client: CheckedClient, auth: tuple[str, str] = AUTH_A) -> list[Any]:
    return list(client.get("/_mock/faults", auth=auth).json()["faults"])


def kept_orders(client: CheckedClient, auth: tuple[str, str] = AUTH_A) -> list[Any]:
    return list(client.get("/_mock/orders", auth=auth).json()["orders"])


def test_a_429_answers_before_anything_is_kept(client: CheckedClient) -> None:
    fault = arm(client, operation="createOrder", kind="status", status=429)
    assert fault["remaining"] == 1
    assert fault["fault_id"].startswith("flt_")
    limited = client.create(key="k-429")
    assert limited.status_code == 429
    assert assert_error_shape(limited)["error_code"] == "RATE_LIMITED"
    assert limited.headers["Retry-After"] == "1"
    assert limited.headers["X-Ratelimit-Limit"] == "50, 50;w=1"  # the playground's
    assert limited.headers["X-Ratelimit-Remaining"] == "0"
    assert limited.headers["X-Ratelimit-Reset"] == "1"
    assert kept_orders(client) == []
    assert armed(client) == []  # its one count taken
    again = client.create(key="k-429")  # the key was not claimed: the order is placed now
    assert again.status_code == 200
    assert "Idempotent-Replayed" not in again.headers
    assert len(kept_orders(client)) == 1


def test_a_503_says_when_to_retry_and_keeps_nothing(client: CheckedClient) -> None:
    arm(client, operation="patchCustomerToken", kind="status", status=503, retry_after=7)
    refused = client.cancel("tok_fresh_kept", key="cancel-1")
    assert refused.status_code == 503
    assert assert_error_shape(refused)["error_code"] == "SERVICE_UNAVAILABLE"
    assert refused.headers["Retry-After"] == "7"
    assert client.read("tok_fresh_kept").json()["status"] == "ACTIVE"
    assert client.cancel("tok_fresh_kept", key="cancel-1").status_code == 202
    assert client.read("tok_fresh_kept").json()["status"] == "CANCELLED"


def test_a_500_is_klarnas_internal_server_error(client: CheckedClient) -> None:
    arm(client, operation="readCustomerToken", kind="status", status=500)
    # openapi.yaml declares no 500: sent without the checked client's spec check.
    answer = client.portal.call(
        lambda: client.async_client.get(PATH.format("tok_card").rsplit("/", 1)[0], auth=AUTH_A)
    )
    assert answer.status_code == 500
    body = assert_error_shape(answer)
    assert body["error_code"] == "INTERNAL_SERVER_ERROR"
    assert "Retry-After" not in answer.headers
    assert client.read("tok_card").status_code == 200


def test_a_429_fault_states_the_configured_rate_limit() -> None:
    for client in checked_client(create_app(MockConfig(rate_limit=5))):
        arm(client, operation="readCustomerToken", kind="status", status=429, retry_after=0)
        limited = client.read("tok_card")
        assert limited.status_code == 429
        assert limited.headers["X-Ratelimit-Limit"] == "5, 5;w=1"
        assert limited.headers["X-Ratelimit-Remaining"] == "0"  # the fault's, not the window's
        assert limited.headers["Retry-After"] == "0"
        assert client.read("tok_card").headers["X-Ratelimit-Limit"] == "5, 5;w=1"


def test_count_requests_then_disarmed(client: CheckedClient) -> None:
    arm(client, operation="createOrder", kind="status", status=503, count=3)
    statuses = [client.create().status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]
    assert armed(client) == []


def test_only_matching_requests_take_a_fault(client: CheckedClient) -> None:
    arm(client, operation="createOrder", kind="status", status=503, customer_token="tok_card")
    assert client.read("tok_card").status_code == 200  # another operation
    assert client.create("tok_active").status_code == 200  # another token
    assert client.create("tok_merchant_b", auth=AUTH_B).status_code == 200  # another merchant
    assert [f["remaining"] for f in armed(client)] == [1]
    assert client.create("tok_card").status_code == 503
    assert armed(client) == []


def test_the_oldest_matching_fault_acts_first(client: CheckedClient) -> None:
    first = arm(client, operation="createOrder", kind="status", status=503)
    second = arm(client, operation="createOrder", kind="status", status=429)
    assert [f["fault_id"] for f in armed(client)] == [first["fault_id"], second["fault_id"]]
    assert client.create().status_code == 503
    assert client.create().status_code == 429
    assert client.create().status_code == 200


def test_a_malformed_request_leaves_the_fault_armed(client: CheckedClient) -> None:
    arm(client, operation="createOrder", kind="status", status=503)
    assert client.create(body={"purchase_currency": "EUR"}).status_code == 400
    assert client.create(auth=None).status_code == 401
    assert client.create(key="x" * 300).status_code == 400
    assert [f["remaining"] for f in armed(client)] == [1]
    assert client.create().status_code == 503


def test_a_delay_waits_then_handles_as_usual(client: CheckedClient) -> None:
    arm(client, operation="createOrder", kind="delay", ms=300)
    started = time.monotonic()
    created = client.create(key="slow-1")
    assert time.monotonic() - started >= 0.3
    assert created.status_code == 200
    assert [o["order_id"] for o in kept_orders(client)] == [created.json()["order_id"]]
    assert client.create(key="slow-1").headers["Idempotent-Replayed"] == "true"


def test_a_delay_holds_no_one_else() -> None:
    """While one request waits out its delay, another merchant's is answered at once."""
    app = create_app()

    async def both() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            armed = await http.post(
                "/_mock/faults",
                json={"operation": "createOrder", "kind": "delay", "ms": 1000},
                auth=AUTH_A,
            )
            assert armed.status_code == 201
            done: dict[str, float] = {}
            started = time.monotonic()

            async def order(token: str, auth: tuple[str, str]) -> None:
                answer = await http.post(PATH.format(token), json=FULL_ORDER, auth=auth)
                assert answer.status_code == 200
                done[token] = time.monotonic() - started

            async with anyio.create_task_group() as group:
                group.start_soon(order, "tok_active", AUTH_A)
                group.start_soon(order, "tok_merchant_b", AUTH_B)
            return done["tok_active"], done["tok_merchant_b"]

    try:
        delayed, other = anyio.run(both)
    finally:
        app.store.close()
    assert delayed >= 1.0
    assert other < delayed


def test_disarm_is_per_merchant(client: CheckedClient) -> None:
    arm(client, operation="createOrder", kind="reset")
    arm(client, operation="readCustomerToken", kind="truncate", count=5)
    arm(client, auth=AUTH_B, operation="createOrder", kind="reset")
    disarmed = client.request("DELETE", "/_mock/faults", auth=AUTH_A)
    assert disarmed.json() == {"disarmed": 2}
    assert armed(client) == []
    assert len(armed(client, AUTH_B)) == 1


def test_at_most_so_many_faults_per_merchant(client: CheckedClient) -> None:
    fault = NewFault("M-TEST-A", "createOrder", None, 1, FaultAction(FaultKind.RESET))

    def arm_in_store(tx: Transaction) -> None:
        for number in range(MAX_ARMED - 1):
            tx.arm_fault(f"flt_{number}", fault)

    client.app.store.backend.run_blocking(arm_in_store, 5)  # at once: each POST waits a while
    arm(client, operation="createOrder", kind="reset")
    assert len(armed(client)) == MAX_ARMED
    refused = client.post(
        "/_mock/faults", json={"operation": "createOrder", "kind": "reset"}, auth=AUTH_A
    )
    assert refused.status_code == 400
    assert assert_error_shape(refused)["error_code"] == "BAD_REQUEST"
    arm(client, auth=AUTH_B, operation="createOrder", kind="reset")  # B's own count


@pytest.mark.parametrize(
    ("fault", "field"),
    [
        ({"kind": "reset"}, "operation"),
        ({"operation": "createOrder"}, "kind"),
        ({"operation": "placeOrder", "kind": "reset"}, "operation"),
        ({"operation": "createOrder", "kind": "explode"}, "kind"),
        ({"operation": "createOrder", "kind": "reset", "count": 0}, "count"),
        ({"operation": "createOrder", "kind": "reset", "count": 1001}, "count"),
        ({"operation": "createOrder", "kind": "reset", "count": "2"}, "count"),
        ({"operation": "createOrder", "kind": "reset", "count": True}, "count"),
        ({"operation": "createOrder", "kind": "reset", "count": 1.5}, "count"),
        ({"operation": "createOrder", "kind": "status"}, "status"),
        ({"operation": "createOrder", "kind": "status", "status": 404}, "status"),
        (
            {"operation": "createOrder", "kind": "status", "status": 500, "retry_after": 1},
            "retry_after",
        ),
        (
            {"operation": "createOrder", "kind": "status", "status": 429, "retry_after": -1},
            "retry_after",
        ),
        (
            {"operation": "createOrder", "kind": "status", "status": 429, "retry_after": 3601},
            "retry_after",
        ),
        ({"operation": "createOrder", "kind": "status", "status": 429, "ms": 5}, "ms"),
        ({"operation": "createOrder", "kind": "delay"}, "ms"),
        ({"operation": "createOrder", "kind": "delay", "ms": 0}, "ms"),
        ({"operation": "createOrder", "kind": "slow_body", "ms": 60001}, "ms"),
        ({"operation": "createOrder", "kind": "delay", "ms": 5, "status": 503}, "status"),
        ({"operation": "createOrder", "kind": "reset", "ms": 5}, "ms"),
        ({"operation": "createOrder", "kind": "truncate", "retry_after": 1}, "retry_after"),
        ({"operation": "createOrder", "kind": "reset", "colour": "red"}, "colour"),
        ({"operation": "createOrder", "kind": "reset", "customer_token": ""}, "customer_token"),
        (
            {"operation": "createOrder", "kind": "reset", "customer_token": "t" * 256},
            "customer_token",
        ),
        ({"operation": "createOrder", "kind": "reset", "customer_token": 5}, "customer_token"),
    ],
)
def test_a_bad_fault_is_refused_naming_the_field(
    client: CheckedClient, fault: dict[str, Any], field: str
) -> None:
    refused = client.post("/_mock/faults", json=fault, auth=AUTH_A)
    assert refused.status_code == 400
    body = assert_error_shape(refused)
    assert body["error_code"] == "BAD_VALUE"
    assert f"Bad value: {field}" in body["error_messages"]
    assert armed(client) == []


def test_a_fault_for_another_merchants_token_is_refused(client: CheckedClient) -> None:
    for token, status, code in [
        ("tok_merchant_b", 403, "TOKEN_FORBIDDEN"),
        ("tok_nobody", 404, "NOT_FOUND"),
    ]:
        refused = client.post(
            "/_mock/faults",
            json={"operation": "createOrder", "kind": "reset", "customer_token": token},
            auth=AUTH_A,
        )
        assert refused.status_code == status
        assert assert_error_shape(refused)["error_code"] == code
    fresh = arm(client, operation="readCustomerToken", kind="reset", customer_token="tok_fresh_x")
    assert fresh["customer_token"] == "tok_fresh_x"  # a fresh token not used yet is no one's


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_the_wire_faults_need_the_mocks_own_server(client: CheckedClient, kind: str) -> None:
    """Through an ASGI transport there is no connection to break: the app raises, and the order
    was kept as usual."""
    arm(client, operation="createOrder", kind=kind)
    with pytest.raises(ConnectionResetError, match=kind):
        client.create()
    assert len(kept_orders(client)) == 1


# --- on the wire: the mock's own server ------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[RunningMock]:
    with running_mock() as mock:
        yield mock


@pytest.fixture
def http(served: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, auth=AUTH_A, timeout=20) as client:
        assert client.post("/_mock/reset").status_code == 204
        yield client


def arm_on(http: httpx.Client, **fault: Any) -> None:
    assert http.post("/_mock/faults", json=fault).status_code == 201


def test_a_reset_loses_the_answer_not_the_order(http: httpx.Client, served: RunningMock) -> None:
    arm_on(http, operation="createOrder", kind="reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.post(
            PATH.format("tok_active"), json=FULL_ORDER, headers={"Klarna-Idempotency-Key": "r-1"}
        )
    [kept] = http.get("/_mock/orders").json()["orders"]
    again = http.post(
        PATH.format("tok_active"), json=FULL_ORDER, headers={"Klarna-Idempotency-Key": "r-1"}
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["order_id"] == kept["order_id"]
    assert "fault=reset" in served.log()


def test_a_reset_is_a_tcp_reset(served: RunningMock, http: httpx.Client) -> None:
    arm_on(http, operation="readCustomerToken", kind="reset")
    host, port = served.base_url.removeprefix("http://").split(":")
    request = (
        f"GET {PATH.format('tok_card').rsplit('/', 1)[0]} HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Basic kco_test_api_merchant_a\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        with pytest.raises(ConnectionResetError):
            read_until_closed(sock)


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while piece := sock.recv(4096):
        received += piece
    return received


def test_a_truncated_answer_is_cut_in_its_body(http: httpx.Client) -> None:
    arm_on(http, operation="createOrder", kind="truncate")
    with http.stream("POST", PATH.format("tok_active"), json=FULL_ORDER) as answer:
        assert answer.status_code == 200  # the head came whole
        length = int(answer.headers["Content-Length"])
        with pytest.raises(httpx.RemoteProtocolError, match=f"expected {length}"):
            answer.read()
    assert len(http.get("/_mock/orders").json()["orders"]) == 1


def test_a_truncated_answer_without_a_body_is_cut_in_its_head(http: httpx.Client) -> None:
    arm_on(http, operation="patchCustomerToken", kind="truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        http.patch(STATUS_PATH.format("tok_fresh_cut"), json={"status": "CANCELLED"})
    read = http.get(STATUS_PATH.format("tok_fresh_cut").rsplit("/", 1)[0])
    assert read.json()["status"] == "CANCELLED"  # handled as usual


def test_a_slow_body_comes_in_pieces_over_its_time(http: httpx.Client) -> None:
    arm_on(http, operation="createOrder", kind="slow_body", ms=600)
    started = time.monotonic()
    arrivals = []
    with http.stream("POST", PATH.format("tok_active"), json=FULL_ORDER) as answer:
        head_at = time.monotonic() - started
        body = b""
        for piece in answer.iter_raw():
            body += piece
            arrivals.append(time.monotonic() - started)
    assert answer.status_code == 200
    assert len(body) == int(answer.headers["Content-Length"])
    assert arrivals[-1] >= 0.6
    assert head_at < arrivals[-1]
    assert len(arrivals) >= 2  # not in one piece


# --- when a request looks for a fault ---------------------------------------------------------


def test_a_fault_armed_after_a_look_found_none_is_taken(client: CheckedClient) -> None:
    assert client.create().status_code == 200  # this process now trusts "none" for a while
    started = time.monotonic()
    arm(client, operation="createOrder", kind="status", status=503)
    assert time.monotonic() - started >= FAULT_NEWS_SECONDS  # the arm waited out that while
    assert client.create().status_code == 503


def test_fault_news_trusts_none_from_before_its_look() -> None:
    now = [100.0]
    news = FaultNews(seconds=0.05, clock=lambda: now[0])  # not FAULT_NEWS_SECONDS: any will do
    assert news.must_look("M", "createOrder")
    news.looked("M", "createOrder", since=99.99, armed=False)
    assert not news.must_look("M", "createOrder")
    assert news.must_look("M", "readCustomerToken")  # per operation
    assert news.must_look("N", "createOrder")  # per merchant
    now[0] = 100.04
    assert news.must_look("M", "createOrder")  # 0.05 s from the look's start, not its end
    news.looked("M", "createOrder", since=100.04, armed=True)
    assert news.must_look("M", "createOrder")  # armed: every request looks
