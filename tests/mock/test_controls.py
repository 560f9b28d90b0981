"""The test controls under /_mock/: orders read back as received, token states, their
credentials and scope (one merchant's data only), bad input, their OpenAPI document, and the
flag that turns them off. Every answer of the in-process client is held to the controls'
document (tests/mock/helpers.py, check)."""

from __future__ import annotations

import ast
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_mock.operations import KEPT_BODY_BYTES
from kustom_mock.store.sqlite import MIGRATIONS
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.mock.helpers import (
    AUTH_A,
    AUTH_B,
    CONTROLS,
    FULL_ORDER,
    MINIMAL_ORDER,
    RAW_A,
    SPEC,
    CheckedClient,
    assert_error_shape,
    checked_client,
    order,
)

REDOCLY = REPO_ROOT / "node_modules" / ".bin" / "redocly"
# Every control, with a valid request: (method, path, JSON body or None).
EVERY_CONTROL = [
    ("GET", "/_mock/orders", None),
    ("GET", "/_mock/tokens", None),
    ("POST", "/_mock/faults", {"operation": "createOrder", "kind": "reset"}),
    ("GET", "/_mock/faults", None),
    ("DELETE", "/_mock/faults", None),
    ("GET", "/_mock/clock", None),
    ("POST", "/_mock/clock", {"advance_seconds": 1}),
    ("POST", "/_mock/reset", None),
]


def orders(client: CheckedClient, query: str = "", auth: tuple[str, str] = AUTH_A) -> list[Any]:
    response = client.get(f"/_mock/orders{query}", auth=auth)
    assert response.status_code == 200, response.text
    return list(response.json()["orders"])


def test_the_controls_are_outside_the_specs_paths() -> None:
    assert SPEC.document["paths"]
    assert not any(path.startswith("/_mock/") for path in SPEC.document["paths"])
    assert all(path.startswith("/_mock/") for path in CONTROLS.document["paths"])


def test_every_control_is_routed_and_documented() -> None:
    documented = {
        (method.upper(), path)
        for path, item in CONTROLS.document["paths"].items()
        for method in item
    }
    assert {(method, path) for method, path, _ in EVERY_CONTROL} | {
        ("GET", "/_mock/openapi.json")
    } == documented


def test_an_order_is_read_back_as_received(client: CheckedClient) -> None:
    sent = json.dumps(FULL_ORDER, indent=1)  # formatting kept as sent
    created = client.create(content=sent, key="order-4711").json()
    [kept] = orders(client)
    assert kept["order_id"] == created["order_id"]
    assert kept["customer_token"] == "tok_active"
    assert kept["idempotency_key"] == "order-4711"
    assert kept["request"] == {
        "body": FULL_ORDER,
        "bytes": len(sent.encode()),
        "truncated": False,
        "summary": {
            "purchase_currency": FULL_ORDER["purchase_currency"],
            "order_amount": FULL_ORDER["order_amount"],
            "order_lines": len(FULL_ORDER["order_lines"]),
        },
    }
    assert kept["response"] == {"status": 200, "body": created}
    assert kept["created_at"].endswith("Z")


def test_orders_come_newest_first_each_once(client: CheckedClient) -> None:
    ids = [client.create(body=MINIMAL_ORDER).json()["order_id"] for _ in range(3)]
    keyed = client.create(key="k-1").json()["order_id"]
    assert client.create(key="k-1").headers["Idempotent-Replayed"] == "true"
    listed = orders(client)
    assert [o["order_id"] for o in listed] == [keyed, *reversed(ids)]
    assert "idempotency_key" not in listed[1]  # sent without a key
    assert [o["order_id"] for o in orders(client, "?limit=2")] == [keyed, ids[-1]]


def test_only_accepted_orders_are_orders(client: CheckedClient) -> None:
    assert client.create("tok_suspended").status_code == 403
    assert client.create(body=order(order_amount=1)).status_code == 400
    assert orders(client) == []


def test_a_body_past_the_bound_is_kept_cut_short_and_says_so(client: CheckedClient) -> None:
    lines = [
        {"name": f"Item {n} " + "é" * 20, "quantity": 1, "unit_price": 100, "total_amount": 100}
        for n in range(300)
    ]
    body = {"purchase_currency": "EUR", "order_amount": 30000, "order_lines": lines}
    sent = json.dumps(body, ensure_ascii=False).encode()
    assert len(sent) > KEPT_BODY_BYTES
    assert client.create(content=sent).status_code == 200
    [kept] = orders(client)
    request = kept["request"]
    assert request["truncated"] is True
    assert "body" not in request
    assert request["bytes"] == len(sent)
    assert sent.startswith(request["text"].encode())
    assert KEPT_BODY_BYTES - 2 <= len(request["text"].encode()) <= KEPT_BODY_BYTES
    assert request["summary"] == {
        "purchase_currency": "EUR",
        "order_amount": 30000,
        "order_lines": 300,
    }


