"""The breaking-change gate: a table of spec pairs, one per kind of change, and a table of
releases (what the repository records as released, the candidate, the verdict)."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustom_release import publish
from kustom_release.baseline import BaselineError
from kustom_release.breaking import compare, gate, parse_version
from kustom_release.change import Change
from kustom_release.publish import gate_release
from kustom_release.specfile import InvalidSpec, parse_spec
from kustom_spec import REPO_ROOT, load_spec

BASE: dict[str, Any] = load_spec().document
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
    (
        "new request format",
        lambda d: schemas(d)["Address"]["properties"]["email"].update(format="email"),
        "format-changed",
        True,
    ),
    # responses
    (
        "new response format",
        lambda d: schemas(d)["OrderResponse"]["properties"]["redirect_url"].update(format="uri"),
        "format-changed",
        False,
    ),
    (
        "removed response format",
        lambda d: schemas(d)["AuthorizedPaymentMethod"]["properties"]["number_of_days"].pop(
            "format"
        ),
        "format-changed",
        True,
    ),
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
        # Generated code that names PENDING stops compiling (TypeScript) or finds no member.
        "removed response enum value",
        lambda d: schemas(d)["FraudStatus"]["enum"].remove("PENDING"),
        "enum-value-removed",
        True,
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
    (
        "new response header",
        lambda d: op(d)["responses"]["200"]["headers"].update(
            {"Kustom-Trace": {"schema": {"type": "string"}}}
        ),
        "header-added",
        False,
    ),
    (
        "removed optional response header",
        lambda d: op(d)["responses"]["200"]["headers"].pop("Idempotent-Replayed"),
        "header-removed",
        False,
    ),
    (
        "changed response header type",
        lambda d: d[S]["headers"]["RateLimitLimit"]["schema"].update(type="integer"),
        "type-changed",
        True,
    ),
    # the API
    ("removed operation", lambda d: d["paths"].clear(), "operation-removed", True),
    (
        # The key alone in Authorization (any value) is no longer accepted there.
        "security changed",
        lambda d: d[S]["securitySchemes"]["merchantAuth"].update(name="X-Api-Key"),
        "security-changed",
        True,
    ),
    (
        # The one apiKey scheme split back into two on the same header (as openapi.yaml had
        # them up to 2.2.0): the apiKey scheme still takes any value, so what an old client
        # sends is still declared acceptable.
        "security remodelled",
        lambda d: (
            d[S]["securitySchemes"].update(usernameAndKey={"type": "http", "scheme": "basic"}),
            d["security"].append({"usernameAndKey": []}),
        ),
        "security-remodelled",
        False,
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


# What changes do to clients generated from the spec, on a small synthetic spec: one case per
# rule, each naming every change the gate must report (so a wire change that should not be
# there fails it too).


def thing_spec() -> dict[str, Any]:
    """One operation, its components in every section a generator names code after."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1.0.0"},
        "security": [{"basic": []}],
        "paths": {
            "/things/{thingId}": {
                "post": {
                    "operationId": "makeThing",
                    "tags": ["Things"],
                    "parameters": [{"$ref": "#/components/parameters/ThingId"}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ThingRequest"},
                                "examples": {"small": {"$ref": "#/components/examples/Small"}},
                            }
                        }
                    },
                    "responses": {
                        "200": {"$ref": "#/components/responses/Made"},
                        "400": {
                            "description": "refused",
                            "x-error-codes": ["BAD_VALUE"],
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Problem"}
                                }
                            },
                        },
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
            "parameters": {
                "ThingId": {
                    "name": "thingId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
            "schemas": {
                "ThingRequest": {
                    "type": "object",
                    "properties": {
                        "colour": {"$ref": "#/components/schemas/Colour"},
                        "flag": {"type": "boolean"},
                    },
                },
                "Thing": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "colour": {"$ref": "#/components/schemas/Colour"},
                        "size": {"type": "string", "enum": ["S", "M"]},
                        "flag": {"type": "boolean", "default": False},
                    },
                },
                "Colour": {"type": "string", "enum": ["red", "green"]},
                "Problem": {"type": "object", "properties": {"error_code": {"type": "string"}}},
            },
            "responses": {
                "Made": {
                    "description": "made",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"},
                            "examples": {"small": {"$ref": "#/components/examples/SmallThing"}},
                        }
                    },
                }
            },
            "examples": {
                "Small": {"value": {"colour": "red"}},
                "SmallThing": {"value": {"id": "t1", "colour": "red"}},
            },
        },
    }


