"""Test data and runners shared by the client's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, cast

from kustom_customer_token_client.models import OrderRequest

from kustom_client import (
    AsyncKustomClient,
    AsyncKustomClientWithRawResponse,
    KustomClient,
    KustomClientWithRawResponse,
    OrderParam,
    build_order,
    build_order_line,
)
from tests.http_doubles import ScriptedServer

KEY_A = "kco_test_api_merchant_a"
USERNAME_A = "M-TEST-A-4f2c"  # the portal username of issue 10
OK = {"order_id": "o-1", "redirect_url": "https://x", "fraud_status": "ACCEPTED"}
TOKEN = "tok_hostile_4711"
OPERATIONS = ["create_order", "get_token", "cancel_token"]
KINDS = ["sync", "async"]

Operation = Callable[..., Any]


def small_order() -> OrderRequest:
    return build_order(
        [build_order_line("Running shoe", quantity=1, unit_price=2500, tax_rate=2500)],
        purchase_currency="EUR",
    )


def as_param(body: Mapping[str, Any]) -> OrderParam:
    """``body`` sent as the order dict, whatever its shape: these tests send ill-shaped orders on
    purpose, which the type checker would refuse as an OrderParam (the point of OrderParam)."""
    return cast("OrderParam", body)


def operations(
    kustom: KustomClient
    | AsyncKustomClient
    | KustomClientWithRawResponse
    | AsyncKustomClientWithRawResponse,
) -> dict[str, Operation]:
    """Each operation with TOKEN (and an order), by name; keyword arguments go to the call."""
    return {
        "create_order": lambda **kw: kustom.create_order(TOKEN, small_order(), **kw),
        "get_token": lambda **kw: kustom.get_token(TOKEN, **kw),
        "cancel_token": lambda **kw: kustom.cancel_token(TOKEN, **kw),
    }


def outcomes(
    kind: str, server: ScriptedServer, names: list[str], *, raw: bool = False, **options: Any
) -> list[Any]:
    """Runs each operation once with one fresh sync or async client (through
    ``with_raw_response`` when ``raw``); returns each result, or the exception it raised (any
    exception: the tests check which)."""
    call = {key: options.pop(key) for key in ("deadline", "timeout") if key in options}
    found: list[Any] = []
    if kind == "sync":
        with KustomClient(KEY_A, base_url=server.base_url, **options) as kustom:
            for name in names:
                try:
                    sender = kustom.with_raw_response if raw else kustom
                    found.append(operations(sender)[name](**call))
                except Exception as error:
                    found.append(error)
        return found

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, base_url=server.base_url, **options) as kustom:
            for name in names:
                try:
                    sender = kustom.with_raw_response if raw else kustom
                    found.append(await operations(sender)[name](**call))
                except Exception as error:
                    found.append(error)

    asyncio.run(scenario())
    return found


def outcome(
    kind: str, server: ScriptedServer, operation: str, *, raw: bool = False, **options: Any
) -> Any:
    return outcomes(kind, server, [operation], raw=raw, **options)[0]
