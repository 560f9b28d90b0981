"""The project's mock, held to the conformance core: its real answers to a script of requests
from two merchants (valid and broken requests, replays, conflicts, a shared key, a cancel,
another merchant's token) break no rule of the server's side."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kustom_conformance import Exchange, History, Request, Response, Side
from kustom_servers.mock_process import running_mock
from tests.conformance.exchanges import (
    CONFORMANCE,
    ORDER,
    PAIR_A,
    RAW_B,
    cancel,
    changed_order,
    order,
    read,
)


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("conformance") / "mock.sqlite3"
    with running_mock(db) as mock:
        yield mock.base_url


def sent(client: httpx.Client, request: Request) -> Exchange:
    answer = client.request(
        request.method, request.path, headers=list(request.headers), content=request.body
    )
    return Exchange(
        request, Response.of(answer.status_code, answer.headers.multi_items(), answer.content)
    )


def test_the_mock_breaks_no_rule_of_the_server(mock_url: str) -> None:
    broken = dict(ORDER, order_amount=ORDER["order_amount"] + 1)
    script = [
        read("tok_fresh_c1"),
        order("tok_fresh_c1", key="c-1"),
        order("tok_fresh_c1", key="c-1", auth=PAIR_A),  # a replay, in the other form
        order("tok_fresh_c1", body=changed_order(), key="c-1"),  # a conflict
        order("tok_merchant_b", key="c-1", auth=RAW_B),  # B's own use of A's key: 200
        order(body=broken),
        order(raw=b"{"),
        order(key="k" * 256),
        order(auth=None),
        read("tok_fresh_c1", auth=RAW_B),  # A's token, read by B
        order("tok_fresh_c1", auth=RAW_B),
        cancel("tok_fresh_c1", auth=RAW_B),
        cancel("tok_fresh_c1", key="c-2"),
        read("tok_fresh_c1"),
        order("tok_fresh_c1"),
        order("tok_fresh_c1", key="c-1"),  # the order before the cancel, replayed
        order("tok_suspended"),
        read("no-such-token"),
        order("no-such-token"),
    ]
    history = History(CONFORMANCE)
    server_side = []
    client_side = 0
    statuses = []
    with httpx.Client(base_url=mock_url, timeout=30) as client:
        for request in script:
            exchange = sent(client, request)
            statuses.append(exchange.response.status)
            found = CONFORMANCE.check(exchange) + history.feed(exchange)
            server_side += [str(v) for v in found if v.side is Side.SERVER]
            client_side += sum(v.side is Side.CLIENT for v in found)
    # The script provoked what it says it does.
    assert statuses[:9] == [200, 200, 200, 409, 200, 400, 400, 400, 401]
    assert statuses[9:] == [403, 403, 403, 202, 200, 403, 200, 403, 404, 404]
    assert server_side == []
    assert client_side == 4  # the broken order, the unreadable body, the long key, no credentials
