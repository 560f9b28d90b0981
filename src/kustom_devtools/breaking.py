"""Classify the changes between two versions of the spec, and gate breaking ones.

Hand-written because oasdiff (Go) cannot be installed here and the npm diff tools in reach
either fetch a binary at install (@pb33f/openapi-changes) or crash on start (@useoptic/optic
1.0.9). It covers what this kind of spec uses: operations, parameters, request and response
bodies (properties, required, enum, type, format, limits, pattern), response statuses and
headers, and security. A change is breaking when a client written for the old spec can fail with the
new one: in requests, the server accepting less; in responses, the server sending more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["request", "response"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Limits that accept less when they grow (lower bounds) or when they shrink (upper bounds).
LOWER_BOUNDS = ("minLength", "minimum", "minItems")
UPPER_BOUNDS = ("maxLength", "maximum", "maxItems")


@dataclass(frozen=True)
class Change:
    kind: str
    where: str
    breaking: bool
    detail: str

    def line(self) -> str:
        return f"{self.where}: {self.detail}"


def _resolve(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """A copy of ``node`` with every local $ref replaced by its target."""
    if depth > 50:
        return node
    if isinstance(node, Mapping):
        if "$ref" in node:
            target: Any = document
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(document, target, depth + 1)
        return {k: _resolve(document, v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(document, item, depth + 1) for item in node]
    return node


def _schema_changes(old: Any, new: Any, where: str, direction: Direction) -> Iterator[Change]:
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    request = direction == "request"
    if old.get("type") != new.get("type"):
        yield Change("type-changed", where, True, f"type {old.get('type')} -> {new.get('type')}")
        return
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum is not None or new_enum is not None:
        removed = [v for v in old_enum or [] if new_enum is not None and v not in new_enum]
        added = [v for v in new_enum or [] if old_enum is not None and v not in old_enum]
        if removed:
            yield Change("enum-value-removed", where, request, f"enum values removed: {removed}")
        if added:
            yield Change("enum-value-added", where, not request, f"enum values added: {added}")
        if old_enum is not None and new_enum is None:
            yield Change("enum-removed", where, not request, "no longer limited to an enum")
        if old_enum is None and new_enum is not None:
            yield Change("enum-added", where, request, f"now limited to {new_enum}")
    yield from _limit_changes(old, new, where, request)
    if old.get("pattern") != new.get("pattern"):
        tighter = new.get("pattern") is not None
        yield Change(
            "pattern-changed",
            where,
            request and tighter,
            f"pattern {old.get('pattern')!r} -> {new.get('pattern')!r}",
        )
    before, after = old.get("format"), new.get("format")
    if before != after:
        # A format added narrows what is valid (int32, date-time); removed, it widens it;
        # changed, it does both.
        narrower, wider = after is not None, before is not None
        yield Change(
            "format-changed",
            where,
            narrower if request else wider,
            f"format {before} -> {after}",
        )
    yield from _property_changes(old, new, where, direction)
    if isinstance(old.get("items"), Mapping) or isinstance(new.get("items"), Mapping):
        yield from _schema_changes(old.get("items"), new.get("items"), f"{where}[]", direction)


def _limit_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], where: str, request: bool
) -> Iterator[Change]:
    for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        if keyword in LOWER_BOUNDS:
            tighter = after is not None and (before is None or after > before)
        else:
            tighter = after is not None and (before is None or after < before)
        # A tighter request limit refuses what was accepted; a looser response limit lets the
        # server send what clients were told it would not.
        breaking = tighter if request else not tighter
        kind = "limit-tightened" if tighter else "limit-loosened"
        yield Change(kind, where, breaking, f"{keyword} {before} -> {after}")


def _property_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], where: str, direction: Direction
) -> Iterator[Change]:
    request = direction == "request"
    old_props: Mapping[str, Any] = old.get("properties", {})
    new_props: Mapping[str, Any] = new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    prefix = f"{where}." if where else ""
    for name in old_props.keys() - new_props.keys():
        yield Change("property-removed", f"{prefix}{name}", True, "removed")
    for name in new_props.keys() - old_props.keys():
        needed = name in new_required
        breaking = request and needed
        yield Change(
            "property-added", f"{prefix}{name}", breaking, "added, required" if needed else "added"
        )
    for name in old_props.keys() & new_props.keys():
        path = f"{prefix}{name}"
        if name in new_required and name not in old_required:
            yield Change("became-required", path, request, "now required")
        if name in old_required and name not in new_required:
            yield Change("became-optional", path, not request, "no longer required")
        yield from _schema_changes(old_props[name], new_props[name], path, direction)


def _operations(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Each operation, with the parameters of its path item merged in (its own win)."""
    found: dict[str, Mapping[str, Any]] = {}
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in METHODS:
                merged = {f"{p['in']}:{p['name'].lower()}": p for p in shared}
                merged |= _parameters(operation)
                found[f"{method.upper()} {path}"] = {
                    **operation,
                    "parameters": list(merged.values()),
                }
    return found