def test_a_body_at_the_bound_is_kept_whole(client: CheckedClient) -> None:
    base = json.dumps(MINIMAL_ORDER)
    padded = base[:-1] + " " * (KEPT_BODY_BYTES - len(base)) + "}"
    assert len(padded) == KEPT_BODY_BYTES
    assert client.create(content=padded).status_code == 200
    [kept] = orders(client)
    assert kept["request"]["truncated"] is False
    assert kept["request"]["body"] == MINIMAL_ORDER


def test_orders_by_token(client: CheckedClient) -> None:
    client.create("tok_active")
    card = client.create("tok_card").json()["order_id"]
    assert [o["order_id"] for o in orders(client, "?customer_token=tok_card")] == [card]
    assert orders(client, "?customer_token=tok_fresh_unused") == []


def test_only_the_calling_merchants_orders(client: CheckedClient) -> None:
    client.create("tok_active", key="same")
    b = client.create("tok_merchant_b", key="same", auth=AUTH_B).json()["order_id"]
    assert [o["order_id"] for o in orders(client, auth=AUTH_B)] == [b]
    assert [o["customer_token"] for o in orders(client)] == ["tok_active"]


@pytest.mark.parametrize("control", ["orders", "tokens"])
def test_another_merchants_token_is_refused(client: CheckedClient, control: str) -> None:
    client.create("tok_merchant_b", auth=AUTH_B)
    client.read("tok_fresh_of_b", auth=AUTH_B)  # claimed by B
    for token in ("tok_merchant_b", "tok_fresh_of_b"):
        refused = client.get(f"/_mock/{control}?customer_token={token}", auth=AUTH_A)
        assert refused.status_code == 403
        assert assert_error_shape(refused)["error_code"] == "TOKEN_FORBIDDEN"
    unknown = client.get(f"/_mock/{control}?customer_token=tok_actve", auth=AUTH_A)
    assert unknown.status_code == 404
    assert assert_error_shape(unknown)["error_code"] == "NOT_FOUND"


def test_token_states(client: CheckedClient) -> None:
    client.read("tok_fresh_one")
    assert client.cancel("tok_card").status_code == 202
    listed = client.get("/_mock/tokens", auth=AUTH_A).json()["tokens"]
    states = {t["customer_token"]: (t["status"], t["fixture"]) for t in listed}
    assert states["tok_card"] == ("CANCELLED", True)
    assert states["tok_suspended"] == ("SUSPENDED", True)
    assert states["tok_fresh_one"] == ("ACTIVE", False)
    assert "tok_merchant_b" not in states
    assert [t["customer_token"] for t in listed] == sorted(states)
    one = client.get("/_mock/tokens?customer_token=tok_card&limit=1", auth=AUTH_A).json()
    assert one == {
        "tokens": [{"customer_token": "tok_card", "status": "CANCELLED", "fixture": True}]
    }


def merchant_view(client: CheckedClient, auth: tuple[str, str]) -> dict[str, Any]:
    """What every control that reads shows one merchant."""
    return {
        control: client.get(f"/_mock/{control}", auth=auth).json()
        for control in ("orders", "tokens", "faults", "clock")
    }


@pytest.mark.parametrize(("method", "path", "body"), EVERY_CONTROL)
def test_no_control_reads_or_changes_another_merchants_data(
    client: CheckedClient, method: str, path: str, body: Any
) -> None:
    """Merchant A's order, cancel, fault and clock; B calls the control: B's answer names
    none of A's, and A sees what it saw before."""
    placed = client.create("tok_active", key="a-key").json()["order_id"]
    assert client.cancel("tok_fresh_of_a").status_code == 202
    fault = {"operation": "readCustomerToken", "kind": "delay", "ms": 1}
    armed = client.post("/_mock/faults", json=fault, auth=AUTH_A).json()["fault_id"]
    client.post("/_mock/clock", json={"advance_seconds": 60}, auth=AUTH_A)
    before = merchant_view(client, AUTH_A)
    answer = client.request(method, path, json=body, auth=AUTH_B)
    assert answer.status_code < 300, answer.text
    for of_a in (placed, "a-key", "tok_active", "tok_fresh_of_a", armed, "readCustomerToken"):
        assert of_a not in answer.text
    assert merchant_view(client, AUTH_A) == before
    assert before["clock"] == {"offset_seconds": 60}


