"""The breaking-change gate on a table of spec pairs, one per kind of change."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kustom_devtools.breaking import compare, gate, parse_version
from kustom_spec import load_spec

BASE: dict[str, Any] = load_spec().document
OP = BASE["paths"]["/customer-token/v1/tokens/{customerToken}/order"]["post"]
S = "components"


def schemas(doc: dict[str, Any]) -> Any:
    return doc[S]["schemas"]


def op(doc: dict[str, Any]) -> Any:
    return doc["paths"]["/customer-token/v1/tokens/{customerToken}/order"]["post"]


Mutation = Callable[[dict[str, Any]], object]

CASES: list[tuple[str, Mutation, str, bool]] = [
    # requests
    (
        "new required field",
        lambda d: (
            schemas(d)["OrderRequest"]["properties"].update(locale={"type": "string"}),
            schemas(d)["OrderRequest"]["required"].append("locale"),
        ),
        "property-added",
        True,
    ),
    (
        "new optional field",
        lambda d: schemas(d)["OrderRequest"]["properties"].update(locale={"type": "string"}),
        "property-added",
        False,
    ),
    (
        "removed request field",
        lambda d: schemas(d)["OrderRequest"]["properties"].pop("auto_capture"),
        "property-removed",
        True,
    ),
    (
        "removed request enum value",
        lambda d: schemas(d)["OrderLineType"]["enum"].remove("surcharge"),
        "enum-value-removed",
        True,
    ),
    (
        "added request enum value",
        lambda d: schemas(d)["OrderLineType"]["enum"].append("service"),
        "enum-value-added",
        False,
    ),
    (
        "tightened maxLength",
        lambda d: schemas(d)["OrderLine"]["properties"]["name"].update(maxLength=100),
        "limit-tightened",
        True,
    ),
    (
        "loosened maxLength",
        lambda d: schemas(d)["OrderLine"]["properties"]["name"].update(maxLength=500),
        "limit-loosened",
        False,
    ),
    (
        "tightened minimum",
        lambda d: schemas(d)["Subscription"]["properties"]["interval_count"].update(minimum=2),
        "limit-tightened",
        True,
    ),
    (
        "new maximum",
        lambda d: schemas(d)["OrderLine"]["properties"]["tax_rate"].update(maximum=10000),
        "limit-tightened",
        True,
    ),
    (
        "tightened maxItems",
        lambda d: schemas(d)["OrderRequest"]["properties"]["order_lines"].update(maxItems=500),
        "limit-tightened",
        True,
    ),
    (
        "changed request type",
        lambda d: schemas(d)["OrderRequest"]["properties"]["auto_capture"].update(type="string"),
        "type-changed",
        True,
    ),
    (
        "optional field became required",
        lambda d: schemas(d)["OrderRequest"]["required"].append("merchant_urls"),
        "became-required",
        True,
    ),
    (
        "required field became optional",
        lambda d: schemas(d)["OrderRequest"]["required"].remove("purchase_currency"),
        "became-optional",
        False,
    ),
    (
        "new pattern",
        lambda d: schemas(d)["Address"]["properties"]["postal_code"].update(pattern="^[0-9A-Z ]+$"),
        "pattern-changed",
        True,
    ),
    (
        "new required header",
        lambda d: op(d)["parameters"].append(
            {
                "name": "Kustom-Version",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        ),
        "parameter-added",
        True,
    ),
    (
        "header became required",
        lambda d: d[S]["parameters"]["IdempotencyKey"].update(required=True),
        "parameter-became-required",
        True,
    ),
    (
        "tightened header",
        lambda d: d[S]["parameters"]["IdempotencyKey"]["schema"].update(maxLength=36),
        "limit-tightened",
        True,
    ),
    # responses
    (
        "removed response field",
        lambda d: schemas(d)["OrderResponse"]["properties"].pop("redirect_url"),
        "property-removed",
        True,
    ),
    (
        "new response enum value",
        lambda d: schemas(d)["FraudStatus"]["enum"].append("REJECTED"),
        "enum-value-added",
        True,
    ),
    (
        "removed response enum value",
        lambda d: schemas(d)["FraudStatus"]["enum"].remove("PENDING"),
        "enum-value-removed",
        False,
    ),
    (
        "response field no longer required",
        lambda d: schemas(d)["OrderResponse"]["required"].remove("redirect_url"),
        "became-optional",
        True,
    ),
    (
        "response field now required",
        lambda d: schemas(d)["OrderResponse"]["required"].append("authorized_payment_method"),
        "became-required",
        False,
    ),
    (
        "new response field",
        lambda d: schemas(d)["OrderResponse"]["properties"].update(expires_at={"type": "string"}),
        "property-added",
        False,
    ),
    (
        "changed response type",
        lambda d: schemas(d)["AuthorizedPaymentMethod"]["properties"]["number_of_days"].update(
            type="string"
        ),
        "type-changed",
        True,
    ),
    (
        "new response status",
        lambda d: op(d)["responses"].update({"418": {"description": "a teapot"}}),
        "response-added",
        True,
    ),
    ("removed response status", lambda d: op(d)["responses"].pop("413"), "response-removed", False),
    # the API
    ("removed operation", lambda d: d["paths"].clear(), "operation-removed", True),
    (
        "security changed",
        lambda d: d[S]["securitySchemes"]["usernameAndKey"].update(scheme="bearer"),
        "security-changed",
        True,
    ),
]


@pytest.mark.parametrize(("name", "mutate", "kind", "breaking"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_change(name: str, mutate: Mutation, kind: str, breaking: bool) -> None:
    new = copy.deepcopy(BASE)
    mutate(new)
    changes = compare(BASE, new)
    # A shared component changes at every place that uses it (the error object in each status).
    assert {c.kind for c in changes} == {kind}, [c.line() for c in changes]
    assert {c.breaking for c in changes} == {breaking}


def test_a_response_header_no_longer_required_breaks() -> None:
    old = copy.deepcopy(BASE)
    old[S]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"]["required"] = True
    changes = compare(old, BASE)
    assert {c.kind for c in changes} == {"header-no-longer-required"}
    assert all(c.breaking for c in changes)


def test_no_change() -> None:
    assert compare(BASE, copy.deepcopy(BASE)) == []


def test_descriptions_are_not_changes() -> None:
    new = copy.deepcopy(BASE)
    schemas(new)["OrderLine"]["properties"]["name"]["description"] = "Reworded."
    new["info"]["description"] = "Reworded."
    assert compare(BASE, new) == []


@pytest.mark.parametrize(
    ("old", "new", "breaking", "ok"),
    [
        ("1.0.0", "2.0.0", True, True),
        ("1.0.0", "1.1.0", True, False),
        ("1.4.2", "1.5.0", False, True),
        ("1.4.2", "1.4.2", False, False),
        ("1.9.0", "1.10.0", False, True),
    ],
)
def test_gate(old: str, new: str, breaking: bool, ok: bool) -> None:
    from kustom_devtools.breaking import Change

    changes = [Change("k", "w", breaking, "d")]
    assert (gate(old, new, changes) == []) is ok


def test_versions_must_be_semantic() -> None:
    assert parse_version("1.2.3-rc.1") == (1, 2, 3)
    with pytest.raises(ValueError, match="semantic"):
        parse_version("1.2")


_ = OP
