"""Requests and answers as the tests of kustom_conformance build them: the spec's own example
order, the mock's two test merchants in both credential forms, answers shaped as the spec
documents them."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from kustom_conformance import Conformance, Exchange, Request, Response
from kustom_spec import load_spec, read_names

SPEC = load_spec()
NAMES = read_names(SPEC)
CONFORMANCE = Conformance(SPEC)
ORDER: dict[str, Any] = SPEC.resolve(SPEC.document["components"]["examples"]["MinimalOrder"])[
    "value"
]
KEY_A, USER_A = "kco_test_api_merchant_a", "M-TEST-A-4f2c"
KEY_B = "kco_test_api_merchant_b"
RAW_A = f"{NAMES.auth_scheme} {KEY_A}"
PAIR_A = f"{NAMES.auth_scheme} " + base64.b64encode(f"{USER_A}:{KEY_A}".encode()).decode()
RAW_B = f"{NAMES.auth_scheme} {KEY_B}"
JSON_TYPE = {"Content-Type": "application/json"}


def path(operation_id: str, token: str = "tok_active") -> str:
    return SPEC.operation(operation_id).path.replace("{customerToken}", token)


def order(
    token: str = "tok_active",
    body: Any = None,
    *,
    auth: str | None = RAW_A,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Request:
    sent = {**JSON_TYPE, **({"Authorization": auth} if auth else {})}
    if key is not None:
        sent[NAMES.idempotency_key] = key
    sent.update(headers or {})
    data = raw if raw is not None else json.dumps(ORDER if body is None else body).encode()
    return Request.of("POST", path("createOrder", token), sent, data)


def read(token: str = "tok_active", *, auth: str = RAW_A) -> Request:
    return Request.of("GET", path("readCustomerToken", token), {"Authorization": auth})


def cancel(token: str, *, auth: str = RAW_A, key: str | None = None, body: Any = None) -> Request:
    sent = {**JSON_TYPE, "Authorization": auth}
    if key is not None:
        sent[NAMES.idempotency_key] = key
    data = json.dumps(body if body is not None else {"status": "CANCELLED"}).encode()
    return Request.of("PATCH", path("patchCustomerToken", token), sent, data)


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    sent = dict(headers or {})
    data = b""
    if body is not None:
        sent.setdefault("Content-Type", "application/json")
        data = json.dumps(body).encode()
    return Response.of(status, sent, data)


def error(status: int, code: str, *messages: str, cid: str = "cid-1") -> Response:
    body = {"error_code": code, "error_messages": list(messages) or ["x"], "correlation_id": cid}
    return answer(status, body, {NAMES.correlation_id: cid})


def placed(order_id: str = "ord-1") -> Response:
    return answer(
        200, {"order_id": order_id, "fraud_status": "ACCEPTED", "redirect_url": "https://x.test/r"}
    )


def token_read(status: str = "ACTIVE") -> Response:
    return answer(200, {"payment_method_type": "CARD", "status": status})


ACCEPTED = Response.of(202)


def changed_order() -> dict[str, Any]:
    body = copy.deepcopy(ORDER)
    body["merchant_reference1"] = "another"
    return body


def exchange(request: Request, response: Response) -> Exchange:
    return Exchange(request, response)
