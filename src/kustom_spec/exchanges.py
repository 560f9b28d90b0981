"""The spec's named examples as the exchanges they describe: a request example and the response
example of the same name, with the path parameters' examples of that name (the convention of
Specmatic and Microcks, which pair them so; a request example no response example answers is
one they skip). The mock's test data makes each exchange true (tests/mock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kustom_spec.document import Operation, Spec


class ExampleError(ValueError):
    """A named example without its counterpart: says which operation, name and part."""


@dataclass(frozen=True)
class ExampleExchange:
    """One named exchange: what is sent, and the status and body it is answered with."""

    operation_id: str
    name: str
    path_parameters: Mapping[str, str]
    body: Any = field(repr=False)  # None: the operation takes no body
    status: int
    response: Any = field(repr=False)  # None: the answer has no body (the 202 of a cancel)


def _named(spec: Spec, node: Any) -> dict[str, Any]:
    """The named examples of a parameter or of a JSON body, by value."""
    node = spec.resolve(node)
    media = node.get("content", {}).get("application/json", node)
    return {name: spec.resolve(e)["value"] for name, e in media.get("examples", {}).items()}


def _answers(operation: Operation) -> dict[str, tuple[int, Any]]:
    found: dict[str, tuple[int, Any]] = {}
    for status in operation.statuses:
        for name, value in _named(operation.spec, operation.response(status)).items():
            if name in found:
                raise ExampleError(f"{operation.operation_id}: example {name} answers twice")
            found[name] = (status, value)
    return found


def _bodiless_success(operation: Operation, name: str) -> int:
    """The status of a request example whose answer has no body: the one 2xx without content."""
    empty = [s for s in operation.statuses if s < 300 and not operation.response(s).get("content")]
    if len(empty) != 1:
        raise ExampleError(f"{operation.operation_id}: request example {name} has no answer")
    return empty[0]


def operation_exchanges(operation: Operation) -> list[ExampleExchange]:
    spec = operation.spec
    answers = _answers(operation)
    bodies = _named(spec, operation.request_body) if operation.request_body else {}
    path_examples = {p["name"]: _named(spec, p) for p in operation.parameters if p["in"] == "path"}
    exchanges = []
    for name in sorted(answers.keys() | bodies.keys()):
        missing = [p for p, examples in path_examples.items() if name not in examples]
        if missing:
            raise ExampleError(f"{operation.operation_id}: example {name} has no {missing} value")
        if operation.request_body is not None and name not in bodies:
            raise ExampleError(f"{operation.operation_id}: example {name} has no request body")
        status, response = answers.get(name) or (_bodiless_success(operation, name), None)
        exchanges.append(
            ExampleExchange(
                operation.operation_id,
                name,
                {p: str(examples[name]) for p, examples in path_examples.items()},
                bodies.get(name),
                status,
                response,
            )
        )
    return exchanges


def example_exchanges(spec: Spec) -> list[ExampleExchange]:
    """Every named exchange of every operation; an ExampleError for an example left unpaired."""
    return [e for op in spec.operations.values() for e in operation_exchanges(op)]
