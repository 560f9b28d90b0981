"""What the proxy reports: in front of a server that breaks one rule at a time (the mock with
one fault, contract_tests/faulty_mock.py) exactly that rule, once, on the server's side, with
its source in openapi.yaml; for merchant code that breaks one rule at a time, exactly that
rule, once, on the client's side, while the upstream's answer passes through unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kustom_conformance import Request
from kustom_servers.mock_process import running_mock
from kustom_spec import load_spec
from tests.conformance.exchanges import NAMES, ORDER, cancel, order
from tests.proxy.helpers import running_proxy, send, violations
from tests.proxy.taps import tap

DOCUMENT = load_spec().document
BROKEN_TOTAL = dict(ORDER, order_amount=ORDER["order_amount"] + 1)
ORDER_PATH = "#/paths/~1customer-token~1v1~1tokens~1{customerToken}~1order/post"


def resolves(source: str) -> bool:
    """Whether ``source`` is a JSON pointer to a node of openapi.yaml."""
    node: Any = DOCUMENT
    for part in source.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def proxied(upstream: str, script: list[Request], report: Path) -> tuple[list[int], str]:
    with running_proxy(upstream, ["--report", str(report)]) as proxy:
        with httpx.Client(base_url=proxy.base_url, timeout=30) as client:
            statuses = [send(client, request).status_code for request in script]
        return statuses, proxy.stop()


SERVER_FAULTS = [
    # fault of the mock, the requests that meet it, their statuses, the rule, its source
    pytest.param(
        "enum_violation",
        [order("tok_card")],
        [200],
        "response.schema",
        f"{ORDER_PATH}/responses/200/content/application~1json/schema",
        id="schema",
    ),
    pytest.param(
        "rules_not_enforced",
        [order(body=BROKEN_TOTAL)],
        [200],
        "response.refusal",
        f"{ORDER_PATH}/description",
        id="rule-across-fields-accepted",
    ),
    pytest.param(
        "replay_ignored",
        [order(key="v-replay"), order(key="v-replay")],
        [200, 200],
        "idempotency.replay",
        "#/components/parameters/IdempotencyKey",
        id="replay",
    ),
    pytest.param(
        "cancelled_token_orders",
        [cancel("tok_fresh_verdict", key="v-cancel"), order("tok_fresh_verdict")],
        [202, 200],
        "token.cancelled",
        "#/components/schemas/TokenStatus",
        id="cancelled-token-charged",
    ),
    pytest.param(
        "undocumented_status",
        [order("tok_pending")],
        [418],
        "response.status",
        f"{ORDER_PATH}/responses",
        id="undocumented-status",
    ),
]


@pytest.mark.parametrize(("fault", "script", "statuses", "rule", "source"), SERVER_FAULTS)
def test_a_planted_server_fault_is_reported_once_on_the_server_side(
    fault: str,
    script: list[Request],
    statuses: list[int],
    rule: str,
    source: str,
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    with running_mock(module="contract_tests.faulty_mock", extra_args=["--fault", fault]) as mock:
        got, output = proxied(mock.base_url, script, report)
    assert got == statuses
    server = [v for v in violations(report) if v["side"] == "server"]
    assert [(v["rule"], v["source"]) for v in server] == [(rule, source)]
    assert resolves(source)
    assert server[0]["correlation_id"]  # to quote to the server's owner
    assert output.count(f"server breaks {rule}") == 1
    client = [v["rule"] for v in violations(report) if v["side"] == "client"]
    # The one fault that needs a broken request: the merchant's side of it, named too.
    assert client == (["request.rules"] if fault == "rules_not_enforced" else [])


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_mock(tmp_path_factory.mktemp("verdicts") / "mock.sqlite3") as mock:
        yield mock.base_url


CLIENT_FAULTS = [
    # the request, the rule it breaks, its source
    pytest.param(
        order(body=BROKEN_TOTAL), "request.rules", f"{ORDER_PATH}/description", id="rules"
    ),
    pytest.param(
        order(body=dict(ORDER, purchase_currency="EURO")),
        "request.schema",
        f"{ORDER_PATH}/requestBody/content/application~1json/schema",
        id="schema",
    ),
    pytest.param(
        order(auth=None), "request.credentials", "#/components/securitySchemes", id="auth"
    ),
    pytest.param(
        order(headers={"Content-Type": "text/plain"}),
        "request.content-type",
        f"{ORDER_PATH}/requestBody/content",
        id="media-type",
    ),
    pytest.param(
        order(raw=b'{"order_amount": '), "request.json", f"{ORDER_PATH}/requestBody", id="json"
    ),
]


@pytest.mark.parametrize(("request_", "rule", "source"), CLIENT_FAULTS)
def test_merchant_codes_fault_is_reported_once_on_the_client_side_and_its_answer_passes(
    mock_url: str, request_: Request, rule: str, source: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    with (
        tap(mock_url) as upstream_side,
        running_proxy(upstream_side.url, ["--report", str(report)]) as proxy,
        tap(proxy.base_url) as client_side,
        httpx.Client(base_url=client_side.url, timeout=30) as client,
    ):
        status = send(client, request_).status_code
        output = proxy.stop()
    found = violations(report)
    assert [(v["side"], v["rule"], v["source"]) for v in found] == [("client", rule, source)]
    assert resolves(source)
    assert output.count(f"client breaks {rule}") == 1
    assert 400 <= status < 500  # the mock refused it, as the spec says it must
    # The mock's refusal reached the merchant code as the mock sent it, byte for byte.
    sent = upstream_side.answers()
    assert len(sent) == 1
    assert client_side.answers() == sent


@pytest.mark.parametrize("contract_limits", [False, True], ids=["live-default", "contract-limits"])
def test_the_contracts_own_limits_are_held_only_when_asked(
    mock_url: str, contract_limits: bool, tmp_path: Path
) -> None:
    """A 256-character idempotency key breaks only this contract's own limit (x-contract-limits):
    against a live upstream (the default) it is nobody's fault; with --contract-limits, as for
    the project's mock, which refuses it, it is the client's."""
    report = tmp_path / "report.json"
    flags = ["--report", str(report), *(["--contract-limits"] if contract_limits else [])]
    with running_proxy(mock_url, flags) as proxy, httpx.Client(base_url=proxy.base_url) as client:
        status = send(client, order(key="k" * 256)).status_code
        proxy.stop()
    assert status == 400  # the mock holds its own limits either way
    found = [(v["side"], v["rule"], v["field"]) for v in violations(report)]
    expected = [("client", "request.parameter", NAMES.idempotency_key)]
    assert found == (expected if contract_limits else [])