@pytest.mark.parametrize(("method", "path", "body"), EVERY_CONTROL)
def test_every_control_needs_the_apis_credentials(
    client: CheckedClient, method: str, path: str, body: Any
) -> None:
    for auth in (None, ("M-TEST-A-4f2c", "wrong"), ("nobody", "kco_test_api_merchant_a")):
        refused = client.request(method, path, json=body, auth=auth)
        assert refused.status_code == 401
        assert assert_error_shape(refused)["error_code"] == "UNAUTHORIZED"
        assert refused.headers["WWW-Authenticate"].startswith("Basic")
    for headers in (RAW_A, {}):  # the key alone, and the username form (httpx's auth)
        answer = client.request(
            method, path, json=body, headers=headers, auth=None if headers else AUTH_A
        )
        assert answer.status_code < 300, answer.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=x", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=99999999999999999999", "limit"),
        ("?limit=1&limit=2", "limit"),
        ("?customer_token=", "customer_token"),
        ("?customer_token=" + "t" * 256, "customer_token"),
        ("?colour=red", "colour"),
        ("?%0Aevil=1", "\\x0aevil"),
    ],
)
@pytest.mark.parametrize("control", ["orders", "tokens"])
def test_a_bad_query_is_refused_naming_it(
    client: CheckedClient, control: str, query: str, field: str
) -> None:
    refused = client.get(f"/_mock/{control}{query}", auth=AUTH_A)
    assert refused.status_code == 400
    body = assert_error_shape(refused)
    assert body["error_code"] == "BAD_VALUE"
    assert body["error_messages"] == [f"Bad value: {field}"]