def rename(doc: dict[str, Any], section: str, old: str, new: str) -> None:
    """A component renamed and every reference to it rewritten: the wire stays the same."""
    doc["components"][section][new] = doc["components"][section].pop(old)
    target, replacement = f"#/components/{section}/{old}", f"#/components/{section}/{new}"

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") == target:
                node["$ref"] = replacement
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)


def thing_schemas(d: dict[str, Any]) -> Any:
    return d["components"]["schemas"]


def make_thing(d: dict[str, Any]) -> Any:
    return d["paths"]["/things/{thingId}"]["post"]


def inline_thing(d: dict[str, Any]) -> None:
    d["components"]["responses"]["Made"]["content"]["application/json"]["schema"] = thing_schemas(
        d
    ).pop("Thing")


def error_codes_as_enum(*, open_enum: bool) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        make_thing(d)["responses"]["400"].pop("x-error-codes")
        codes = {"type": "string", "enum": ["BAD_VALUE"]}
        code = {"anyOf": [codes, {"type": "string"}]} if open_enum else codes
        thing_schemas(d)["Problem"]["properties"]["error_code"] = code

    return mutate


def open_size(d: dict[str, Any]) -> None:
    thing_schemas(d)["Thing"]["properties"]["size"] = {
        "anyOf": [{"type": "string", "enum": ["S", "M"]}, {"type": "string"}]
    }


def merged_schemes(d: dict[str, Any]) -> None:
    """Two schemes on Authorization, as openapi.yaml has them."""
    d["components"]["securitySchemes"]["key"] = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
    }
    d["security"] = [{"key": []}, {"basic": []}]


