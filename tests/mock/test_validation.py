"""Requests are validated against the spec at run time; each failure is a documented 4xx."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kustom_mock import MockApp
from tests.mock.helpers import AUTH_A, PATH, SPEC, CheckedClient, order


def error(response: Any) -> dict[str, Any]:
    return dict(response.json())


def test_a_valid_order_is_created(client: CheckedClient) -> None:
    response = client.create()
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/xml", 415), ("application/json; charset=utf-8", 200)],
)
def test_content_type(client: CheckedClient, content_type: str, status: int) -> None:
    import json

    response = client.create(content=json.dumps(order()), headers={"Content-Type": content_type})
    assert response.status_code == status


def test_missing_content_type_is_415(client: CheckedClient) -> None:
    response = client.post(PATH.format("tok_active"), content=b"{}", auth=AUTH_A)
    assert response.status_code == 415
    assert "Content-Type" in error(response)["error_messages"][0]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"", "empty"),
        (b"{", "Invalid JSON"),
        (b'{"order_amount": NaN}', "NaN"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"[]", "JSON object"),
        (b'"order"', "JSON object"),
    ],
)
def test_unreadable_body_is_bad_request(client: CheckedClient, raw: bytes, fragment: str) -> None:
    response = client.create(content=raw)
    assert response.status_code == 400
    body = error(response)
    assert body["error_code"] == "BAD_REQUEST"
    assert fragment in body["error_messages"][0]


def test_schema_violations_name_each_field(client: CheckedClient) -> None:
    body = order(purchase_currency="EURO")
    body["order_lines"][1]["total_amount"] = 100000001
    del body["order_lines"][0]["name"]
    body["shipping_address"]["phone"] = "123"
    response = client.create(body=body)
    assert response.status_code == 400
    result = error(response)
    assert result["error_code"] == "BAD_VALUE"
    assert sorted(result["error_messages"]) == sorted(
        [
            "Bad value: order_lines[0].name",
            "Bad value: order_lines[1].total_amount",
            "Bad value: purchase_currency",
            "Bad value: shipping_address.phone",
        ]
    )
    assert "100000001" in result["reason"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o["order_lines"][1].update(total_amount=500), "order_lines[1].total_amount"),
        (
            lambda o: (
                o["order_lines"][0].update(total_tax_amount=1400) or o.pop("order_tax_amount")
            ),
            "order_lines[0].total_tax_amount",
        ),
        (lambda o: o.update(order_amount=10698), "order_amount"),
        (lambda o: o.update(order_tax_amount=1700), "order_tax_amount"),
        (lambda o: o["attachment"].update(body="[]"), "attachment.body"),
        (
            lambda o: o["shipping_address"].update(country="US", region=""),
            "shipping_address.region",
        ),
    ],
)
def test_each_rule_across_fields(client: CheckedClient, change: Any, field: str) -> None:
    body = order()
    change(body)
    if field == "order_lines[1].total_amount":
        body["order_amount"] = sum(line["total_amount"] for line in body["order_lines"])
        body["order_lines"][1]["total_tax_amount"] = 83
    response = client.create(body=body)
    assert response.status_code == 400
    assert error(response)["error_messages"] == [f"Bad value: {field}"]


@pytest.mark.parametrize("key", ["", "k" * 256])
def test_idempotency_key_outside_its_limits(client: CheckedClient, key: str) -> None:
    response = client.create(key=key)
    assert response.status_code == 400
    assert error(response)["error_messages"] == ["Bad value: Klarna-Idempotency-Key"]


def _longest_string(schema: dict[str, Any]) -> str:
    return "x" * int(schema["maxLength"])


def largest_valid_order() -> dict[str, Any]:
    """1000 lines with every limited string at its longest, built from the spec's limits."""

    def fill(schema: Any) -> dict[str, Any]:
        schema = SPEC.resolve(schema)
        value: dict[str, Any] = {}
        for name, prop in schema["properties"].items():
            prop = SPEC.resolve(prop)
            if prop.get("type") == "string" and "maxLength" in prop and "pattern" not in prop:
                value[name] = _longest_string(prop)
            elif prop.get("type") == "object":
                value[name] = fill(prop)
        return value

    line_schema = SPEC.component("OrderLine")
    line = fill(line_schema) | {
        "quantity": 1,
        "unit_price": 100000000,
        "total_amount": 100000000,
        "total_discount_amount": 0,
        "tax_rate": 2500,
        "total_tax_amount": 20000000,
        "type": "physical",
        "subscription": {"name": "s" * 255, "interval": "MONTH", "interval_count": 1},
    }
    top = fill(SPEC.operation("createOrder").request_schema)
    top["attachment"] = {"body": '{"k": "' + "v" * 1000 + '"}', "content_type": "x" * 100}
    top["shipping_address"]["country"] = "GB"
    return top | {
        "order_lines": [copy.deepcopy(line) for _ in range(1000)],
        "order_amount": 100000000 * 1000,
        "order_tax_amount": 20000000 * 1000,
        "purchase_currency": "EUR",
    }


def test_the_body_limit_is_above_the_largest_valid_order(
    app: MockApp, client: CheckedClient
) -> None:
    import json

    body = largest_valid_order()
    size = len(json.dumps(body).encode())
    assert size > 4_000_000, "the largest order should be a few MB"
    assert size < app.validators["createOrder"].max_body_bytes
    response = client.create(body=body)
    assert response.status_code == 200, response.text[:300]


def test_a_body_over_the_limit_is_413(app: MockApp, client: CheckedClient) -> None:
    raw = b'{"merchant_data": "' + b"x" * app.validators["createOrder"].max_body_bytes + b'"}'
    response = client.create(content=raw)
    assert response.status_code == 413


def test_unknown_route_and_method(client: CheckedClient) -> None:
    for path in ("/customer-token/v1/tokens", "/v2" + PATH.format("tok_active")):
        response = client.post(path)
        assert response.status_code == 404
        # Not the unknown token's NOT_FOUND or TOKEN_NOT_FOUND: the path is no operation.
        assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"
        assert response.json()["error_messages"] == [f"No such endpoint: {path}"]
    response = client.get(PATH.format("tok_active"))
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
