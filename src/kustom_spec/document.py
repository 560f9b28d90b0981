"""Read openapi.yaml and answer questions about its operations.

OpenAPI 3.0 schemas are JSON Schema draft 4 with extra keywords (``example``, ...) that a
draft 4 validator ignores, so each schema is compiled as it stands: wrapped with the
document's ``components`` so that its local ``$ref`` resolve.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import yaml

from kustom_spec.location import DEFAULT_SPEC_PATH

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

JSON = dict[str, Any]


@dataclass(frozen=True)
class Example:
    """One example in the spec: where it stands, the schema it must fit, and its value."""

    where: str
    schema: JSON
    value: Any


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: its route, parameters, body and responses, refs resolved."""

    spec: Spec = field(repr=False)
    path: str
    method: str
    operation_id: str
    node: JSON = field(repr=False)
    path_item: JSON = field(repr=False)

    @property
    def parameters(self) -> list[JSON]:
        """Path-item parameters, overridden by the operation's own (OpenAPI's rule)."""
        merged: dict[tuple[str, str], JSON] = {}
        for param in [*self.path_item.get("parameters", []), *self.node.get("parameters", [])]:
            param = self.spec.resolve(param)
            merged[(param["in"], param["name"].lower())] = param
        return list(merged.values())

    def parameter(self, location: str, name: str) -> JSON:
        for param in self.parameters:
            if param["in"] == location and param["name"].lower() == name.lower():
                return param
        raise KeyError(f"{self.operation_id}: {location} parameter {name}")

    def has_parameter(self, location: str, name: str) -> bool:
        return any(
            p["in"] == location and p["name"].lower() == name.lower() for p in self.parameters
        )

    @property
    def request_body(self) -> JSON | None:
        body = self.node.get("requestBody")
        return None if body is None else cast(JSON, self.spec.resolve(body))

    @property
    def request_schema(self) -> JSON:
        body = self.request_body
        if body is None:
            raise KeyError(f"{self.operation_id} has no request body")
        return cast(JSON, body["content"]["application/json"]["schema"])

    @property
    def statuses(self) -> list[int]:
        return sorted(int(code) for code in self.node["responses"])

    def response(self, status: int) -> JSON:
        return cast(JSON, self.spec.resolve(self.node["responses"][str(status)]))

    def response_schema(self, status: int) -> JSON | None:
        content = self.response(status).get("content", {})
        media = content.get("application/json")
        return None if media is None else cast(JSON, media["schema"])

    def error_codes(self, status: int) -> list[str]:
        """The ``error_code`` values the response for ``status`` may carry (x-error-codes)."""
        return list(self.response(status).get("x-error-codes", []))


@dataclass
class Spec:
    """The parsed document plus the lookups the mock and the tests need."""

    document: JSON
    path: Path
    _validators: dict[str, jsonschema_rs.Validator] = field(default_factory=dict, repr=False)

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref`` until a node that is not a reference."""
        while isinstance(node, Mapping) and "$ref" in node:
            target: Any = self.document
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    @cached_property
    def operations(self) -> dict[str, Operation]:
        """Every operation by operationId, in the document's order."""
        found: dict[str, Operation] = {}
        for path, item in self.document["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    node = item[method]
                    found[node["operationId"]] = Operation(
                        self, path, method, node["operationId"], node, item
                    )
        return found

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def component(self, name: str) -> JSON:
        return cast(JSON, self.document["components"]["schemas"][name])

    def as_json_schema(self, schema: Mapping[str, Any]) -> JSON:
        return {**schema, "components": self.document.get("components", {})}

    def validator(self, schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
        """A compiled draft 4 validator for ``schema`` (a node of this document), cached."""
        key = repr(sorted(schema.items()))
        if key not in self._validators:
            self._validators[key] = jsonschema_rs.Draft4Validator(self.as_json_schema(schema))
        return self._validators[key]

    def examples(self) -> Iterator[Example]:
        """Every example of a request, a response, a parameter, a header or a schema property."""
        for op in self.operations.values():
            prefix = op.operation_id
            if op.request_body is not None:
                yield from self._media_examples(f"{prefix}.requestBody", op.request_body)
            for status, response in op.node["responses"].items():
                yield from self._media_examples(f"{prefix}.responses.{status}", response)
                for name, header in self.resolve(response).get("headers", {}).items():
                    header = self.resolve(header)
                    if "example" in header:
                        yield Example(
                            f"{prefix}.responses.{status}.headers.{name}",
                            header["schema"],
                            header["example"],
                        )
            for param in op.parameters:
                where = f"{prefix}.parameters.{param['name']}"
                if "example" in param:
                    yield Example(where, param["schema"], param["example"])
                for name, example in param.get("examples", {}).items():
                    value = self.resolve(example)["value"]
                    yield Example(f"{where}.examples.{name}", param["schema"], value)
        for name, schema in self.document["components"]["schemas"].items():
            yield from _schema_examples(f"components.schemas.{name}", schema)

    def _media_examples(self, where: str, node: Any) -> Iterator[Example]:
        for media_type, media in self.resolve(node).get("content", {}).items():
            schema = media["schema"]
            if "example" in media:
                yield Example(f"{where}.{media_type}.example", schema, media["example"])
            for name, example in media.get("examples", {}).items():
                value = self.resolve(example)["value"]
                yield Example(f"{where}.{media_type}.examples.{name}", schema, value)


def _schema_examples(where: str, schema: Mapping[str, Any]) -> Iterator[Example]:
    if "$ref" in schema:
        return
    if "example" in schema:
        yield Example(where, dict(schema), schema["example"])
    for name, prop in schema.get("properties", {}).items():
        yield from _schema_examples(f"{where}.{name}", prop)
    if isinstance(schema.get("items"), Mapping):
        yield from _schema_examples(f"{where}[]", schema["items"])


@cache
def _load(path: Path) -> JSON:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        return cast(JSON, yaml.load(handle, Loader=loader))  # noqa: S506 (a safe loader)


def load_spec(path: Path | str = DEFAULT_SPEC_PATH) -> Spec:
    """Parse the spec at ``path`` (cached per path; the returned Spec holds its validators)."""
    resolved = Path(path).resolve()
    return Spec(document=_load(resolved), path=resolved)
