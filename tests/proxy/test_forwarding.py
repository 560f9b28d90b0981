"""What goes through the proxy goes through unchanged: requests up, answers down (the
hop-by-hop headers aside, as HTTP requires), byte for byte; an upstream that is down or slow
gets the client a 502 or 504 in Kustom's error shape, reported; a body over the proxy's limit
passes unchanged and is reported unchecked."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kustom_servers.mock_process import running_mock
from tests.conformance.exchanges import NAMES, ORDER, PAIR_A, RAW_A, cancel, order, path, read
from tests.http_doubles import Reply, scripted_server
from tests.proxy.helpers import running_proxy, send
from tests.proxy.taps import tap


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_mock(tmp_path_factory.mktemp("forwarding") / "mock.sqlite3") as mock:
        yield mock.base_url


def test_answers_come_back_byte_for_byte_and_requests_go_up_unchanged(mock_url: str) -> None:
    broken = dict(ORDER, order_amount=ORDER["order_amount"] + 1)
    script = [
        read(),
        order(key="fwd-1"),
        order(key="fwd-1", auth=PAIR_A),  # a replay: the first answer again
        order(body=broken),
        order(raw=b"{not json"),
        read("no-such-token"),
        order(auth=None),
        cancel("tok_fresh_fwd", key="fwd-2"),
        read("tok_fresh_fwd"),
    ]
    with (
        tap(mock_url) as upstream_side,
        running_proxy(upstream_side.url) as proxy,
        tap(proxy.base_url) as client_side,
        httpx.Client(base_url=client_side.url, timeout=30) as client,
    ):
        statuses = [send(client, request).status_code for request in script]
        head = client.head(path("readCustomerToken"), headers={"Authorization": RAW_A})
        output = proxy.stop()
    assert statuses == [200, 200, 200, 400, 400, 404, 401, 202, 200]
    assert head.status_code == 405  # a method the path does not take: the mock's answer
    sent, got = upstream_side.answers(), client_side.answers()
    assert len(sent) == len(script) + 1
    # Status line, every end-to-end header in its order and spelling, and the body, as sent.
    assert Counter(got) == Counter(sent)
    pairs = zip(client_side.requests(), upstream_side.requests(), strict=True)
    for (asked, arrived), status in zip(pairs, [*statuses, head.status_code], strict=True):
        assert arrived.start == asked.start
        if status == 401:  # answered from the head, then closed: the body may not get there
            assert asked.body.startswith(arrived.body)
        else:
            assert arrived.body == asked.body
        # Names lower-cased (ASGI hands them so; HTTP's names are case-insensitive).
        assert [(n.lower(), v) for n, v in arrived.headers if n.lower() != b"host"] == [
            (n.lower(), v) for n, v in asked.headers if n.lower() != b"host"
        ]
        assert arrived.header(b"host") == upstream_side.url.removeprefix("http://").encode()
    assert "10 exchanges" in output


def test_the_target_goes_up_byte_for_byte() -> None:
    target = "/customer-token/v1/tokens/a%2Fb/../%7Bx%7D/order?q=%ZZ&q=2&empty="
    with scripted_server() as upstream, running_proxy(upstream.base_url) as proxy:
        raw = socket.create_connection(("127.0.0.1", int(proxy.base_url.rsplit(":", 1)[1])))
        raw.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while data := raw.recv(65536):
            answer += data
        raw.close()
    assert answer.startswith(b"HTTP/1.1 200")
    assert [r.path for r in upstream.requests] == [target]


def test_hop_by_hop_headers_stay_on_their_hop() -> None:
    with scripted_server() as upstream, running_proxy(upstream.base_url) as proxy:
        upstream.always(
            Reply(200, {"ok": 1}, {"Connection": "X-Answer-Hop", "X-Answer-Hop": "1", "X-End": "2"})
        )
        answer = httpx.get(
            f"{proxy.base_url}/anything",
            headers={
                "Connection": "keep-alive, X-Request-Hop",
                "X-Request-Hop": "1",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "X-End": "1",
            },
        )
    sent = {name.lower() for name in upstream.requests[0].headers}
    assert "x-end" in sent
    assert not sent & {"x-request-hop", "keep-alive", "te"}
    assert answer.headers["x-end"] == "2"
    assert "x-answer-hop" not in answer.headers


def test_an_upstream_that_is_down_gets_502_in_kustoms_shape(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        closed = f"http://127.0.0.1:{taken.getsockname()[1]}"
    report = tmp_path / "report.json"
    with running_proxy(closed, ["--report", str(report)]) as proxy:
        answer = send(httpx.Client(base_url=proxy.base_url), read())
        output = proxy.stop()
    _assert_kustoms_shape(answer, 502, "BAD_GATEWAY")
    assert "#1 upstream failure: the upstream could not be reached" in output
    found = json.loads(report.read_text())
    assert found["upstream_failure_count"] == 1
    assert found["violation_count"] == 0
    assert found["upstream_failures"][0]["status"] == 502


def test_a_slow_upstream_gets_504_in_kustoms_shape() -> None:
    with scripted_server() as upstream:
        upstream.always(Reply(200, {"late": True}, delay=10))
        with running_proxy(upstream.base_url, ["--upstream-timeout", "0.5"]) as proxy:
            answer = httpx.get(f"{proxy.base_url}{path('readCustomerToken')}", timeout=30)
            output = proxy.stop()
    _assert_kustoms_shape(answer, 504, "GATEWAY_TIMEOUT")
    assert "upstream failure: the upstream did not answer within 0.5 s" in output


def test_bodies_over_the_limit_pass_unchanged_and_unchecked(tmp_path: Path) -> None:
    big_request = b'{"purchase_country": "' + b"x" * 5000 + b'"'  # not even JSON
    big_answer = {"error_messages": ["y" * 5000]}
    report = tmp_path / "report.json"
    with scripted_server() as upstream:
        upstream.always(Reply(200, big_answer))
        with running_proxy(
            upstream.base_url, ["--max-body-bytes", "1024", "--report", str(report)]
        ) as proxy:
            answer = httpx.post(
                f"{proxy.base_url}{path('createOrder')}",
                content=big_request,
                headers={"Content-Type": "application/json", "Authorization": RAW_A},
            )
            small = httpx.post(
                f"{proxy.base_url}{path('createOrder')}",
                content=b"{}",
                headers={"Content-Type": "application/json", "Authorization": RAW_A},
            )
            output = proxy.stop()
    assert upstream.requests[0].body == big_request
    assert answer.content == json.dumps(big_answer).encode()
    assert small.status_code == 200
    found = json.loads(report.read_text())
    assert found["unchecked_count"] == 2
    assert (
        found["unchecked"][0]["why"] == "the request's body is over the proxy's limit of 1024 bytes"
    )
    assert (
        found["unchecked"][1]["why"] == "the answer's body is over the proxy's limit of 1024 bytes"
    )
    assert found["violation_count"] == 0  # neither was checked, invalid as they are
    assert output.count("unchecked:") == 2


def _assert_kustoms_shape(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status
    body = answer.json()
    assert body["error_code"] == code
    assert body["error_messages"][0].startswith("kustom-proxy: ")
    assert answer.headers[NAMES.correlation_id] == body["correlation_id"]
