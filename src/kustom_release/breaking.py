"""Classify the changes between two versions of the spec, and gate breaking ones.

Hand-written because oasdiff (Go) cannot be installed here and the npm diff tools in reach
either fetch a binary at install (@pb33f/openapi-changes) or crash on start (@useoptic/optic
1.0.9). It covers what this kind of spec uses: operations, parameters, request and response
bodies (properties, required, enum, type, format, default, limits, pattern), response statuses,
headers and error codes, security (``breaking_security.py``) and the names generated clients
and example-driven tools are built on (``breaking_names.py``). A change is breaking when a
client written for the old spec can fail with the new one: in requests, the server accepting
less; in responses, the server sending more; and, for a client generated from the spec, a
name or a value its code uses that is gone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kustom_release.breaking_names import component_changes, operation_name_changes
from kustom_release.breaking_security import compare_security
from kustom_release.change import Change

Direction = Literal["request", "response"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Limits that accept less when they grow (lower bounds) or when they shrink (upper bounds).
LOWER_BOUNDS = ("minLength", "minimum", "minItems")
UPPER_BOUNDS = ("maxLength", "maximum", "maxItems")
# Why a value gone from a response's enum breaks generated code that still names it.
VALUE_GONE = (
    "generated clients lose the value (TypeScript: a comparison with it no longer compiles; "
    "Python: the enum member is gone)"
)
DEFAULT_ADDED = (
    "openapi-typescript types it as required (defaultNonNullable), so code that omits it "
    "no longer compiles"
)
DEFAULT_REMOVED = (
    "openapi-typescript types it as optional again, which strict code reading it does not compile"
)
NEW_ENUM = (
    "generated clients type the field as these values only, so any value added later breaks "
    "them; an open enum (anyOf of the enum and a plain string) would not"
)


@dataclass(frozen=True)
class Values:
    """The values an ``enum`` names: closed (nothing else is valid), or open (the enum and a
    plain schema of the same type under ``anyOf``/``oneOf``: any value is valid, these are the
    known ones). openapi-python-client, openapi-typescript and @hey-api/openapi-ts all type an
    open enum as the known values or any other (``ErrorCode | str``, ``"A" | "B" | string``),
    so a value added to it breaks no client."""

    known: tuple[Any, ...]
    open: bool


def _values(schema: Mapping[str, Any]) -> Values | None:
    if "enum" in schema:
        return Values(tuple(schema["enum"]), False)
    for keyword in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(keyword) or [] if isinstance(b, Mapping)]
        named = [b for b in branches if "enum" in b]
        if named and len(named) < len(branches):
            return Values(tuple(v for b in named for v in b["enum"]), True)
    return None


def _type_of(schema: Mapping[str, Any]) -> Any:
    """``type``, or the one type every ``anyOf``/``oneOf`` branch shares (an open enum)."""
    if "type" in schema:
        return schema["type"]
    for keyword in ("anyOf", "oneOf"):
        types = {b.get("type") for b in schema.get(keyword) or [] if isinstance(b, Mapping)}
        if len(types) == 1:
            return types.pop()
    return None


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
    if _type_of(old) != _type_of(new):
        yield Change("type-changed", where, True, f"type {_type_of(old)} -> {_type_of(new)}")
        return
    yield from _enum_changes(_values(old), _values(new), where, request)
    yield from _default_changes(old, new, where, request)
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


def _enum_changes(
    before: Values | None, after: Values | None, where: str, request: bool
) -> Iterator[Change]:
    """Closed and open enums (``Values``). In requests the server must accept what it did; in
    responses it must send nothing an old client rejects, and generated code must keep every
    value it may name: a value removed from a response's enum breaks it too."""
    if after is None:
        if before is not None:
            # Any value is valid now: a response may carry one an old client's enum rejects.
            breaking = not request and not before.open
            yield Change("enum-removed", where, breaking, "no longer limited to an enum")
        return
    if before is None:
        if after.open:
            yield Change(
                "open-enum-added", where, False, f"known values named: {list(after.known)}"
            )
        else:
            why = "" if request else f": {NEW_ENUM}"
            yield Change("enum-added", where, True, f"now limited to {list(after.known)}{why}")
        return
    if before.open and not after.open:
        why = "" if request else f": {NEW_ENUM}"
        yield Change("enum-closed", where, True, f"now limited to {list(after.known)}{why}")
    if after.open and not before.open:
        yield Change("enum-opened", where, not request, "now open: any other value is valid")
    removed = [v for v in before.known if v not in after.known]
    added = [v for v in after.known if v not in before.known]
    if removed:
        why = "" if request else f" ({VALUE_GONE})"
        yield Change("enum-value-removed", where, True, f"enum values removed: {removed}{why}")
    if added:
        # A closed response enum grows: old clients reject the new value.
        breaking = not request and not after.open and not before.open
        yield Change("enum-value-added", where, breaking, f"enum values added: {added}")


