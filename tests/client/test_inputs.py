"""Input checked before sending: each problem is a ValueError naming the field, and nothing
reaches the server (the scripted server counts requests)."""

from __future__ import annotations

import asyncio
import json
import math
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kustom_customer_token_client.models import OrderRequest

from kustom_client import (
    MAX_JSON_DEPTH,
    AsyncKustomClient,
    InvalidArgumentError,
    KustomAPIError,
    KustomClient,
    KustomError,
    OrderValidationError,
)
from tests.client.helpers import KEY_A, OK, as_param, small_order
from tests.http_doubles import Reply, ScriptedServer


def nested(depth: int) -> Any:
    """A value of ``depth`` nested arrays."""
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("token", ["", ".", "..", None, 7])
def test_tokens_that_cannot_be_one_path_segment(server: ScriptedServer, token: object) -> None:
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(InvalidArgumentError) as raised,
    ):
        kustom.create_order(token, small_order(), idempotency_key="k-token")  # type: ignore[arg-type]
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == "customer_token"
    assert raised.value.idempotency_key == "k-token"
    assert server.requests == []


@pytest.mark.parametrize(
    ("token", "path_segment"),
    [
        ("tok/../../x", "tok%2F..%2F..%2Fx"),
        ("tok?x=1#f", "tok%3Fx%3D1%23f"),
        ("...", "..."),
        ("tök", "t%C3%B6k"),
    ],
)
def test_other_tokens_stay_in_their_segment(
    server: ScriptedServer, token: str, path_segment: str
) -> None:
    server.always(Reply(200, OK))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        kustom.create_order(token, small_order())
    assert server.requests[0].path == f"/customer-token/v1/tokens/{path_segment}/order"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "is empty"),
        ("schlüssel", "non-ASCII character at position 4"),
        ("key\r\nX-Injected: 1", "control character at position 3"),
        ("key\n", "control character at position 3"),
        ("tab\tkey", "control character at position 3"),
        (" key", "starts or ends with a space"),
        ("k\x7f", "control character at position 1"),
        (42, "must be a string"),
    ],
)
def test_idempotency_keys_that_a_header_cannot_carry(
    server: ScriptedServer, key: object, problem: str
) -> None:
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(ValueError, match=problem) as raised,
    ):
        kustom.create_order("tok_active", small_order(), idempotency_key=key)  # type: ignore[arg-type]
    assert isinstance(raised.value, InvalidArgumentError)
    assert raised.value.field == "idempotency_key"
    assert server.requests == []


def test_a_key_with_inner_spaces_is_sent_as_it_is(server: ScriptedServer) -> None:
    server.always(Reply(200, OK))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        kustom.create_order("tok_active", small_order(), idempotency_key="order 4711 / try 1")
    assert server.requests[0].headers["Klarna-Idempotency-Key"] == "order 4711 / try 1"


def with_line_field(field: str, value: object) -> dict[str, Any]:
    body = small_order().to_dict()
    body["order_lines"][0][field] = value
    return body


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        (with_line_field("unit_price", math.nan), "order_lines[0].unit_price", "nan"),
        (with_line_field("tax_rate", math.inf), "order_lines[0].tax_rate", "inf"),
        (small_order().to_dict() | {"order_amount": -math.inf}, "order_amount", "-inf"),
        (with_line_field("quantity", 2**64), "order_lines[0].quantity", "beyond 64 bits"),
        (with_line_field("quantity", 2**63), "order_lines[0].quantity", "beyond 64 bits"),
        (with_line_field("unit_price", -(2**63) - 1), "order_lines[0].unit_price", "64 bits"),
        (with_line_field("unit_price", Decimal("25.00")), "order_lines[0].unit_price", "Decimal"),
        (with_line_field("name", "\ud800"), "order_lines[0].name", "lone surrogate"),
        (small_order().to_dict() | {"x": {1: "a"}}, "x", "int key"),
        (small_order().to_dict() | {"x": {"y": nested(MAX_JSON_DEPTH)}}, "x.y", "nests deeper"),
    ],
)
def test_what_json_or_kustom_cannot_carry(
    server: ScriptedServer, body: dict[str, Any], field: str, problem: str
) -> None:
    with (
        KustomClient(KEY_A, base_url=server.base_url, check_orders=False) as kustom,
        pytest.raises(OrderValidationError) as raised,
    ):
        kustom.create_order("tok_active", as_param(body), idempotency_key="k-local")
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == field
    assert f"Bad value: {field}" in raised.value.error_messages
    assert problem in str(raised.value)
    assert raised.value.idempotency_key == "k-local"
    assert server.requests == []


@pytest.mark.parametrize(
    ("attachment_body", "problem"),
    [
        ("[" * 300 + "]" * 300, "must be a JSON object"),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "nests too deeply to be read"),
    ],
)
def test_an_attachment_the_rules_refuse_is_not_sent(
    server: ScriptedServer, attachment_body: str, problem: str
) -> None:
    """Rule 5, checked by kustom_rules as the server checks it (json.loads), before sending."""
    body = small_order().to_dict() | {
        "attachment": {"content_type": "application/json", "body": attachment_body}
    }
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(OrderValidationError, match=problem) as raised,
    ):
        kustom.create_order("tok_active", as_param(body))
    assert raised.value.field == "attachment.body"
    assert server.requests == []


