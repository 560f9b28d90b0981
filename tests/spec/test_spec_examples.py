"""Every example in openapi.yaml validates against its schema; order examples keep the rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kustom_rules import check_order
from kustom_spec import ExampleError, Spec, example_exchanges, load_spec

SPEC = load_spec()
EXAMPLES = list(SPEC.examples())
# The order examples tools pair with a 200 of the same name (issue 25).
ORDER_NAMES = ("full_order", "minimal_order", "discount_line", "gift_card")


def test_there_are_examples_everywhere_they_are_expected() -> None:
    places = {e.where.split(".")[1] for e in EXAMPLES if not e.where.startswith("components.")}
    assert {"requestBody", "responses", "parameters"} <= places
    assert any(e.where.startswith("components.") for e in EXAMPLES)
    for operation in SPEC.operations.values():
        prefix = f"{operation.operation_id}.responses."
        statuses = {e.where.split(".")[2] for e in EXAMPLES if e.where.startswith(prefix)}
        with_body = {s for s in operation.statuses if operation.response_schema(s) is not None}
        assert statuses >= {str(s) for s in with_body}, f"{operation.operation_id}: no example"
        if operation.request_body is not None:
            assert any(
                e.where.startswith(f"{operation.operation_id}.requestBody") for e in EXAMPLES
            )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.where for e in EXAMPLES])
def test_example_validates(example: Any) -> None:
    errors = [e.message for e in SPEC.validator(example.schema).iter_errors(example.value)]
    assert not errors


ORDER_EXAMPLES = [e for e in EXAMPLES if e.where.startswith("createOrder.requestBody.")]
# Request examples named as a 400 example of the order: a request refused for a rule it breaks.
REFUSED_NAMES = {
    e.where.rsplit(".", 1)[1] for e in EXAMPLES if e.where.startswith("createOrder.responses.400.")
}
REFUSED_ORDERS = [e for e in ORDER_EXAMPLES if e.where.rsplit(".", 1)[1] in REFUSED_NAMES]
KEPT_ORDERS = [e for e in ORDER_EXAMPLES if e not in REFUSED_ORDERS]
assert REFUSED_ORDERS, "no refused order example: the split above finds nothing"


@pytest.mark.parametrize("example", KEPT_ORDERS, ids=[e.where for e in KEPT_ORDERS])
def test_order_example_keeps_the_rules(example: Any) -> None:
    assert check_order(example.value) == []


@pytest.mark.parametrize("example", REFUSED_ORDERS, ids=[e.where for e in REFUSED_ORDERS])
def test_refused_order_example_breaks_the_rule_its_answer_names(example: Any) -> None:
    name = example.where.rsplit(".", 1)[1]
    where = f"createOrder.responses.400.application/json.examples.{name}"
    answer = next(e for e in EXAMPLES if e.where == where)
    assert [f"Bad value: {v.field}" for v in check_order(example.value)] == answer.value[
        "error_messages"
    ]


def test_an_invalid_example_would_be_caught() -> None:
    order = copy.deepcopy(ORDER_EXAMPLES[0].value)
    order["order_lines"][0]["quantity"] = -1
    order["purchase_currency"] = "EURO"
    errors = list(SPEC.validator(SPEC.operation("createOrder").request_schema).iter_errors(order))
    assert {tuple(e.instance_path) for e in errors} == {
        ("order_lines", 0, "quantity"),
        ("purchase_currency",),
    }


def schema_paths(schema: Any, where: str = "") -> set[str]:
    """Every property path a schema declares (array items as [])."""
    schema = SPEC.resolve(schema)
    if schema.get("type") == "array":
        return schema_paths(schema["items"], where + "[]")
    paths: set[str] = set()
    for name, prop in schema.get("properties", {}).items():
        paths |= {f"{where}.{name}"} | schema_paths(prop, f"{where}.{name}")
    return paths


def value_paths(value: Any, where: str = "") -> set[str]:
    """Every key path present in a JSON value (array items as [])."""
    if isinstance(value, list):
        return set().union(*(value_paths(item, where + "[]") for item in value))
    if isinstance(value, dict):
        return set().union(
            *({f"{where}.{k}"} | value_paths(v, f"{where}.{k}") for k, v in value.items())
        )
    return set()


def test_full_example_uses_every_request_field() -> None:
    full = SPEC.resolve(SPEC.document["components"]["examples"]["FullOrder"])["value"]
    declared = schema_paths(SPEC.operation("createOrder").request_schema)
    assert len(declared) > 50
    assert declared - value_paths(full) == set()


EXCHANGES = example_exchanges(SPEC)


def test_every_named_example_belongs_to_one_exchange() -> None:
    """Request and response examples pair by name, and the token parameter has a value for each
    (Specmatic and Microcks skip an example without its counterpart); example_exchanges raises
    for one left unpaired. Every token example names an exchange of some operation."""
    names = {(e.operation_id, e.name) for e in EXCHANGES}
    assert {("createOrder", n) for n in ORDER_NAMES} <= names
    for operation in SPEC.operations.values():
        [token] = [p for p in operation.parameters if p["in"] == "path"]
        own = {e.name for e in EXCHANGES if e.operation_id == operation.operation_id}
        # Only its own: Specmatic reads each name of a parameter as an example of its operation.
        assert set(token["examples"]) == own, operation.operation_id


def test_an_unpaired_example_is_reported() -> None:
    document = copy.deepcopy(SPEC.document)
    body = document["paths"][SPEC.operation("createOrder").path]["post"]["requestBody"]
    body["content"]["application/json"]["examples"]["lonely"] = {"value": {}}
    with pytest.raises(ExampleError, match=r"createOrder: example lonely has no .*customerToken"):
        example_exchanges(Spec(document, SPEC.path))