@pytest.mark.parametrize(
    ("method", "path", "body"), [*EVERY_CONTROL, ("GET", "/_mock/openapi.json", None)]
)
def test_controls_without_a_query_refuse_one(
    client: CheckedClient, method: str, path: str, body: Any
) -> None:
    if path in ("/_mock/orders", "/_mock/tokens"):
        return
    refused = client.request(method, f"{path}?limit=1", json=body, auth=AUTH_A)
    assert refused.status_code == 400
    assert assert_error_shape(refused)["error_messages"] == ["Bad value: limit"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"{", {}, 400, "BAD_REQUEST"),
        (b"[]", {}, 400, "BAD_REQUEST"),
        (b'{"advance_seconds": 1, "advance_seconds": 2}', {}, 400, "BAD_REQUEST"),
        (b'{"advance_seconds": 1}', {"Content-Type": "text/plain"}, 415, "BAD_REQUEST"),
        (b'{"advance_seconds": 1}', {"Content-Encoding": "gzip"}, 415, "BAD_REQUEST"),
        (b'{"advance_seconds": ' + b" " * 16384 + b"1}", {}, 413, "BAD_REQUEST"),
    ],
)
@pytest.mark.parametrize("path", ["/_mock/clock", "/_mock/faults"])
def test_an_unreadable_body_is_refused(
    client: CheckedClient,
    path: str,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    refused = client.post(
        path,
        content=content,
        headers={"Content-Type": "application/json", **headers},
        auth=AUTH_A,
    )
    assert refused.status_code == status
    assert assert_error_shape(refused)["error_code"] == code


def test_other_paths_and_methods_under_mock(client: CheckedClient) -> None:
    missing = client.get("/_mock/nothing", auth=AUTH_A)
    assert missing.status_code == 404
    assert assert_error_shape(missing)["error_code"] == "ENDPOINT_NOT_FOUND"
    wrong = client.request("PUT", "/_mock/faults", auth=AUTH_A)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "DELETE, GET, POST"
    assert client.get("/_mock/reset", auth=AUTH_A).status_code == 405


def test_the_controls_document_is_served_whole_and_valid(client: CheckedClient) -> None:
    served = client.get("/_mock/openapi.json")  # no credentials
    assert served.status_code == 200
    document = served.json()
    assert document == CONTROLS.document
    validate(document)
    assert document["info"]["version"] == client.app.spec.document["info"]["version"]
    security = client.app.spec.document["components"]["securitySchemes"]
    assert document["components"]["securitySchemes"] == security
    error = client.app.spec.document["components"]["schemas"]["ErrorDetails"]
    assert document["components"]["schemas"]["ErrorDetails"] == error
    fault_operations = document["components"]["schemas"]["FaultRequest"]["properties"]
    assert fault_operations["operation"]["enum"] == list(client.app.spec.operations)


def test_the_controls_document_passes_redocly(tmp_path: Path) -> None:
    """The completed document, under the rules openapi.yaml is linted by (redocly.yaml)."""
    path = tmp_path / "controls.json"
    path.write_text(json.dumps(CONTROLS.document), encoding="utf-8")
    # The Node.js of .venv (uv.lock's), not whatever node the machine has.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(  # noqa: S603
        [str(REDOCLY), "lint", "--config", str(REPO_ROOT / "redocly.yaml"), str(path)],
        capture_output=True,
        text=True,
        env={**env, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower()


def test_off_they_are_paths_like_any_other() -> None:
    app = create_app(MockConfig(test_controls=False))
    assert app.controls is None
    for client in checked_client(app):
        for method, path, body in [*EVERY_CONTROL, ("GET", "/_mock/openapi.json", None)]:
            answer = client.request(method, path, json=body, auth=AUTH_A)
            assert answer.status_code == 404
            assert assert_error_shape(answer)["error_code"] == "ENDPOINT_NOT_FOUND"
        health = client.portal.call(client.async_client.get, "/_health")  # not in a document
        assert health.status_code == 200
        assert client.create().status_code == 200


def test_an_order_kept_before_bodies_were_kept_is_listed(tmp_path: Path) -> None:
    """A schema-3 database's orders (no body) are listed after the migration, body left out."""
    db = tmp_path / "v3.sqlite3"
    with sqlite3.connect(db) as conn:
        for script in MIGRATIONS[:3]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 3")
        conn.execute(
            "INSERT INTO tokens VALUES ('tok_active', 'M-TEST-A', 'ACTIVE', 0)",
        )
    app = create_app(MockConfig(store=StoreConfig(str(db))))
    try:
        # Kept just now on the store's clock, as an older mock would have.
        summary = {"purchase_currency": "EUR", "order_amount": 1, "order_lines": 1}
        with sqlite3.connect(db) as conn:
            conn.execute(
                "INSERT INTO orders (order_id, merchant_id, customer_token, idempotency_key, "
                "created_at, summary, response) VALUES (?, 'M-TEST-A', 'tok_active', NULL, "
                "strftime('%s', 'now'), ?, '{}')",
                (str(uuid.uuid4()), json.dumps(summary)),
            )
        for client in checked_client(app):
            [kept] = orders(client)
            assert kept["request"] == {"truncated": False, "summary": summary}
    finally:
        app.store.close()


def test_with_the_controls_off_no_body_is_kept(tmp_path: Path) -> None:
    db = str(tmp_path / "mock.sqlite3")
    for client in checked_client(
        create_app(MockConfig(test_controls=False, store=StoreConfig(db)))
    ):
        assert client.create(body=MINIMAL_ORDER).status_code == 200
    for client in checked_client(create_app(MockConfig(store=StoreConfig(db)))):
        [kept] = orders(client)
        assert kept["request"] == {
            "truncated": False,
            "summary": {"purchase_currency": "EUR", "order_amount": 2500, "order_lines": 1},
        }


def test_the_controls_answer_over_the_wire_too() -> None:
    with running_mock() as mock, httpx.Client(base_url=mock.base_url, auth=AUTH_A) as http:
        path = "/customer-token/v1/tokens/tok_active/order"
        assert http.post(path, json=FULL_ORDER).status_code == 200
        listed = http.get("/_mock/orders").json()["orders"]
        assert listed[0]["request"]["body"] == FULL_ORDER
    assert "GET /_mock/orders 200" in mock.log()  # stopped: every line written


def test_the_controls_on_beyond_loopback_are_warned_about() -> None:
    """192.0.2.1 (TEST-NET-1) is no address of this machine: the mock warns, then cannot listen
    there (exit 1), so nothing listens beyond loopback."""

    command = [sys.executable, "-m", "kustom_mock", "--host", "192.0.2.1", "--port", "0"]

    def start(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [*command, "--db", ":memory:", *flags],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    warned = start()
    assert warned.returncode == 1, warned.stderr
    assert "test controls (/_mock/) are on while listening on 192.0.2.1" in warned.stderr
    assert "--no-test-controls" in warned.stderr
    quiet = start("--no-test-controls")
    assert quiet.returncode == 1
    assert "test controls" not in quiet.stderr


# What sends HTTP requests or opens a connection of its own (the store's drivers, sqlite3 and
# psycopg, reach the database the mock was given, nothing a tenant names).
OUTGOING = {
    "httpx",
    "requests",
    "urllib.request",
    "http.client",
    "aiohttp",
    "urllib3",
    "create_connection",  # socket's and asyncio's
    "open_connection",
}
# The merchant's side of the wheel: they drive the mock over HTTP, inside the test run.
TEST_SIDE = {"testing.py", "pytest_plugin.py"}


def outgoing(path: Path) -> list[str]:
    """The modules imported and the connection calls named in ``path`` that are OUTGOING."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
    return [name for name in names if name in OUTGOING]


def test_the_mock_calls_no_url() -> None:
    """No push, notification or webhook (docs/mock.md, "Pending orders"): the server's modules
    import no HTTP client and open no connection of their own; the test side does (the check
    can fail)."""
    package = REPO_ROOT / "src" / "kustom_mock"
    server = [path for path in package.rglob("*.py") if path.name not in TEST_SIDE]
    assert len(server) > 20
    assert {path.name: outgoing(path) for path in server if outgoing(path)} == {}
    assert outgoing(package / "testing.py")
