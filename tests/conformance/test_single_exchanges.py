"""What one request and one answer must satisfy (kustom_conformance.Conformance): each rule
fails on an exchange that breaks it and stays quiet on one that keeps it, naming the side at
fault, the field, and a source that resolves in openapi.yaml."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kustom_conformance import (
    RULES,
    Conformance,
    Exchange,
    Request,
    Response,
    Side,
    Violation,
)
from tests.conformance.exchanges import (
    ACCEPTED,
    CONFORMANCE,
    JSON_TYPE,
    NAMES,
    ORDER,
    PAIR_A,
    SPEC,
    answer,
    cancel,
    error,
    order,
    path,
    placed,
    read,
    token_read,
)


def rules_of(found: list[Violation]) -> list[str]:
    return [v.rule for v in found]


def resolves(source: str) -> bool:
    node: Any = SPEC.document
    for part in source.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


def broken_order(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(ORDER)
    body.update(changes)
    return body


def test_a_valid_request_and_its_documented_answers_break_nothing() -> None:
    for request, response in [
        (order(), placed()),
        (order(auth=PAIR_A, key="k-1"), placed()),
        (read(), token_read()),
        (cancel("tok_fresh_1"), ACCEPTED),
        (order("tok_suspended"), error(403, "TOKEN_SUSPENDED")),
        (read("nope"), error(404, "NOT_FOUND")),
        (order("nope"), error(404, "TOKEN_NOT_FOUND")),
    ]:
        assert CONFORMANCE.check_request(request) == []
        assert CONFORMANCE.check_response(request, response) == []


# Each rule of a request: a request that breaks it, and the field it names (None: none).
BROKEN_REQUESTS: dict[str, tuple[Request, str | None]] = {
    "request.operation": (Request.of("DELETE", path("readCustomerToken")), None),
    "request.credentials": (order(auth=None), None),
    "request.parameter": (order(key="k" * 256), NAMES.idempotency_key),
    "request.content-type": (order(headers={"Content-Type": "text/plain"}), None),
    "request.body-size": (order(raw=b" " * (8 * 1024 * 1024 + 1)), None),
    "request.json": (order(raw=b"{"), None),
    "request.schema": (order(body=broken_order(purchase_currency="EURO")), "purchase_currency"),
    "request.rules": (
        order(body=broken_order(order_amount=ORDER["order_amount"] + 1)),
        "order_amount",
    ),
}


@pytest.mark.parametrize("rule", sorted(BROKEN_REQUESTS))
def test_each_rule_of_a_request_fails_and_names_the_field(rule: str) -> None:
    request, field = BROKEN_REQUESTS[rule]
    found = CONFORMANCE.check_request(request)
    assert rules_of(found) == [rule], found
    assert found[0].side is Side.CLIENT
    assert found[0].field == field
    assert resolves(found[0].source), found[0].source


def test_a_body_that_is_json_but_no_object_is_unreadable_not_a_field() -> None:
    found = CONFORMANCE.check_request(order(raw=b"[1, 2]"))
    assert rules_of(found) == ["request.json"]


def test_a_missing_property_is_named_itself() -> None:
    body = broken_order()
    del body["purchase_currency"]
    found = CONFORMANCE.check_request(order(body=body))
    assert [(v.rule, v.field) for v in found] == [("request.schema", "purchase_currency")]


def test_each_rule_across_fields_names_its_field() -> None:
    body = broken_order()
    body["order_lines"][0]["total_amount"] += 1
    body["order_amount"] += 1
    found = CONFORMANCE.check_request(order(body=body))
    assert [(v.rule, v.field) for v in found] == [("request.rules", "order_lines[0].total_amount")]


def test_whitespace_around_a_key_is_not_part_of_it() -> None:
    assert CONFORMANCE.check_request(order(key=" k-1\t")) == []
    assert rules_of(CONFORMANCE.check_request(order(key="   "))) == ["request.parameter"]


def test_without_the_contract_limits_a_long_key_is_no_violation() -> None:
    live = Conformance(SPEC, contract_limits=False)
    assert live.check_request(order(key="k" * 256)) == []
    assert live.check_request(order(body=broken_order(purchase_currency="EURO"))) != []


# Each rule of an answer: the request, an answer that breaks the rule, and one that keeps it.
BROKEN_ANSWERS: dict[str, tuple[Request, Response, Response]] = {
    "response.status": (read(), answer(418, {"error_code": "TEAPOT"}), token_read()),
    "response.header": (
        read(),
        answer(
            200,
            {"payment_method_type": "CARD", "status": "ACTIVE"},
            {"X-Ratelimit-Remaining": "-1"},
        ),
        answer(
            200, {"payment_method_type": "CARD", "status": "ACTIVE"}, {"X-Ratelimit-Remaining": "7"}
        ),
    ),
    "response.content-type": (
        cancel("tok_fresh_2"),
        Response.of(202, JSON_TYPE, b"{}"),
        ACCEPTED,
    ),
    "response.schema": (read(), token_read("GONE"), token_read("CANCELLED")),
    "response.error-code": (
        order("tok_x"),
        error(404, "NOT_FOUND"),
        error(404, "TOKEN_NOT_FOUND"),
    ),
    "response.correlation-id": (
        read("tok_x"),
        answer(
            404,
            {"error_code": "NOT_FOUND", "error_messages": ["x"], "correlation_id": "a"},
            {NAMES.correlation_id: "b"},
        ),
        error(404, "NOT_FOUND", cid="a"),
    ),
    "response.refusal": (
        order(body=broken_order(order_amount=ORDER["order_amount"] + 1)),
        placed(),
        error(400, "BAD_VALUE", "Bad value: order_amount"),
    ),
}


@pytest.mark.parametrize("rule", sorted(BROKEN_ANSWERS))
def test_each_rule_of_an_answer_fails(rule: str) -> None:
    request, broken, kept = BROKEN_ANSWERS[rule]
    found = CONFORMANCE.check_response(request, broken)
    assert rule in rules_of(found), found
    assert all(v.side is Side.SERVER for v in found)
    assert all(resolves(v.source) for v in found), [v.source for v in found]
    assert CONFORMANCE.check_response(request, kept) == []


def test_a_refusal_must_name_a_field_the_request_broke() -> None:
    request = order(body=broken_order(order_amount=ORDER["order_amount"] + 1))
    for wrong in (
        error(400, "BAD_VALUE", "Bad value: order_tax_amount"),
        error(400, "BAD_REQUEST", "Bad value: order_amount"),
    ):
        assert rules_of(CONFORMANCE.check_response(request, wrong)) == ["response.refusal"]
    # Other refusals are not ordered against the body's check by the spec.
    assert CONFORMANCE.check_response(request, error(403, "TOKEN_SUSPENDED")) == []


def test_an_unreadable_body_wants_no_field_named() -> None:
    assert (
        CONFORMANCE.check_response(order(raw=b"{"), error(400, "BAD_REQUEST", "unreadable")) == []
    )


def test_the_correlation_id_is_optional_in_the_body() -> None:
    """The ErrorDetails schema does not require it: no rule may ask for more than the spec states."""
    bare = answer(404, {"error_code": "NOT_FOUND", "error_messages": ["x"]})
    assert CONFORMANCE.check_response(read("tok_x"), bare) == []


def test_violations_carry_the_answers_correlation_id() -> None:
    found = CONFORMANCE.check_response(order("tok_x"), error(404, "NOT_FOUND", cid="c-42"))
    assert [v.correlation_id for v in found] == ["c-42"]


def test_check_gives_both_sides() -> None:
    request = order(body=broken_order(order_amount=0))
    found = CONFORMANCE.check(Exchange(request, placed()))
    assert [(v.side, v.rule) for v in found] == [
        (Side.CLIENT, "request.rules"),
        (Side.SERVER, "response.refusal"),
    ]


def test_every_single_exchange_rule_is_provoked_here() -> None:
    single = {rule for rule in RULES if rule.split(".")[0] in ("request", "response")}
    assert single == set(BROKEN_REQUESTS) | set(BROKEN_ANSWERS)


def test_a_message_never_holds_a_credential_token_or_key() -> None:
    secret_token, secret_key = "tok_live_secret_123456", "key-secret-987654"
    request = order(secret_token, auth=None, key=secret_key + "x" * 255)
    found = CONFORMANCE.check_request(request) + CONFORMANCE.check_response(
        request, answer(200, {"order_id": secret_token})
    )
    assert found
    text = " ".join(f"{v!r} {v}" for v in found)
    assert secret_token not in text
    assert secret_key not in text


def test_the_replay_window_is_the_one_the_spec_states() -> None:
    parameter = SPEC.resolve(SPEC.document["components"]["parameters"]["IdempotencyKey"])
    assert "within 24 hours" in parameter["description"]
    assert CONFORMANCE.replay_window == 24 * 3600


def test_json_is_parsed_once_and_bodies_need_not_be_json() -> None:
    response = Response.of(200, JSON_TYPE, json.dumps({"a": 1}).encode())
    assert response.json is response.json
    assert Response.of(200, {}, b"\xff").json.__repr__() == "NOT_JSON"
