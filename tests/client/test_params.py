"""The order as a dict, typed (kustom_client.params): each TypedDict held to its schema in
openapi.yaml, so it cannot drift from the spec, and mypy refusing what the TypedDicts exist
to refuse (a misspelt key, a missing one, a value of the wrong type)."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

from kustom_client import params
from kustom_spec import load_spec

SPEC = load_spec()
# Each TypedDict and Literal by the component it stands for.
BY_COMPONENT: dict[str, Any] = {
    "OrderRequest": params.OrderParam,
    "OrderLine": params.OrderLineParam,
    "OrderLineType": params.OrderLineTypeParam,
    "ProductIdentifiers": params.ProductIdentifiersParam,
    "Subscription": params.SubscriptionParam,
    "SubscriptionInterval": params.SubscriptionIntervalParam,
    "MerchantUrls": params.MerchantUrlsParam,
    "Attachment": params.AttachmentParam,
    "Address": params.AddressParam,
}
SCALARS = {"integer": int, "string": str, "boolean": bool, "number": float}


def expected_type(schema: dict[str, Any]) -> Any:
    """The Python type a property of ``schema`` must have in its TypedDict."""
    if "$ref" in schema:
        return BY_COMPONENT[schema["$ref"].rsplit("/", 1)[1]]  # KeyError: a component missed
    if "enum" in schema:
        return typing.Literal[tuple(schema["enum"])]
    if schema.get("type") == "array":
        return list[expected_type(schema["items"])]  # type: ignore[misc]
    return SCALARS[schema["type"]]


def reachable(component: str) -> set[str]:
    """``component`` and every component its properties refer to, transitively."""
    found, pending = set(), [component]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            text = str(SPEC.component(name))
            pending += re.findall(r"#/components/schemas/(\w+)", text)
    return found


def test_every_component_an_order_reaches_has_its_param() -> None:
    assert reachable("OrderRequest") == set(BY_COMPONENT)


@pytest.mark.parametrize("component", sorted(BY_COMPONENT))
def test_each_param_is_its_schema(component: str) -> None:
    schema = SPEC.component(component)
    typed = BY_COMPONENT[component]
    if "enum" in schema:
        assert typing.get_args(typed) == tuple(schema["enum"])
        return
    hints = typing.get_type_hints(typed)
    properties = schema["properties"]
    assert set(hints) == set(properties), "every property a key, and no other"
    assert typed.__required_keys__ == frozenset(schema.get("required", []))
    for name, property_schema in properties.items():
        assert hints[name] == expected_type(property_schema), name


# Merchant code as mypy sees it: each line marked "# E: text" must be refused with a message
# that holds the text, and no other line. (Where the dict is an argument, mypy names the
# parameter's type; where it is annotated, the key.)
SNIPPET = """\
from kustom_client import KustomClient, OrderLineParam, OrderParam, build_address, build_order

LINE: OrderLineParam = {"name": "Shoe", "quantity": 1, "unit_price": 2500, "total_amount": 2500}
ORDER: OrderParam = {"purchase_currency": "EUR", "order_amount": 2500, "order_lines": [LINE]}
TYPO: OrderParam = {"purchase_currency": "EUR", "order_amount": 1, "order_lines": [], "merchant_refernce1": "x"}  # E: Extra key "merchant_refernce1" for TypedDict "OrderParam"
BAD_LINE: OrderLineParam = {"name": "Shoe", "quantity": 1, "unit_price": 2500, "total_amount": 2500, "tax_rat": 1}  # E: Extra key "tax_rat" for TypedDict "OrderLineParam"

with KustomClient("key") as kustom:
    kustom.create_order("tok_active", ORDER)
    kustom.create_order("tok_active", {"purchase_currency": "EUR", "order_amount": 2500, "order_lines": [LINE]})
    kustom.create_order("tok_active", {"purchase_currency": "EUR", "order_amount": 2500, "order_lines": [LINE], "merchant_refernce1": "x"})  # E: expected "OrderRequest | OrderParam"
    kustom.create_order("tok_active", {"purchase_currency": "EUR", "order_amount": "2500", "order_lines": [LINE]})  # E: expected "OrderRequest | OrderParam"
    kustom.create_order("tok_active", {"purchase_currency": "EUR", "order_amount": 2500})  # E: expected "OrderRequest | OrderParam"
build_address(country="US", regoin="NY")  # E: Unexpected keyword argument "regoin"
build_order([], purchase_currency="EUR", shipping_address={"country": "US", "regoin": "NY"})  # E: expected "Address | AddressParam | None"
"""
MARKER = re.compile(r"# E: (.*)$")


def test_mypy_refuses_a_misspelt_key_and_accepts_the_right_ones(tmp_path: Path) -> None:
    (tmp_path / "merchant_code.py").write_text(SNIPPET, encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 (our own interpreter, a file we wrote)
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            "",
            "--cache-dir",
            str(tmp_path / "cache"),
            "merchant_code.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found: dict[int, list[str]] = {}
    for number, message in re.findall(
        r"^merchant_code\.py:(\d+): error: (.*)$", checked.stdout, re.M
    ):
        found.setdefault(int(number), []).append(message)
    expected = {
        number: marker[1]
        for number, line in enumerate(SNIPPET.splitlines(), start=1)
        if (marker := MARKER.search(line))
    }
    assert len(expected) == 7
    assert set(found) == set(expected), checked.stdout + checked.stderr
    for number, text in expected.items():
        assert any(text in message for message in found[number]), (number, found[number])