def unchanged_thing(d: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class Rule:
    name: str
    before: Mutation  # applied to thing_spec() for the old spec
    after: Mutation  # applied to a copy of the old spec for the new one
    expected: set[tuple[str, bool]]  # (kind, breaking) of every change reported


def then(*mutations: Mutation) -> Mutation:
    return lambda d: [m(d) for m in mutations]


RULES = [
    # Names generated code is built on; the wire is the same in each.
    Rule(
        "schema renamed",
        unchanged_thing,
        lambda d: rename(d, "schemas", "Thing", "Item"),
        {("component-renamed", True)},
    ),
    Rule(
        "schema renamed and reworded",
        unchanged_thing,
        then(
            lambda d: rename(d, "schemas", "Problem", "ApiError"),
            lambda d: thing_schemas(d)["ApiError"].update(description="Why it failed."),
        ),
        {("component-renamed", True)},
    ),
    Rule(
        "parameter renamed",
        unchanged_thing,
        lambda d: rename(d, "parameters", "ThingId", "ThingIdParameter"),
        {("component-renamed", True)},
    ),
    Rule(
        "response renamed",
        unchanged_thing,
        lambda d: rename(d, "responses", "Made", "Created"),
        {("component-renamed", True)},
    ),
    Rule("schema inlined", unchanged_thing, inline_thing, {("component-removed", True)}),
    Rule(
        "schema added",
        unchanged_thing,
        lambda d: thing_schemas(d).update(Spare={"type": "object"}),
        {("component-added", False)},
    ),
    Rule(
        "operationId changed",
        unchanged_thing,
        lambda d: make_thing(d).update(operationId="createThing"),
        {("operation-renamed", True)},
    ),
    Rule(
        "first tag changed",
        unchanged_thing,
        lambda d: make_thing(d).update(tags=["Items"]),
        {("operation-tag-changed", True)},
    ),
    Rule(
        "named example renamed",
        unchanged_thing,
        lambda d: make_thing(d)["requestBody"]["content"]["application/json"].update(
            examples={"tiny": {"$ref": "#/components/examples/Small"}}
        ),
        {("example-renamed", True)},
    ),
    Rule(
        "named example removed",
        unchanged_thing,
        lambda d: make_thing(d)["requestBody"]["content"]["application/json"].pop("examples"),
        {("example-removed", True)},
    ),
    Rule(
        "example component renamed (only a $ref target)",
        unchanged_thing,
        lambda d: rename(d, "examples", "Small", "SmallRequest"),
        set(),
    ),
    Rule(
        "named example added",
        unchanged_thing,
        lambda d: make_thing(d)["requestBody"]["content"]["application/json"]["examples"].update(
            big={"value": {"colour": "green"}}
        ),
        set(),
    ),
    # Security, by what a client puts on the wire.
    Rule(
        "http basic replaced by an apiKey scheme on the same header",
        unchanged_thing,
        lambda d: d["components"].update(
            securitySchemes={"basic": {"type": "apiKey", "in": "header", "name": "Authorization"}}
        ),
        {("security-remodelled", False)},
    ),
    Rule(
        "two schemes on one header merged into one",
        merged_schemes,
        then(
            lambda d: d["components"]["securitySchemes"].pop("basic"),
            lambda d: d.update(security=[{"key": []}]),
        ),
        {("security-remodelled", False)},
    ),
    Rule(
        "scheme renamed",
        unchanged_thing,
        then(
            lambda d: rename(d, "securitySchemes", "basic", "merchantAuth"),
            lambda d: d.update(security=[{"merchantAuth": []}]),
        ),
        {("security-remodelled", False)},
    ),
    Rule(
        "an apiKey header scheme replaced by http basic (narrower)",
        merged_schemes,
        then(
            lambda d: d["components"]["securitySchemes"].pop("key"),
            lambda d: d.update(security=[{"basic": []}]),
        ),
        {("security-changed", True)},
    ),
    Rule(
        "basic replaced by bearer",
        unchanged_thing,
        lambda d: d["components"]["securitySchemes"]["basic"].update(scheme="bearer"),
        {("security-changed", True)},
    ),
    Rule(
        "an operation that was open now needs credentials",
        lambda d: make_thing(d).update(security=[]),
        lambda d: make_thing(d).pop("security"),
        {("security-changed", True)},
    ),
    Rule(
        "a second scheme required at once",
        merged_schemes,
        lambda d: d.update(security=[{"key": [], "basic": []}]),
        {("security-changed", True)},
    ),
    Rule(
        "an OAuth 2 scope more",
        lambda d: (
            d["components"]["securitySchemes"].update(
                oauth={
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://auth.test/token",
                            "scopes": {"read": "read", "write": "write"},
                        }
                    },
                }
            ),
            d.update(security=[{"oauth": ["read"]}]),
        ),
        lambda d: d.update(security=[{"oauth": ["read", "write"]}]),
        {("security-changed", True)},
    ),
    # Enums: closed, open (anyOf of the enum and a plain string), or none.
    Rule(
        "request enum widened",
        unchanged_thing,
        lambda d: thing_schemas(d)["Colour"]["enum"].append("blue"),
        # Colour is in the request and in the response: the response may now carry blue.
        {("enum-value-added", False), ("enum-value-added", True)},
    ),
    Rule(
        "response enum widened",
        unchanged_thing,
        lambda d: thing_schemas(d)["Thing"]["properties"]["size"]["enum"].append("L"),
        {("enum-value-added", True)},
    ),
    Rule(
        "response enum narrowed",
        unchanged_thing,
        lambda d: thing_schemas(d)["Thing"]["properties"]["size"]["enum"].remove("M"),
        {("enum-value-removed", True)},
    ),
    Rule(
        "request enum narrowed",
        unchanged_thing,
        lambda d: thing_schemas(d)["ThingRequest"]["properties"].update(
            colour={"type": "string", "enum": ["red"]}
        ),
        {("enum-value-removed", True)},
    ),
    Rule(
        "response enum opened",
        unchanged_thing,
        open_size,
        {("enum-opened", True)},
    ),
    Rule(
        "value added to an open response enum",
        open_size,
        lambda d: thing_schemas(d)["Thing"]["properties"]["size"]["anyOf"][0]["enum"].append("L"),
        {("enum-value-added", False)},
    ),
    Rule(
        "value dropped from an open response enum",
        open_size,
        lambda d: thing_schemas(d)["Thing"]["properties"]["size"]["anyOf"][0]["enum"].remove("M"),
        {("enum-value-removed", True)},
    ),
    Rule(
        "open response enum closed",
        open_size,
        lambda d: thing_schemas(d)["Thing"]["properties"].update(
            size={"type": "string", "enum": ["S", "M"]}
        ),
        {("enum-closed", True)},
    ),
    Rule(
        "x-error-codes gains a code",
        unchanged_thing,
        lambda d: make_thing(d)["responses"]["400"]["x-error-codes"].append("BAD_REQUEST"),
        {("error-codes-changed", False)},
    ),
    Rule(
        "x-error-codes become an open enum of error_code",
        unchanged_thing,
        error_codes_as_enum(open_enum=True),
        {("error-codes-changed", False), ("open-enum-added", False)},
    ),
    Rule(
        "x-error-codes become a closed enum of error_code",
        unchanged_thing,
        error_codes_as_enum(open_enum=False),
        {("error-codes-changed", False), ("enum-added", True)},
    ),
    Rule(
        "a code added to the open error_code enum",
        error_codes_as_enum(open_enum=True),
        lambda d: thing_schemas(d)["Problem"]["properties"]["error_code"]["anyOf"][0][
            "enum"
        ].append("BAD_REQUEST"),
        {("enum-value-added", False)},
    ),
    # A response's body: documented where there was none, or no longer.
    Rule(
        "a body documented for a response that had none",
        lambda d: make_thing(d)["responses"]["400"].pop("content"),
        lambda d: make_thing(d)["responses"]["400"].update(
            content={"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        ),
        {("response-body-added", False)},
    ),
    Rule(
        "a response's body no longer documented",
        unchanged_thing,
        lambda d: make_thing(d)["responses"]["400"].pop("content"),
        {("response-body-removed", True)},
    ),
    # Defaults: openapi-typescript types a field with a default as required.
    Rule(
        "request default added",
        unchanged_thing,
        lambda d: thing_schemas(d)["ThingRequest"]["properties"]["flag"].update(default=False),
        {("default-added", True)},
    ),
    Rule(
        "request default removed",
        lambda d: thing_schemas(d)["ThingRequest"]["properties"]["flag"].update(default=False),
        lambda d: thing_schemas(d)["ThingRequest"]["properties"]["flag"].pop("default"),
        {("default-removed", False)},
    ),
    Rule(
        "request default changed",
        lambda d: thing_schemas(d)["ThingRequest"]["properties"]["flag"].update(default=False),
        lambda d: thing_schemas(d)["ThingRequest"]["properties"]["flag"].update(default=True),
        {("default-changed", True)},
    ),
    Rule(
        "response default removed",
        unchanged_thing,
        lambda d: thing_schemas(d)["Thing"]["properties"]["flag"].pop("default"),
        {("default-removed", True)},
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_what_a_change_does_to_generated_clients(rule: Rule) -> None:
    old = thing_spec()
    rule.before(old)
    parse_spec(yaml.safe_dump(old), "old")  # both sides are valid specs
    new = copy.deepcopy(old)
    rule.after(new)
    parse_spec(yaml.safe_dump(new), "new")
    changes = compare(old, new)
    assert {(c.kind, c.breaking) for c in changes} == rule.expected, [c.line() for c in changes]


def test_a_rename_says_what_it_was_renamed_to_and_why() -> None:
    new = thing_spec()
    rename(new, "schemas", "Thing", "Item")
    (change,) = compare(thing_spec(), new)
    assert change.line().startswith("components/schemas/Thing: renamed to Item, same content")
    assert "openapi-python-client" in change.detail


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
        ("1.4.2", "1.4.3", False, False),  # an addition needs a minor bump
        ("1.4.2", "2.0.0", False, True),
    ],
)
def test_gate(old: str, new: str, breaking: bool, ok: bool) -> None:
    changes = [Change("k", "w", breaking, "d")]
    assert (gate(old, new, changes) == []) is ok


def test_a_fix_may_be_a_patch_but_not_a_step_back() -> None:
    assert gate("1.4.2", "1.4.3", []) == []
    assert gate("1.4.2", "1.4.2", []) == []
    assert gate("1.4.2", "1.4.1", []) != []


def test_versions_must_be_semantic() -> None:
    assert parse_version("1.2.3-rc.1") == (1, 2, 3)
    with pytest.raises(ValueError, match="semantic"):
        parse_version("1.2")


# The gate on whole releases: a baseline found as the repository records it (a tag, or the
# commit that added the changelog's newest entry), the candidate spec, the verdict.


@dataclass(frozen=True)
class Release:
    """What a temporary repository records as released before the candidate is written."""

    version: str
    tagged: bool  # spec-vX.Y.Z on the release commit; else only the CHANGELOG.md entry
    changelog: bool = True


@dataclass(frozen=True)
class GateCase:
    name: str
    released: Release | None
    candidate: Mutation  # applied to a copy of the repository's spec
    version: str
    outcome: str  # "pass", "refused", "invalid" or "no-baseline"
    says: str  # part of the notes, the refusal or the error


def add_optional_field(d: dict[str, Any]) -> None:
    schemas(d)["OrderRequest"]["properties"]["locale"] = {"type": "string"}


def remove_field_add_required(d: dict[str, Any]) -> None:
    schemas(d)["OrderRequest"]["properties"].pop("auto_capture")
    add_optional_field(d)
    schemas(d)["OrderRequest"]["required"].append("locale")


def misspell_a_type(d: dict[str, Any]) -> None:
    schemas(d)["OrderLine"]["properties"]["name"]["type"] = "intger"


def unchanged(d: dict[str, Any]) -> None:
    pass


GATE_CASES = [
    GateCase("first release", None, unchanged, "1.0.0", "pass", "First release"),
    GateCase(
        "no tag, CHANGELOG release: breaking change without a major bump (as shipped)",
        Release("1.0.0", tagged=False),
        remove_field_add_required,
        "1.1.0",
        "refused",
        "need a major version",
    ),
    GateCase(
        "no tag, CHANGELOG release: breaking change with a major bump",
        Release("1.0.0", tagged=False),
        remove_field_add_required,
        "2.0.0",
        "pass",
        "Compared with 1.0.0 (commit",
    ),
    GateCase(
        "no tag, CHANGELOG release: addition with a minor bump",
        Release("1.0.0", tagged=False),
        add_optional_field,
        "1.1.0",
        "pass",
        "request.locale: added",
    ),
    GateCase(
        "tag: addition with a patch bump",
        Release("1.0.0", tagged=True),
        add_optional_field,
        "1.0.1",
        "refused",
        "need at least a minor version",
    ),
    GateCase(
        "tag: description-only change with a patch bump",
        Release("1.0.0", tagged=True),
        lambda d: d["info"].update(description="Reworded."),
        "1.0.1",
        "pass",
        "No change to the contract's requests or responses",
    ),
    GateCase(
        "tag: version went down",
        Release("1.2.0", tagged=True),
        unchanged,
        "1.1.0",
        "refused",
        "went down",
    ),
    GateCase(
        "invalid candidate: a misspelt type is invalid, not breaking",
        Release("1.0.0", tagged=True),
        misspell_a_type,
        "2.0.0",
        "invalid",
        "properties/name/type: 'intger' is not one of",
    ),
    GateCase(
        "CHANGELOG lists a release that no commit adds",
        Release("1.0.0", tagged=False, changelog=False),
        unchanged,
        "1.0.0",
        "no-baseline",
        "git tag spec-v1.0.0",
    ),
]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)  # noqa: S603, S607


