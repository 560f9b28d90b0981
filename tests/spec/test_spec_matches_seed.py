"""Hold openapi.yaml against the vendor's reference page: every field, type, flag, enum, limit."""

from __future__ import annotations

from typing import Any

import pytest

from kustom_spec import Spec, load_spec
from tests.spec.seed_page import SeedField, find_seed_page, parse

SEED = find_seed_page()
pytestmark = pytest.mark.skipif(
    SEED is None, reason="the vendor's page is not in ../shared/seed/ beside this project"
)

SECTION_SCHEMAS = {"Request fields": None, "Response 200 fields": 200, "Response 400 fields": 400}
OPENAPI_TYPES = {"string", "integer", "boolean", "object", "array", "number"}


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


@pytest.fixture(scope="module")
def seed() -> tuple[list[str], list[SeedField]]:
    assert SEED is not None
    return parse(SEED.read_text(encoding="utf-8"))


def _root(spec: Spec, section: str) -> dict[str, Any]:
    status = SECTION_SCHEMAS[section]
    schema = (
        spec.operation("createOrder").request_schema
        if status is None
        else spec.operation("createOrder").response_schema(status)
    )
    return dict(spec.resolve(schema))


def locate(spec: Spec, root: dict[str, Any], dotted: str) -> tuple[dict[str, Any], bool]:
    """The schema of a dotted seed name, and whether its parent object requires it."""
    node = root
    required = False
    for part in dotted.split("."):
        node = spec.resolve(node)
        if node.get("type") == "array":
            node = spec.resolve(node["items"])
        required = part in node.get("required", [])
        node = node["properties"][part]
    return dict(spec.resolve(node)), required


def type_of(spec: Spec, schema: dict[str, Any]) -> Any:
    """``type``, or the one type every ``anyOf`` branch shares (an open enum: ``error_code``)."""
    if "type" in schema or "anyOf" not in schema:
        return schema.get("type")
    types = {spec.resolve(branch).get("type") for branch in schema["anyOf"]}
    return types.pop() if len(types) == 1 else None


def test_page_was_parsed(seed: tuple[list[str], list[SeedField]]) -> None:
    sections, fields = seed
    assert "Request fields" in sections
    assert len([f for f in fields if f.section == "Request fields"]) >= 50
    assert any(f.enum for f in fields)


def test_every_documented_response_exists(
    spec: Spec, seed: tuple[list[str], list[SeedField]]
) -> None:
    statuses = [int(s.split()[1]) for s in seed[0] if s.startswith("Response ")]
    assert statuses, "no response sections found on the page"
    for status in statuses:
        assert status in spec.operation("createOrder").statuses, (
            f"response {status} is on the page but not in the spec"
        )


def test_parameters(spec: Spec, seed: tuple[list[str], list[SeedField]]) -> None:
    where = {"Path parameters": "path", "Header parameters": "header"}
    params = [f for f in seed[1] if f.section in where]
    assert len(params) == 2
    for field in params:
        param = spec.operation("createOrder").parameter(where[field.section], field.name)
        assert param["schema"]["type"] == field.type, field.name
        assert bool(param.get("required")) == field.required, field.name


def _body_fields(seed: tuple[list[str], list[SeedField]]) -> list[SeedField]:
    return [f for f in seed[1] if f.section in SECTION_SCHEMAS]


def test_every_body_field(spec: Spec, seed: tuple[list[str], list[SeedField]]) -> None:
    fields = _body_fields(seed)
    assert len(fields) >= 60
    problems: list[str] = []
    for field in fields:
        label = f"{field.section}: {field.name}"
        try:
            schema, required = locate(spec, _root(spec, field.section), field.name)
        except KeyError:
            problems.append(f"{label} is missing from the spec")
            continue
        assert field.type in OPENAPI_TYPES, label
        if type_of(spec, schema) != field.type:
            problems.append(f"{label}: type {type_of(spec, schema)} != {field.type}")
        if required != field.required:
            problems.append(f"{label}: required {required} != {field.required}")
        if field.enum is not None and schema.get("enum") != field.enum:
            problems.append(f"{label}: enum {schema.get('enum')} != {field.enum}")
        departures = schema.get("x-departs-from-reference", {})
        for keyword, value in field.limits.items():
            if schema.get(keyword) != value and keyword not in departures:
                problems.append(f"{label}: {keyword} {schema.get(keyword)} != {value}")
        for keyword, why in departures.items():
            # A departure is stated with its source, and is one: the page says otherwise.
            if keyword not in field.limits or schema.get(keyword) == field.limits[keyword]:
                problems.append(f"{label}: departs on {keyword}, but agrees with the page")
            if "[K" not in why and "[A" not in why:
                problems.append(f"{label}: the departure on {keyword} cites no source")
        if field.example is not None and schema.get("example") != field.example:
            problems.append(f"{label}: example {schema.get('example')!r} != {field.example!r}")
    assert not problems, "\n".join(problems)


def test_limits_were_found_on_the_page(seed: tuple[list[str], list[SeedField]]) -> None:
    """Guards the parser: the page states these limits, so parsing must find them."""
    limits = {f.name: f.limits for f in _body_fields(seed) if f.section == "Request fields"}
    assert limits["order_lines"] == {"maxItems": 1000}
    assert limits["order_lines.quantity_unit"] == {"minLength": 1, "maxLength": 8}
    assert limits["order_lines.unit_price"] == {"maximum": 100000000, "minimum": 0}
    assert limits["merchant_data"] == {"maxLength": 6000}
    assert limits["order_lines.reference"] == {"maxLength": 256}


def test_a_missing_limit_is_caught(spec: Spec, seed: tuple[list[str], list[SeedField]]) -> None:
    """The comparison bites: drop one limit from a copy of the schema and it must differ."""
    root = _root(spec, "Request fields")
    schema, _ = locate(spec, root, "merchant_reference1")
    weakened = {k: v for k, v in schema.items() if k != "maxLength"}
    field = next(f for f in _body_fields(seed) if f.name == "merchant_reference1")
    assert any(weakened.get(k) != v for k, v in field.limits.items())