def _parameters(operation: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {f"{p['in']}:{p['name'].lower()}": p for p in operation.get("parameters", [])}


def _json_schema(node: Mapping[str, Any] | None) -> Any:
    content = (node or {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def _operation_changes(op: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    old_params, new_params = _parameters(old), _parameters(new)
    for key in old_params.keys() - new_params.keys():
        yield Change("parameter-removed", f"{op} {key}", True, "parameter removed")
    for key in new_params.keys() - old_params.keys():
        needed = bool(new_params[key].get("required"))
        yield Change(
            "parameter-added",
            f"{op} {key}",
            needed,
            "required parameter added" if needed else "added",
        )
    for key in old_params.keys() & new_params.keys():
        if new_params[key].get("required") and not old_params[key].get("required"):
            yield Change("parameter-became-required", f"{op} {key}", True, "now required")
        yield from _schema_changes(
            old_params[key].get("schema"), new_params[key].get("schema"), f"{op} {key}", "request"
        )
    yield from _schema_changes(
        _json_schema(old.get("requestBody")),
        _json_schema(new.get("requestBody")),
        f"{op} request",
        "request",
    )
    old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
    for status in old_responses.keys() - new_responses.keys():
        yield Change("response-removed", f"{op} {status}", False, "response no longer documented")
    for status in new_responses.keys() - old_responses.keys():
        yield Change("response-added", f"{op} {status}", True, "new response status")
    for status in old_responses.keys() & new_responses.keys():
        where = f"{op} {status}"
        old_headers = {k.lower(): v for k, v in old_responses[status].get("headers", {}).items()}
        new_headers = {k.lower(): v for k, v in new_responses[status].get("headers", {}).items()}
        for name in sorted(new_headers.keys() - old_headers.keys()):
            yield Change("header-added", f"{where} {name}", False, "header added")
        for name, header in old_headers.items():
            if header.get("required") and not new_headers.get(name, {}).get("required"):
                yield Change(
                    "header-no-longer-required", f"{where} {name}", True, "header may be absent"
                )
            elif name not in new_headers:
                # Clients were told it may be absent; one that read it still copes.
                yield Change(
                    "header-removed", f"{where} {name}", False, "header no longer documented"
                )
            if name in new_headers:
                yield from _schema_changes(
                    header.get("schema"),
                    new_headers[name].get("schema"),
                    f"{where} {name}",
                    "response",
                )
        yield from _schema_changes(
            _json_schema(old_responses[status]),
            _json_schema(new_responses[status]),
            where,
            "response",
        )


def compare(old_document: Mapping[str, Any], new_document: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old_document`` to ``new_document``, classified."""
    old, new = _resolve(old_document, old_document), _resolve(new_document, new_document)
    changes: list[Change] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for op in old_ops.keys() - new_ops.keys():
        changes.append(Change("operation-removed", op, True, "operation removed"))
    for op in new_ops.keys() - old_ops.keys():
        changes.append(Change("operation-added", op, False, "operation added"))
    for op in sorted(old_ops.keys() & new_ops.keys()):
        changes += _operation_changes(op, old_ops[op], new_ops[op])
    if old.get("security") != new.get("security") or old.get("components", {}).get(
        "securitySchemes"
    ) != new.get("components", {}).get("securitySchemes"):
        changes.append(Change("security-changed", "security", True, "authentication changed"))
    return changes


def parse_version(version: str) -> tuple[int, int, int]:
    core = version.split("-", 1)[0].split("+", 1)[0]
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"info.version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return int(parts[0]), int(parts[1]), int(parts[2])


def gate(old_version: str, new_version: str, changes: list[Change]) -> list[str]:
    """Why this release may not go out as versioned; empty when it may.

    Semantic versioning: a breaking change needs a major bump, any other change to requests or
    responses (an addition) at least a minor one; a release without such changes (descriptions,
    examples) may be a patch.
    """
    old, new = parse_version(old_version), parse_version(new_version)
    problems: list[str] = []
    breaking = [c for c in changes if c.breaking]
    if new < old:
        problems.append(f"info.version went down: {old_version} -> {new_version}")
    elif breaking and new[0] <= old[0]:
        problems.append(
            f"{len(breaking)} breaking change(s) need a major version: {old_version} -> "
            f"{new_version} (bump info.version to {old[0] + 1}.0.0)"
        )
    elif changes and new[:2] <= old[:2]:
        problems.append(
            f"{len(changes)} addition(s) need at least a minor version: {old_version} -> "
            f"{new_version} (bump info.version to {old[0]}.{old[1] + 1}.0)"
        )
    return problems