def _write_spec(repo: Path, mutate: Mutation, version: str) -> None:
    document = copy.deepcopy(BASE)
    mutate(document)
    document["info"]["version"] = version
    (repo / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def make_repository(root: Path, released: Release | None) -> Path:
    """A git repository whose history records ``released`` as this project does."""
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "gate@test.invalid")
    _git(repo, "config", "user.name", "gate test")
    changelog = "# Changelog\n\n"
    if released is not None:
        _write_spec(repo, unchanged, released.version)
        if released.changelog:
            changelog += f"## {released.version} (2026-11-27)\n\nFirst release.\n"
        (repo / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", f"release {released.version}")
        if released.tagged:
            _git(repo, "tag", f"spec-v{released.version}")
        if not released.changelog:
            # The entry appears later, in a commit where the spec is not that version: nothing
            # in git says which spec was released.
            _write_spec(repo, add_optional_field, "0.9.0")
            changelog += f"## {released.version} (2026-11-27)\n\nFirst release.\n"
            (repo / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
            _git(repo, "commit", "-q", "-am", "changelog only")
    return repo


def verdict(repo: Path, case: GateCase) -> tuple[str, str]:
    _write_spec(repo, case.candidate, case.version)
    try:
        document = parse_spec((repo / "openapi.yaml").read_text(encoding="utf-8"), "openapi.yaml")
        result = gate_release(document, repo, None)
    except InvalidSpec as exc:
        return "invalid", str(exc)
    except BaselineError as exc:
        return "no-baseline", str(exc)
    if result.problems:
        return "refused", " ".join(result.problems)
    return "pass", result.notes


@pytest.mark.parametrize("case", GATE_CASES, ids=[c.name for c in GATE_CASES])
def test_the_gate_on_releases(case: GateCase, tmp_path: Path) -> None:
    repo = make_repository(tmp_path, case.released)
    outcome, text = verdict(repo, case)
    assert (outcome, case.says in text) == (case.outcome, True), text


@pytest.mark.parametrize(
    ("against", "says"),
    [
        ("README.md", "README.md is not an OpenAPI document"),
        ("pyproject.toml", "pyproject.toml is not an OpenAPI document"),
        ("no-such-ref", "neither a file nor a git ref"),
    ],
)
def test_a_baseline_that_is_not_a_spec_is_one_line(
    against: str, says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(publish, "check_drift", lambda: None)  # not what this test is about
    assert publish.main(["--gate-only", "--against", against]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert says in err
    assert "Traceback" not in err


def test_an_invalid_baseline_is_reported_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    released = tmp_path / "released.yaml"
    document = copy.deepcopy(BASE)
    misspell_a_type(document)
    released.write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setattr(publish, "check_drift", lambda: None)
    assert publish.main(["--gate-only", "--against", str(released)]) == 2
    err = capsys.readouterr().err
    assert "is not a valid OpenAPI document" in err
    assert "'intger' is not one of" in err
