"""Every answer openapi.yaml documents, provoked on purpose: ``provocations(context)`` lists one
deliberate request (or short sequence) per answer and way of getting it, each with the status
and ``error_code`` its last answer must carry; ``not_provokable(context)`` names, with the
reason, each documented answer the target cannot be made to give.

Generated cases reach most answers by chance, or not at all (a body too large, a rate limit,
each token state, each wrong form of credentials): these reach each one by construction. Each
request breaks at most one thing on an otherwise valid request, so that a server which checks
only part of the spec (the totals, say) answers one of them wrongly. The answers are judged by
contract_tests/test_provoked.py: the status and error code wanted here, and every rule of the
conformance core (schema, headers, correlation ids, a 400 naming the field broken, and what
holds across exchanges: a key is each merchant's own).
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kustom_contract.cases import IDEMPOTENCY_HEADER, NAMES, SPEC
from kustom_contract.coverage import answer_key, documented
from kustom_contract.rule_breakers import break_one_rule
from kustom_contract.target import FRESH_PREFIX, UNKNOWN_TOKEN, Target

Order = dict[str, Any]
ORDER: Order = SPEC.resolve(SPEC.document["components"]["examples"]["MinimalOrder"])["value"]
CANCEL = {"status": "CANCELLED"}
MAX_BODY_BYTES: int = SPEC.operation("createOrder").request_body["x-max-body-bytes"]  # type: ignore[index]
RATE_LIMIT_ATTEMPTS = 20  # requests sent back to back until one gets 429 (a limit of 1/s)
# The mock's test tokens in each state (docs/mock.md, "Test data").
MOCK_STATES = {
    "suspended": "tok_suspended",
    "cancelled": "tok_cancelled",
    "declined": "tok_declined",
    "eur_only": "tok_eur_only",
    "flaky": "tok_flaky",
}


@dataclass(frozen=True)
class Sent:
    """One request as the run sends it: the token goes into the operation's path."""

    operation: str
    token: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def method(self) -> str:
        return SPEC.operation(self.operation).method.upper()

    @property
    def path(self) -> str:
        return SPEC.operation(self.operation).path.replace("{customerToken}", self.token)


@dataclass(frozen=True)
class Provocation:
    """Requests sent in order, the last one's answer wanted as ``status`` and ``error_code``
    (None: a success, or an error whose code is not the point). ``needs``: what the target
    must offer (``rate_limited``: a second instance of the mock started with a rate limit)."""

    operation: str
    name: str
    status: int
    error_code: str | None
    requests: tuple[Sent, ...]
    needs: str = ""
    repeat_until: int | None = None  # send the last request again, up to this often, until 429
    body: tuple[tuple[str, str], ...] = ()  # top-level fields the last answer's body must have
    # A fault armed in the mock (POST /_mock/faults, this body) before the last request is sent:
    # an answer no request can provoke by itself, such as a store that does not answer.
    arm: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return f"{self.operation}: {self.name}"


@dataclass(frozen=True)
class NotProvokable:
    operation: str
    status: int
    error_code: str | None
    reason: str


@dataclass(frozen=True)
class Context:
    """What the target offers to provoke answers with."""

    target: Target
    fresh: Callable[[], str] = field(
        default=lambda: f"{FRESH_PREFIX}prov-{secrets.token_hex(6)}", repr=False
    )

    @property
    def order_token(self) -> str:
        return self.target.approving_tokens[0]

    def state_token(self, state: str) -> str | None:
        return MOCK_STATES[state] if self.target.is_mock else None

    def cancel_token(self) -> str | None:
        if self.target.is_mock:
            return self.fresh()
        return self.target.cancel_token


def _basic(text: str) -> str:
    return f"{NAMES.auth_scheme} {text}"


def _pair(username: str, key: str) -> str:
    return _basic(base64.b64encode(f"{username}:{key}".encode()).decode())


def auth(target: Target) -> str:
    """The merchant's Authorization value: the key alone, Kustom's primary form."""
    return _basic(target.api_key)