def test_a_deeply_nested_order_is_no_recursion_error(server: ScriptedServer) -> None:
    """Far past Python's recursion limit: the walk is iterative."""
    body = small_order().to_dict() | {"x": nested(100_000)}
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(OrderValidationError, match="nests deeper"),
    ):
        kustom.create_order("tok_active", as_param(body))


def test_up_to_the_limits_is_sent(server: ScriptedServer) -> None:
    server.always(Reply(200, OK))
    body = small_order().to_dict() | {
        "x_depth": nested(MAX_JSON_DEPTH - 2),  # the order object and "x_depth"'s array
        "x_int64": [2**63 - 1, -(2**63), 2**53 + 1],
        "x_null": None,
        "x_float": 0.5,
        "attachment": {
            "content_type": "application/vnd.klarna.internal.emd-v2+json",
            # Deeper than the body itself may nest: the string is read by the rules (and the
            # server) with json.loads, whose only limit is Python's recursion.
            "body": json.dumps({"a": nested(300), "s": "[[[[" * 100}),
        },
    }
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        kustom.create_order("tok_active", as_param(body))
    sent = json.loads(server.requests[0].body)
    assert sent == body


@pytest.mark.parametrize("order", ["{}", None, 7, ["order"]])
def test_an_order_that_is_no_mapping(server: ScriptedServer, order: object) -> None:
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(InvalidArgumentError, match="must be an OrderRequest or a mapping"),
    ):
        kustom.create_order("tok_active", order)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.parametrize("max_retries", [-1, 1.5, True, "2"])
def test_max_retries_is_checked(server: ScriptedServer, max_retries: object) -> None:
    with pytest.raises(InvalidArgumentError, match="max_retries"):
        KustomClient(KEY_A, base_url=server.base_url, max_retries=max_retries)  # type: ignore[arg-type]
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(InvalidArgumentError, match="max_retries"),
    ):
        kustom.create_order("tok_active", small_order(), max_retries=max_retries)  # type: ignore[arg-type]
    assert server.requests == []


def test_the_rules_are_checked_before_sending(server: ScriptedServer) -> None:
    body = small_order().to_dict() | {"order_amount": 1}
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(OrderValidationError) as raised,
    ):
        kustom.create_order("tok_active", as_param(body), idempotency_key="k-rules")
    assert raised.value.error_messages == ["Bad value: order_amount"]
    assert raised.value.idempotency_key == "k-rules"
    assert server.requests == []


def test_async_checks_the_same(server: ScriptedServer) -> None:
    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=server.base_url) as kustom:
            with pytest.raises(InvalidArgumentError):
                await kustom.create_order("..", small_order())
            with pytest.raises(InvalidArgumentError):
                await kustom.create_order("tok", small_order(), idempotency_key="ü")
            with pytest.raises(OrderValidationError):
                await kustom.create_order("tok", as_param(with_line_field("unit_price", math.nan)))

    asyncio.run(scenario())
    assert server.requests == []


@pytest.mark.parametrize("timeout", [0, -1, "5", math.nan, math.inf, True])
def test_timeout_is_checked(timeout: object) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        KustomClient(KEY_A, timeout=timeout)  # type: ignore[arg-type]
    with KustomClient(KEY_A) as kustom, pytest.raises(InvalidArgumentError, match="timeout") as e:
        kustom.create_order("tok_active", small_order(), timeout=timeout, idempotency_key="k-t")  # type: ignore[arg-type]
    assert e.value.idempotency_key == "k-t"


def test_a_hand_built_model_that_cannot_serialize() -> None:
    broken = OrderRequest(order_amount=1, order_lines=[{"name": "x"}], purchase_currency="EUR")  # type: ignore[list-item]
    with KustomClient(KEY_A) as kustom, pytest.raises(InvalidArgumentError) as raised:
        kustom.create_order("tok_active", broken)
    assert raised.value.field == "order"


def strict_json(content: bytes) -> Any:
    """Python's parser, refusing the NaN and Infinity it would otherwise accept."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(content, parse_constant=refuse)


ODD_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.decimals(allow_nan=False)
    | st.binary(max_size=4),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.integers(), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    token=st.text(max_size=6),
    key=st.none() | st.text(max_size=6),
    field=st.sampled_from(
        ["quantity", "unit_price", "total_amount", "tax_rate", "total_tax_amount", "name"]
    ),
    value=ODD_VALUES,
    top=ODD_VALUES,
)
def test_only_kustom_errors_whatever_comes_in(
    token: str, key: str | None, field: str, value: Any, top: Any
) -> None:
    """Whatever the caller passes, the client either sends strict JSON or raises a KustomError
    (a ValueError for input), never TypeError, UnicodeEncodeError or RecursionError."""
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        strict_json(request.content)
        return httpx.Response(200, json=OK)

    body = small_order().to_dict()
    body["order_lines"][0][field] = value
    body["x_extra"] = top
    transport = httpx.MockTransport(answer)
    with KustomClient(
        KEY_A, base_url="http://kustom.test", http_client=httpx.Client(transport=transport)
    ) as kustom:
        failure: KustomError | None = None
        try:
            kustom.create_order(token, as_param(body), idempotency_key=key)
        except KustomError as error:
            failure = error
    if failure is None:
        assert len(sent) == 1
        assert strict_json(sent[0]) == body  # nothing changed on the way (NaN is not null)
    else:
        assert isinstance(failure, KustomAPIError | ValueError), repr(failure)
        assert not sent or isinstance(failure, KustomAPIError)
