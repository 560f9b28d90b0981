"""openapi.yaml generates well in other teams' tools (issue 25): no default that a generator
turns into a required request property, component names that shadow nothing common in
TypeScript, Java or Go, and one security scheme for Kustom's two forms of one header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kustom_spec import SECURITY_SCHEME, load_spec

SPEC = load_spec()
COMPONENTS = SPEC.document["components"]

# Names a generated type would shadow or clash with: JavaScript's and TypeScript's globals, Java's
# java.lang and Spring's common types, Go's predeclared identifiers (as exported type names).
TAKEN = frozenset(
    {
        "Array", "Boolean", "Date", "Error", "Function", "Map", "Number", "Object", "Promise",
        "Record", "Request", "Response", "Set", "String", "Symbol", "Headers", "URL",
        "Class", "Exception", "Integer", "Long", "Override", "System", "Thread", "Void",
        "ErrorResponse", "Any", "Bool", "Byte", "Rune", "Int", "Uint",
    }
)  # fmt: skip


def keyword_paths(node: Any, keyword: str, where: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == keyword:
                yield where
            if key not in ("example", "examples"):
                yield from keyword_paths(value, keyword, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from keyword_paths(item, keyword, f"{where}/{index}")


def test_no_schema_has_a_default() -> None:
    """openapi-typescript types a property with a ``default`` as required in the request type;
    what the server assumes for an absent field is said in its description instead."""
    assert list(keyword_paths(COMPONENTS["schemas"], "default")) == []
    assert list(keyword_paths(SPEC.document["paths"], "default")) == []


def test_no_component_name_shadows_a_common_type_or_another_component() -> None:
    seen: dict[str, str] = {}
    for section in ("schemas", "parameters", "responses", "headers", "requestBodies"):
        for name in COMPONENTS.get(section, {}):
            assert name not in TAKEN, f"components/{section}/{name} shadows a common type"
            assert name not in seen, f"components/{section}/{name} is also {seen[name]}"
            seen[name] = f"components/{section}/{name}"


def test_one_security_scheme_carries_both_forms_of_the_header() -> None:
    """An http basic scheme beside it would make generators base64-encode the key alone."""
    assert SPEC.document["security"] == [{SECURITY_SCHEME: []}]
    scheme = COMPONENTS["securitySchemes"][SECURITY_SCHEME]
    assert list(COMPONENTS["securitySchemes"]) == [SECURITY_SCHEME]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_error_code_is_an_open_enum_of_every_listed_code() -> None:
    """Generators type the known codes (``KnownErrorCode | str``) and still parse a new one, so a
    code added later breaks no client; the enum names exactly the codes the responses list in
    ``x-error-codes``, the per-response source the mock and the contract run read."""
    listed = {
        code
        for response in COMPONENTS["responses"].values()
        for code in response.get("x-error-codes", [])
    }
    error_code = COMPONENTS["schemas"]["ErrorDetails"]["properties"]["error_code"]
    assert error_code["anyOf"] == [
        {"$ref": "#/components/schemas/KnownErrorCode"},
        {"type": "string"},
    ]
    known = COMPONENTS["schemas"]["KnownErrorCode"]["enum"]
    assert len(known) == len(set(known))
    assert set(known) == listed