def _default_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], where: str, request: bool
) -> Iterator[Change]:
    """A request that omits the field means the default: a new or changed default changes
    what it means, and openapi-typescript types a field with a default as required (its
    defaultNonNullable), so code that omitted it stops compiling. In responses, a default
    removed makes that generator type the field optional again, which strict code reading it
    without a check does not compile."""
    if old.get("default") == new.get("default") and ("default" in old) == ("default" in new):
        return
    before = json.dumps(old.get("default"), default=str)
    after = json.dumps(new.get("default"), default=str)
    if "default" not in old:
        why = f": {DEFAULT_ADDED}" if request else ""
        yield Change("default-added", where, request, f"default {after} added{why}")
    elif "default" not in new:
        why = "" if request else f": {DEFAULT_REMOVED}"
        yield Change("default-removed", where, not request, f"default {before} removed{why}")
    else:
        why = ": a request that omits it now means something else" if request else ""
        yield Change("default-changed", where, request, f"default {before} -> {after}{why}")


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
        yield from _error_code_changes(old_responses[status], new_responses[status], where)
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
        yield from _response_body_changes(
            _json_schema(old_responses[status]), _json_schema(new_responses[status]), where
        )


def _response_body_changes(old: Any, new: Any, where: str) -> Iterator[Change]:
    """A body documented where there was none (a 202's) is an addition: clients ignored it,
    and a generated client's ``unknown`` becomes a type. One no longer documented breaks the
    code that reads it."""
    if old is None and new is not None:
        yield Change("response-body-added", where, False, "body documented")
    elif old is not None and new is None:
        yield Change("response-body-removed", where, True, "body no longer documented")
    else:
        yield from _schema_changes(old, new, where, "response")


def _error_code_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], where: str
) -> Iterator[Change]:
    """``x-error-codes``: the codes a response lists for an ``error_code`` typed as a plain
    string (generators read no extension, so generated clients take any code): a code added
    or dropped is a change to responses, never a break."""
    before, after = old.get("x-error-codes") or [], new.get("x-error-codes") or []
    added = [code for code in after if code not in before]
    removed = [code for code in before if code not in after]
    if added or removed:
        said = [
            f"{label}: {codes}"
            for label, codes in (("added", added), ("dropped", removed))
            if codes
        ]
        yield Change("error-codes-changed", where, False, f"error codes {'; '.join(said)}")


def _security_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_ops: Mapping[str, Mapping[str, Any]],
    new_ops: Mapping[str, Mapping[str, Any]],
) -> Iterator[Change]:
    """The top-level ``security`` once, then each operation that sets its own."""
    yield from compare_security("security", old, old.get("security"), new, new.get("security"))
    for op in sorted(old_ops.keys() & new_ops.keys()):
        before, after = old_ops[op], new_ops[op]
        if "security" in before or "security" in after:
            yield from compare_security(
                f"{op} security",
                old,
                before.get("security", old.get("security")),
                new,
                after.get("security", new.get("security")),
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
        changes += operation_name_changes(op, old_ops[op], new_ops[op])
    changes += _security_changes(old, new, old_ops, new_ops)
    changes += component_changes(old, new)
    return changes


def parse_version(version: str) -> tuple[int, int, int]:
    core = version.split("-", 1)[0].split("+", 1)[0]
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"info.version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return int(parts[0]), int(parts[1]), int(parts[2])


def _by_part(changes: list[Change]) -> str:
    """ "(Spec 2, Client layer 1)": where the changes are, when more than the spec has some."""
    counts = Counter(c.part for c in changes)
    if set(counts) <= {"Spec"}:
        return ""
    return " (" + ", ".join(f"{part} {n}" for part, n in counts.items()) + ")"


def gate(old_version: str, new_version: str, changes: list[Change]) -> list[str]:
    """Why this release may not go out as versioned; empty when it may.

    Semantic versioning over the whole kit (one version, docs/publishing.md): a breaking change
    in any part needs a major bump, any other change (an addition) at least a minor one; a
    release without such changes (descriptions, examples, fixes) may be a patch.
    """
    old, new = parse_version(old_version), parse_version(new_version)
    problems: list[str] = []
    breaking = [c for c in changes if c.breaking]
    if new < old:
        problems.append(f"info.version went down: {old_version} -> {new_version}")
    elif breaking and new[0] <= old[0]:
        problems.append(
            f"{len(breaking)} breaking change(s){_by_part(breaking)} need a major version: "
            f"{old_version} -> {new_version} (bump info.version to {old[0] + 1}.0.0)"
        )
    elif changes and new[:2] <= old[:2]:
        problems.append(
            f"{len(changes)} addition(s){_by_part(changes)} need at least a minor version: "
            f"{old_version} -> {new_version} (bump info.version to {old[0]}.{old[1] + 1}.0)"
        )
    return problems
