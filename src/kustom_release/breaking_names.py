"""Names the breaking-change gate holds besides the wire: what generated clients and
example-driven tools are built on.

A client generated from the spec names its classes, types, functions and modules after the
spec's components, operationIds and tags. Renaming one leaves the wire as it was and still
breaks every program that imports the old name, so a rename (or removal) of such a name is
breaking. Checked with openapi-python-client 0.29, openapi-typescript 7.13 and
@hey-api/openapi-ts 0.99 (docs/publishing.md): which generator names what is said per section
below. Named examples are the keys tools select them by (Prism's ``Prefer: example=<key>``;
Specmatic and Microcks pair a request example with the response example of the same key);
``components/examples`` names are only ``$ref`` targets inside the document, which no tool sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kustom_release.change import Change, without_docs

# Component sections whose names become code, and where (why a rename breaks clients).
NAMED_SECTIONS = {
    "schemas": "generated clients name a model or type after it (openapi-python-client, "
    "openapi-typescript, @hey-api/openapi-ts)",
    "parameters": 'generated clients name a type after it (@hey-api/openapi-ts, openapi-typescript\'s components["parameters"])',
    "requestBodies": 'generated clients name a type after it (@hey-api/openapi-ts, openapi-typescript\'s components["requestBodies"])',
    "responses": 'openapi-typescript names a type after it (components["responses"])',
    "headers": 'openapi-typescript names a type after it (components["headers"])',
}
OPERATION_ID = (
    "generated clients name the operation's function and types after it "
    "(openapi-python-client's module, @hey-api/openapi-ts's function and <Id>Data type, "
    'openapi-typescript\'s operations["<id>"])'
)
FIRST_TAG = (
    "openapi-python-client puts the operation's module in a package named after its first tag"
)
EXAMPLE_KEY = (
    "example-driven mocks and tests select examples by name (Prism's Prefer: example=<name>; "
    "Specmatic and Microcks pair request and response examples of the same name)"
)


def _renames(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, str], list[str], list[str]]:
    """Old name -> new name for content found under another name, then the names removed and
    added without such a match."""
    removed = sorted(before.keys() - after.keys())
    added = sorted(after.keys() - before.keys())
    renamed: dict[str, str] = {}
    for old_name in removed:
        match = next((n for n in added if after[n] == before[old_name]), None)
        if match is not None:
            renamed[old_name] = match
            added.remove(match)
    return renamed, [n for n in removed if n not in renamed], added


def _name_changes(
    kind: str,
    place: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    why: str,
    *,
    added_too: bool = False,
) -> Iterator[Change]:
    """``{kind}-renamed`` and ``{kind}-removed`` (breaking: ``why``) for the names under
    ``place``; with ``added_too``, ``{kind}-added`` as well."""
    renamed, removed, added = _renames(before, after)
    for name, new_name in renamed.items():
        yield Change(
            f"{kind}-renamed", f"{place}{name}", True, f"renamed to {new_name}, same content: {why}"
        )
    for name in removed:
        yield Change(f"{kind}-removed", f"{place}{name}", True, f"removed: {why}")
    for name in added if added_too else ():
        yield Change(f"{kind}-added", f"{place}{name}", False, "added")


def component_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    """Components renamed, removed or added, in the sections generators name code after.

    ``old`` and ``new`` are resolved documents: a component that only points elsewhere
    compares by what it points at, so a rename of one schema is not also a change of every
    schema that refers to it.
    """
    for section, why in NAMED_SECTIONS.items():
        # Descriptions aside: a rename that also rewords is still a rename.
        before = without_docs(old.get("components", {}).get(section, {}), names=True)
        after = without_docs(new.get("components", {}).get(section, {}), names=True)
        yield from _name_changes(
            "component", f"components/{section}/", before, after, why, added_too=True
        )


def operation_name_changes(
    op: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[Change]:
    """One operation's operationId, first tag and named examples."""
    if old.get("operationId") != new.get("operationId"):
        yield Change(
            "operation-renamed",
            op,
            True,
            f"operationId {old.get('operationId')} -> {new.get('operationId')}: {OPERATION_ID}",
        )
    old_tag, new_tag = (old.get("tags") or [None])[0], (new.get("tags") or [None])[0]
    if old_tag != new_tag:
        yield Change(
            "operation-tag-changed", op, True, f"first tag {old_tag} -> {new_tag}: {FIRST_TAG}"
        )
    for place, before, after in _example_maps(op, old, new):
        yield from _name_changes("example", f"{place} example ", before, after, EXAMPLE_KEY)


def _examples(node: Any) -> Mapping[str, Any]:
    """The named examples of a parameter or of a body's JSON media type (by value)."""
    if not isinstance(node, Mapping):
        return {}
    media = node.get("content", {}).get("application/json", node)
    examples = media.get("examples", {}) if isinstance(media, Mapping) else {}
    return {k: v.get("value") if isinstance(v, Mapping) else v for k, v in examples.items()}


def _example_maps(
    op: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    yield f"{op} request", _examples(old.get("requestBody")), _examples(new.get("requestBody"))
    old_params = {f"{p['in']}:{p['name'].lower()}": p for p in old.get("parameters", [])}
    new_params = {f"{p['in']}:{p['name'].lower()}": p for p in new.get("parameters", [])}
    for key in sorted(old_params.keys() & new_params.keys()):
        yield f"{op} {key}", _examples(old_params[key]), _examples(new_params[key])
    old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
    for status in sorted(old_responses.keys() & new_responses.keys()):
        yield f"{op} {status}", _examples(old_responses[status]), _examples(new_responses[status])
