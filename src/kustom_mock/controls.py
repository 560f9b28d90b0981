"""The test controls under ``/_mock/`` (docs/mock.md, "Test controls"): what the calling
merchant's code sent, faults against its own next requests, its clock, and a reset.

They are described by an OpenAPI document of their own (control_api.yaml), completed here from
the spec the mock serves, and routed and validated by it as the API is by openapi.yaml: every
refusal in the API's error shape. Each acts for the merchant whose credentials it is sent with
(the API's own), in one store transaction, and never reads or changes another merchant's data;
a customer token named that belongs to another merchant is refused (403). Everything they change
lives in the store, so that every worker and replica on one database sees it.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import yaml

from kustom_mock.asgi import Receive, Scope
from kustom_mock.behaviour import Behaviour
from kustom_mock.body import check_content_encoding, check_content_type, parse_json, read_body
from kustom_mock.errors import (
    Reply,
    Response,
    bad_request,
    bad_value,
    encode,
    printable,
    render,
    service_unavailable,
)
from kustom_mock.faults import (
    FIELDS,
    MAX_ARMED,
    ArmedFault,
    FaultAction,
    FaultKind,
    NewFault,
)
from kustom_mock.fixtures import Fixtures, Merchant
from kustom_mock.headers import read_headers, single_value_headers
from kustom_mock.operations import KEPT_BODY_BYTES, token_forbidden, token_not_found
from kustom_mock.routing import Router
from kustom_mock.store import Store, StoreUnavailable, Transaction
from kustom_mock.store.base import KeptOrder
from kustom_mock.tokens import profile_of
from kustom_mock.validation import RequestValidator
from kustom_spec import Names, Operation, Spec

CONTROL_PREFIX = "/_mock/"
CONTROL_API_PATH = Path(__file__).with_name("control_api.yaml")
MAX_CLOCK_OFFSET = 36500 * 86400.0  # a hundred years, in all (this contract's choice)
_DOCUMENT = "readControlDocument"  # the one control that takes no credentials


@functools.cache
def _template() -> dict[str, Any]:
    with CONTROL_API_PATH.open("rb") as handle:
        return cast(dict[str, Any], yaml.safe_load(handle))


def control_document(spec: Spec, names: Names) -> dict[str, Any]:
    """control_api.yaml completed from the served ``spec`` (and its ``names``): its version,
    security, the error schema (ErrorDetails) and the schemas it refers to, the correlation header on every
    answer, and the operationIds a fault may name."""
    document = copy.deepcopy(_template())
    served = spec.document
    components = document["components"]
    document["info"]["version"] = str(served["info"]["version"])
    document["security"] = copy.deepcopy(served["security"])
    components["securitySchemes"] = copy.deepcopy(served["components"]["securitySchemes"])
    components["headers"] = {}
    # The served spec's components these name, and every component they refer to in turn.
    for kind, name in _reached(
        served, [("responses", "ServiceUnavailable"), ("headers", "CorrelationId")]
    ):
        components[kind][name] = copy.deepcopy(served["components"][kind][name])
    operation = components["schemas"]["FaultRequest"]["properties"]["operation"]
    operation["enum"] = list(spec.operations)
    correlation = {"$ref": "#/components/headers/CorrelationId"}
    for response in _responses(document):
        response.setdefault("headers", {})[names.correlation_id] = dict(correlation)
    return document


def _reached(document: Mapping[str, Any], start: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The components ``start`` names (kind, name), and every one they refer to, however deep."""
    found = list(start)
    prefix = "#/components/"
    for kind, name in found:
        stack: list[Any] = [document["components"][kind][name]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith(prefix):
                    target_kind, _, target = ref.removeprefix(prefix).partition("/")
                    if (target_kind, target) not in found:
                        found.append((target_kind, target))
                stack += node.values()
            elif isinstance(node, list):
                stack += node
    return found


def _responses(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every response object written out (not a $ref) in ``document``."""
    yield from document["components"].get("responses", {}).values()
    for item in document["paths"].values():
        for operation in item.values():
            for response in operation["responses"].values():
                if "$ref" not in response:
                    yield response


@dataclass(frozen=True)
class ControlCall:
    """One control request, checked: who asks, with which query and body."""

    merchant: Merchant
    query: dict[str, Any]
    body: dict[str, Any] | None


Handler = Callable[[Transaction, ControlCall], Reply]


class Controls:
    """The ``/_mock/`` endpoints of one app (kustom_mock.app hands them the requests)."""

    def __init__(
        self,
        spec: Spec,
        names: Names,
        fixtures: Fixtures,
        store: Store,
        behaviour: Behaviour,
        retention_seconds: float,
        fault_news_seconds: float,
    ) -> None:
        """``fault_news_seconds``: how long every process may go on trusting that no fault is
        armed (kustom_mock.faults, FaultNews): arming one answers that long after."""
        self.names = names
        self.fault_news_seconds = fault_news_seconds
        self.fixtures = fixtures
        self.store = store
        self.behaviour = behaviour
        self.retention_seconds = retention_seconds
        document = control_document(spec, names)
        self.spec = Spec(document=document, path=CONTROL_API_PATH)
        self.router = Router(self.spec)
        self.validators = {
            op_id: RequestValidator(op, idempotency_header=names.idempotency_key)
            for op_id, op in self.spec.operations.items()
        }
        self._single_value = single_value_headers(names)
        self._document = encode(document)
        self.handlers: dict[str, Handler] = {
            "listOrders": self.list_orders,
            "listTokens": self.list_tokens,
            "armFault": self.arm_fault,
            "listFaults": self.list_faults,
            "disarmFaults": self.disarm_faults,
            "readClock": self.read_clock,
            "advanceClock": self.advance_clock,
            "resetMerchant": self.reset_merchant,
        }
        missing = set(self.spec.operations) ^ {*self.handlers, _DOCUMENT}
        if missing:
            raise RuntimeError(f"controls without a handler or a route: {sorted(missing)}")

    async def handle(self, scope: Scope, receive: Receive, raw_path: str, cid: str) -> Response:
        """The answer to one request under CONTROL_PREFIX; refusals raise ApiError."""
        operation = self.router.match(scope["method"], raw_path).operation
        headers = read_headers(
            scope["headers"], scope.get("http_version", "1.1"), self._single_value
        )
        query = read_query(operation, self.spec, scope.get("query_string", b""))
        if operation.operation_id == _DOCUMENT:
            return Response(200, self._document, {self.names.correlation_id: cid})
        merchant = self.behaviour.authenticate(
            headers.get("authorization"), self.fixtures.merchants_by_key, self.names.auth_scheme
        )
        validator = self.validators[operation.operation_id]
        body = None
        if validator.has_body:
            check_content_type(headers.get("content-type"))
            check_content_encoding(headers.get("content-encoding"))
            raw = await read_body(receive, headers.get("content-length"), validator.max_body_bytes)
            body = validator.body(parse_json(raw))
        call = ControlCall(merchant, query, body)
        handler = self.handlers[operation.operation_id]
        try:
            reply = await self.store.run(lambda tx: handler(tx, call))
        except StoreUnavailable:
            raise service_unavailable(self.names.retry_after) from None
        if operation.operation_id == "armFault":
            # Every process, the armer included, looks for faults again within this time: a
            # request sent once the answer is in takes the fault, whichever process it reaches.
            await asyncio.sleep(self.fault_news_seconds)
        return render(reply, cid, self.names.correlation_id)

    # The handlers: each inside one store transaction, for the calling merchant only.

    def list_orders(self, tx: Transaction, call: ControlCall) -> Reply:
        merchant_id = call.merchant.merchant_id
        token = self._merchants_token(tx, merchant_id, call.query.get("customer_token"))
        offset = tx.clock_offset(merchant_id)
        since = self.store.clock() - self.retention_seconds
        kept = tx.merchant_orders(merchant_id, token, since, call.query["limit"])
        return Reply(200, {"orders": [_order(order, offset) for order in kept]})

    def list_tokens(self, tx: Transaction, call: ControlCall) -> Reply:
        merchant_id = call.merchant.merchant_id
        token = self._merchants_token(tx, merchant_id, call.query.get("customer_token"))
        states = tx.merchant_tokens(merchant_id, token, call.query["limit"])
        tokens = [
            {
                "customer_token": s.token,
                "status": s.status,
                "fixture": s.token in self.fixtures.tokens,
            }
            for s in states
        ]
        return Reply(200, {"tokens": tokens})

    def arm_fault(self, tx: Transaction, call: ControlCall) -> Reply:
        assert call.body is not None
        merchant_id = call.merchant.merchant_id
        action = _fault_action(call.body)
        token = self._merchants_token(tx, merchant_id, call.body.get("customer_token"))
        if len(tx.armed_faults(merchant_id)) >= MAX_ARMED:
            raise bad_request(
                f"At most {MAX_ARMED} faults may be armed at once: DELETE {CONTROL_PREFIX}faults "
                "disarms them"
            )
        count = int(call.body.get("count", 1))
        fault = NewFault(merchant_id, call.body["operation"], token, count, action)
        fault_id = f"flt_{uuid.uuid4().hex[:12]}"
        tx.arm_fault(fault_id, fault)
        armed = ArmedFault(fault_id, fault.operation, token, count, action)
        return Reply(201, _fault(armed))

    def list_faults(self, tx: Transaction, call: ControlCall) -> Reply:
        armed = tx.armed_faults(call.merchant.merchant_id)
        return Reply(200, {"faults": [_fault(fault) for fault in armed]})

    def disarm_faults(self, tx: Transaction, call: ControlCall) -> Reply:
        return Reply(200, {"disarmed": tx.disarm_faults(call.merchant.merchant_id)})

    def read_clock(self, tx: Transaction, call: ControlCall) -> Reply:
        return Reply(200, {"offset_seconds": tx.clock_offset(call.merchant.merchant_id)})

    def advance_clock(self, tx: Transaction, call: ControlCall) -> Reply:
        assert call.body is not None
        merchant_id = call.merchant.merchant_id
        seconds = float(call.body["advance_seconds"])
        offset = tx.clock_offset(merchant_id) + seconds
        if offset > MAX_CLOCK_OFFSET:
            raise bad_value(
                ["advance_seconds"],
                f"the clock would be {offset:g} s ahead, past {MAX_CLOCK_OFFSET:g} s (a hundred "
                f"years); POST {CONTROL_PREFIX}reset sets it back",
            )
        tx.advance_clock(merchant_id, seconds)
        return Reply(200, {"offset_seconds": offset})

    def reset_merchant(self, tx: Transaction, call: ControlCall) -> Reply:
        merchant_id = call.merchant.merchant_id
        tx.forget_merchant(merchant_id)
        for token in self.fixtures.tokens.values():
            if token.merchant_id == merchant_id:
                tx.claim_token(token.token, merchant_id, token.status)
        return Reply(204)

    def _merchants_token(self, tx: Transaction, merchant_id: str, token: str | None) -> str | None:
        """``token`` if the mock knows it and it is not another merchant's (a fresh token not
        used yet is no one's): else 404 or 403, as the token read answers."""
        if token is None:
            return None
        state = tx.token(token)
        if state is None and profile_of(self.fixtures, token) is None:
            raise token_not_found()
        if state is not None and state.merchant_id != merchant_id:
            raise token_forbidden()
        return token


def read_query(operation: Operation, spec: Spec, query_string: bytes) -> dict[str, Any]:
    """The query's parameters, each checked against its schema in ``operation``, with the
    defaults of those left out; a 400 naming the parameter for one unknown, repeated or bad."""
    declared = {p["name"]: p["schema"] for p in operation.parameters if p["in"] == "query"}
    values: dict[str, Any] = {}
    pairs = urllib.parse.parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    for name, text in pairs:
        shown = printable(name, 50)
        schema = declared.get(name)
        if schema is None:
            raise bad_value([shown], f"{shown}: not a parameter of this endpoint")
        if name in values:
            raise bad_value([shown], f"{shown}: given more than once")
        value: Any = text
        if schema.get("type") == "integer":
            if not (text.isascii() and text.isdigit() and len(text) <= 9):
                raise bad_value([shown], f"{shown}: not a whole number")
            value = int(text)
        for error in spec.validator(schema).iter_errors(value):
            raise bad_value([shown], f"{shown}: {printable(error.message)}")
        values[name] = value
    for name, schema in declared.items():
        if name not in values and "default" in schema:
            values[name] = schema["default"]
    return values


def _fault_action(body: Mapping[str, Any]) -> FaultAction:
    """The fault a checked body asks for; 400 for a field its kind does not take or lacks
    (the rules across fields that the body's schema cannot state)."""
    kind = FaultKind(body["kind"])
    takes = FIELDS[kind]
    stray = sorted(set(body) - takes - {"operation", "customer_token", "count", "kind"})
    if stray:
        raise bad_value(stray, f"{', '.join(stray)}: not taken by kind {kind}")
    needed = {FaultKind.STATUS: "status", FaultKind.DELAY: "ms", FaultKind.SLOW_BODY: "ms"}
    if kind in needed and needed[kind] not in body:
        raise bad_value([needed[kind]], f"{needed[kind]}: required by kind {kind}")
    if body.get("status") == 500 and "retry_after" in body:
        raise bad_value(["retry_after"], "retry_after: a 500 says no delay")
    return FaultAction(kind, body.get("status"), body.get("ms"), body.get("retry_after"))


def _fault(fault: ArmedFault) -> dict[str, Any]:
    """A fault for GET and POST /_mock/faults: each parameter when it was given."""
    action = fault.action
    shown = {
        "fault_id": fault.fault_id,
        "operation": fault.operation,
        "customer_token": fault.customer_token,
        "kind": action.kind.value,
        "remaining": fault.remaining,
        "status": action.status,
        "ms": action.ms,
        "retry_after": action.retry_after,
    }
    return {name: value for name, value in shown.items() if value is not None}


def _order(order: KeptOrder, clock_offset: float) -> dict[str, Any]:
    """An order for GET /_mock/orders: its time on the merchant's clock, its body parsed when
    kept whole (the stdlib's parser: integers past 64 bits pass), else the text kept."""
    request: dict[str, Any] = {"truncated": False, "summary": json.loads(order.summary)}
    if order.body is not None and order.body_bytes is not None:
        request["bytes"] = order.body_bytes
        if order.body_bytes > KEPT_BODY_BYTES:
            request.update(truncated=True, text=order.body)
        else:
            request["body"] = json.loads(order.body)
    when = datetime.fromtimestamp(order.created_at + clock_offset, UTC)
    shown = {
        "order_id": order.order_id,
        "customer_token": order.token,
        "created_at": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request": request,
        "response": {"status": 200, "body": json.loads(order.response)},
    }
    if order.key is not None:
        shown["idempotency_key"] = order.key
    return shown