def valid_order(target: Target) -> Order:
    order = copy.deepcopy(ORDER)
    if target.currency is not None:
        order["purchase_currency"] = target.currency
    return order


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def _json(authorization: str | None, **extra: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json", **extra}
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


# One constraint of the order's schema broken at a time, the totals and every other rule kept:
# (the field a 400 must name, how to break it).
def _set(path: tuple[str | int, ...], value: Any) -> Callable[[Order], None]:
    def change(order: Order) -> None:
        node: Any = order
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _drop(path: tuple[str | int, ...]) -> Callable[[Order], None]:
    def change(order: Order) -> None:
        node: Any = order
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


SCHEMA_BREAKS: tuple[tuple[str, str, Callable[[Order], None]], ...] = (
    ("purchase_currency", "a currency of four letters", _set(("purchase_currency",), "EURO")),
    ("purchase_currency", "a currency with a digit", _set(("purchase_currency",), "EU1")),
    ("purchase_currency", "no currency", _drop(("purchase_currency",))),
    ("order_amount", "an amount that is a string", _set(("order_amount",), "2500")),
    ("order_lines", "no order lines", _drop(("order_lines",))),
    ("order_lines[0].name", "a line without a name", _drop(("order_lines", 0, "name"))),
    ("order_lines[0].name", "a line name too long", _set(("order_lines", 0, "name"), "n" * 256)),
    ("order_lines[0].quantity", "a negative quantity", _set(("order_lines", 0, "quantity"), -1)),
    ("order_lines[0].type", "a line type outside its enum", _set(("order_lines", 0, "type"), "x")),
    (
        "merchant_reference1",
        "a merchant reference too long",
        _set(("merchant_reference1",), "r" * 256),
    ),
    (
        "shipping_address.country",
        "a country of three letters",
        _set(("shipping_address",), {"country": "SWE"}),
    ),
    ("auto_capture", "auto_capture that is a string", _set(("auto_capture",), "yes")),
)


def _broken_orders(target: Target) -> list[tuple[str, str, Order]]:
    """(field, what is broken, order) for each schema break, then each rule across fields."""
    found = []
    for name, what, change in SCHEMA_BREAKS:
        order = valid_order(target)
        change(order)
        found.append((name, what, order))
    turn = 0
    while (broken := break_one_rule(valid_order(target), turn)) is not None and turn < 20:
        if all(f"rule {broken.rule}" not in what for _, what, _ in found):
            found.append((broken.field, f"rule {broken.rule} broken", broken.order))
        turn += 1
    return found


def longest_strings(target: Target) -> Order:
    """A valid order with every string of the order and of its line that the schema bounds
    (``maxLength``, no pattern) at its longest, read from openapi.yaml; the line's name in
    letters outside ASCII, since a length counts characters, not bytes."""
    order = valid_order(target)
    for schema, node in (
        (SPEC.component("OrderRequest"), order),
        (SPEC.component("OrderLine"), order["order_lines"][0]),
    ):
        for name, raw in schema["properties"].items():
            field_schema = SPEC.resolve(raw)
            limit = field_schema.get("maxLength")
            if field_schema.get("type") != "string" or limit is None or "pattern" in field_schema:
                continue
            node[name] = ("ä" if name == "name" else name[0]) * limit
    return order


def _wrong_credentials(target: Target) -> list[tuple[str, str | None]]:
    """Each way credentials can be wrong, in each of Kustom's forms."""
    found: list[tuple[str, str | None]] = [
        ("no credentials", None),
        ("the key alone, wrong", _basic(f"kco_wrong_{secrets.token_hex(8)}")),
        ("another scheme", f"Bearer {target.api_key}"),
        (
            "the key base64-encoded alone",
            _basic(base64.b64encode(target.api_key.encode()).decode()),
        ),
        ("username with a wrong key", _pair(target.username or "merchant", "kco_wrong")),
    ]
    other = target.second.username if target.second is not None else "someone-else"
    found.append(
        ("a username that is not the merchant's", _pair(other or "someone-else", target.api_key))
    )
    return found


def provocations(context: Context) -> list[Provocation]:
    """Every deliberate request the target allows, in a fixed order."""
    target = context.target
    found: list[Provocation] = []
    good = auth(target)
    order_token = context.order_token
    order = json_body(valid_order(target))

    def add(
        operation: str, name: str, status: int, code: str | None, *sent: Sent, needs: str = ""
    ) -> None:
        found.append(Provocation(operation, name, status, code, tuple(sent), needs))

    cancel_token = context.cancel_token()
    bodies = {"createOrder": order, "patchCustomerToken": json_body(CANCEL)}
    for operation, token in (
        ("createOrder", order_token),
        ("readCustomerToken", order_token),
        ("patchCustomerToken", cancel_token or UNKNOWN_TOKEN),
    ):
        body = bodies.get(operation, b"")
        for name, value in _wrong_credentials(target):
            add(operation, name, 401, "UNAUTHORIZED", Sent(operation, token, _json(value), body))
        add(
            operation,
            "a token that does not exist",
            404,
            "TOKEN_NOT_FOUND" if operation == "createOrder" else "NOT_FOUND",
            Sent(operation, UNKNOWN_TOKEN, _json(good), body),
        )
        if target.is_mock:  # the mock's limit is per merchant and operation, at 1/s
            found.append(
                Provocation(
                    operation,
                    "requests past the rate limit",
                    429,
                    "RATE_LIMITED",
                    (Sent(operation, UNKNOWN_TOKEN, _json(good), body),),
                    needs="rate_limited",
                    repeat_until=RATE_LIMIT_ATTEMPTS,
                )
            )
    # The successes, and what the spec allows that generated cases never send.
    add(
        "readCustomerToken",
        "a token of the merchant's",
        200,
        None,
        Sent("readCustomerToken", order_token, _json(good)),
    )
    add(
        "createOrder",
        "a valid order",
        200,
        None,
        Sent("createOrder", order_token, _json(good), order),
    )
    lower = valid_order(target)
    lower["purchase_currency"] = lower["purchase_currency"].lower()
    add(
        "createOrder",
        "a lower-case currency",
        200,
        None,
        Sent("createOrder", order_token, _json(good), json_body(lower)),
    )
    longest = Sent(
        "createOrder",
        order_token,
        _json(good, **{IDEMPOTENCY_HEADER: f"prov-{secrets.token_hex(8)}"}),
        json_body(longest_strings(target)),
    )
    # No answer echoes an order's strings: accepted, and sent again under its key the first
    # answer comes back byte for byte (the history's idempotency.replay).
    add("createOrder", "every bounded string at its longest", 200, None, longest, longest)
    # Another merchant's token.
    second = target.second
    if second is not None:
        other_auth = _basic(second.api_key)
        add(
            "readCustomerToken",
            "another merchant's token",
            403,
            "TOKEN_FORBIDDEN",
            Sent("readCustomerToken", order_token, _json(other_auth)),
        )
        if target.is_mock:  # a live order would be refused, but it is not worth the risk
            add(
                "createOrder",
                "another merchant's token",
                403,
                "TOKEN_CANCELED",
                Sent("createOrder", order_token, _json(other_auth), order),
            )
        if target.is_mock:  # a fresh token, the merchant's from its first read
            mine = context.fresh()
            add(
                "patchCustomerToken",
                "another merchant's token",
                403,
                "TOKEN_FORBIDDEN",
                Sent("readCustomerToken", mine, _json(good)),
                Sent("patchCustomerToken", mine, _json(other_auth), json_body(CANCEL)),
            )
        elif cancel_token is not None:
            add(
                "patchCustomerToken",
                "another merchant's token",
                403,
                "TOKEN_FORBIDDEN",
                Sent("patchCustomerToken", cancel_token, _json(other_auth), json_body(CANCEL)),
            )
    # Each token state a read reports.
    for state, status in (("suspended", "SUSPENDED"), ("cancelled", "CANCELLED")):
        state_token = context.state_token(state)
        if state_token is not None:
            found.append(
                Provocation(
                    "readCustomerToken",
                    f"a {state} token",
                    200,
                    None,
                    (Sent("readCustomerToken", state_token, _json(good)),),
                    body=(("status", status),),
                )
            )
    # Each token state an order can meet.
    states = (
        ("suspended", "TOKEN_SUSPENDED", order),
        ("cancelled", "TOKEN_CANCELED", order),
        ("declined", "PAYMENT_METHOD_FAILED", order),
        (
            "eur_only",
            "UNAVAILABLE_PAYMENT_METHOD",
            json_body({**valid_order(target), "purchase_currency": "SEK"}),
        ),
    )
    for state, code, body in states:
        state_token = context.state_token(state)
        if state_token is not None:
            add(
                "createOrder",
                f"a {state} token",
                403,
                code,
                Sent("createOrder", state_token, _json(good), body),
            )
    flaky = context.state_token("flaky")
    if flaky is not None:
        add(
            "createOrder",
            "a payment service that is down",
            503,
            "SERVICE_UNAVAILABLE",
            Sent("createOrder", flaky, _json(good), order),
        )
    # The bodies: media type, size, JSON, one constraint at a time.
    with_body: tuple[tuple[str, str | None, bytes], ...] = (
        ("createOrder", order_token, order),
        ("patchCustomerToken", cancel_token, json_body(CANCEL)),
    )
    for operation, maybe_token, body in with_body:
        if maybe_token is None:
            continue
        token = maybe_token
        for name, headers in (
            ("a body sent as text/plain", {"Content-Type": "text/plain", "Authorization": good}),
            ("a body without a content type", {"Authorization": good}),
        ):
            add(operation, name, 415, "BAD_REQUEST", Sent(operation, token, headers, body))
        add(
            operation,
            "a body too large",
            413,
            "BAD_REQUEST",
            Sent(operation, token, _json(good), b" " * MAX_BODY_BYTES + b"{}"),
        )
        add(
            operation,
            "a body that is not JSON",
            400,
            "BAD_REQUEST",
            Sent(operation, token, _json(good), b'{"order_amount": '),
        )
        replay = _json(good, **{IDEMPOTENCY_HEADER: f"prov-{secrets.token_hex(8)}"})
        add(  # the run's history holds the repeat to the first answer (idempotency.replay)
            operation,
            "a key used again for the same request",
            200 if operation == "createOrder" else 202,
            None,
            Sent(operation, token, replay, body),
            Sent(operation, token, replay, body),
        )
        key = f"prov-{secrets.token_hex(8)}"
        keyed = _json(good, **{IDEMPOTENCY_HEADER: key})
        if operation == "createOrder":
            changed = json_body({**valid_order(target), "merchant_reference2": "changed"})
            again = Sent(operation, token, keyed, changed)
        elif target.is_mock:  # one valid status only: another request is another token
            again = Sent(operation, context.fresh(), keyed, body)
        else:
            continue  # one token to cancel and one valid status: no other request to send
        add(
            operation,
            "a key used again for another request",
            409,
            "IDEMPOTENCY_KEY_CONFLICT",
            Sent(operation, token, keyed, body),
            again,
        )
        if second is not None and (operation == "patchCustomerToken" or second.token is not None):
            # The same key from two merchants: each is the merchant's own (openapi.yaml).
            shared = f"prov-shared-{secrets.token_hex(8)}"
            second_token = context.fresh() if target.is_mock else second.token
            if operation == "patchCustomerToken" and not target.is_mock:
                continue  # it would burn the second merchant's token
            assert second_token is not None
            add(
                operation,
                "a key another merchant used",
                200 if operation == "createOrder" else 202,
                None,
                Sent(operation, token, _json(good, **{IDEMPOTENCY_HEADER: shared}), body),
                Sent(
                    operation,
                    second_token,
                    _json(_basic(second.api_key), **{IDEMPOTENCY_HEADER: shared}),
                    body,
                ),
            )
    if cancel_token is not None:
        add(
            "patchCustomerToken",
            "a status other than CANCELLED",
            400,
            "BAD_VALUE",
            Sent("patchCustomerToken", cancel_token, _json(good), json_body({"status": "ACTIVE"})),
        )
        add(
            "patchCustomerToken",
            "a cancel",
            202,
            None,
            Sent("patchCustomerToken", cancel_token, _json(good), json_body(CANCEL)),
        )
    if target.is_mock:
        # The store's 503, which the mock gives only when its store does not answer: a fault
        # armed for one fresh token of the merchant's (claimed by a read first), so that no
        # other request of the run, in this process or another, takes it.
        for operation in ("readCustomerToken", "patchCustomerToken"):
            token = context.fresh()
            found.append(
                Provocation(
                    operation,
                    "a store that does not answer (a fault armed in the mock)",
                    503,
                    "SERVICE_UNAVAILABLE",
                    (
                        Sent("readCustomerToken", token, _json(good)),
                        Sent(operation, token, _json(good), bodies.get(operation, b"")),
                    ),
                    arm={
                        "operation": operation,
                        "customer_token": token,
                        "kind": "status",
                        "status": 503,
                    },
                )
            )
    for name, what, broken in _broken_orders(target):
        add(
            "createOrder",
            f"{what} ({name})",
            400,
            "BAD_VALUE",
            Sent("createOrder", order_token, _json(good), json_body(broken)),
        )
    return found


# Against any target: what no request can make it give on purpose (the mock's store's 503 is
# provoked through its test controls; a live target's is listed by _live_reason).
NEVER: tuple[NotProvokable, ...] = ()


def _live_reason(operation: str, status: int, target: Target) -> str:
    """Why a live target is not made to give an answer the mock gives."""
    if status == 429:
        return "a live target's limit is the vendor's (50/s per operation): not spent on purpose"
    if status == 503:
        return "a live target is unavailable only by accident"
    if operation == "patchCustomerToken" and target.cancel_token is None:
        return "cancelling is not allowed (KUSTOM_ALLOW_CANCEL and KUSTOM_CANCEL_TOKEN)"
    if operation == "patchCustomerToken" and status == 409:
        return "one token to cancel and one valid status: no other request to send under a key"
    if status == 403 and operation == "createOrder":
        return "needs a token in that state (or another merchant's), which is not risked live"
    if status == 403 and target.second is None:
        return "needs a second merchant (KUSTOM_SECOND_API_KEY)"
    return "not sent to a live target"


def not_provokable(context: Context) -> list[NotProvokable]:
    """The documented answers this target cannot be made to give on purpose, with the reason:
    against the mock, ``NEVER``; against a live target also every other answer its
    provocations leave out (a token state, a rate limit, what needs a second merchant or a
    token to cancel)."""
    found = list(NEVER)
    target = context.target
    if target.is_mock:
        return found
    listed = {answer_key(n.operation, n.status, n.error_code) for n in found}
    listed |= {answer_key(p.operation, p.status, p.error_code) for p in provocations(context)}
    found += [
        NotProvokable(
            d.operation, d.status, d.error_code, _live_reason(d.operation, d.status, target)
        )
        for d in documented(SPEC)
        if d.key not in listed
    ]
    return found
