"""What a contract run covered, readable per operation: the documented answers (status and
``error_code``) provoked on purpose, only seen, not provoked, or not provokable (with the
reason); the request fields and enum values sent; the links of the stateful phase followed.

Each process of a run records into its own ``Coverage`` and writes it to a file of its own in
the reports' parts folder (``write_part``: a new file, written then renamed, so no process
reads half of another's); the end of the run merges every part (``merge``, a pure function)
and builds the report from the merge (``report``), written as contract-coverage.json.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kustom_contract.errors import SettingError
from kustom_spec import Spec, load_spec

NO_CODE = ""  # a success's answer, or an error without an error_code
OTHER_CODE = "(undocumented error_code)"
OTHER_VALUE = "(outside the enum)"


def answer_key(operation: str, status: int, code: str | None) -> str:
    return f"{operation} {status} {code or NO_CODE}".rstrip()


@dataclass
class Coverage:
    """One process's record. Keys are plain strings so that a part is plain JSON."""

    answers: Counter[str] = field(default_factory=Counter)  # every answer seen
    provoked: Counter[str] = field(default_factory=Counter)  # given to a deliberate case as wanted
    fields: Counter[str] = field(default_factory=Counter)  # "operation field": requests sent it
    enums: Counter[str] = field(default_factory=Counter)  # "operation field value": likewise
    links: Counter[str] = field(default_factory=Counter)  # stateful transitions followed
    known: Counter[str] = field(default_factory=Counter)  # known differences met, by entry

    def answer(self, operation: str, status: int, body: Any) -> None:
        """An answer, its error_code kept only when the spec documents it anywhere: what a
        server chose (an echo of a key) never reaches a report."""
        code = body.get("error_code") if isinstance(body, dict) else None
        if code is not None and code not in _documented_codes():
            code = OTHER_CODE
        self.answers[answer_key(operation, status, code)] += 1

    def sent(self, operation: str, body: Any, enum_fields: Mapping[str, frozenset[str]]) -> None:
        """A request body's fields (``order_lines[].name``) and the enum values among them."""
        names: set[str] = set()
        values: set[str] = set()
        for name, value in _leaves(body, ""):
            names.add(name)
            if name in enum_fields and isinstance(value, str):
                # Only the enum's own values by name: a generated one outside it is one kind.
                values.add(f"{name} {value if value in enum_fields[name] else OTHER_VALUE}")
        # Each counted once per request: how many requests sent it.
        self.fields.update(f"{operation} {name}" for name in names)
        self.enums.update(f"{operation} {value}" for value in values)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "answers": dict(self.answers),
            "provoked": dict(self.provoked),
            "fields": dict(self.fields),
            "enums": dict(self.enums),
            "links": dict(self.links),
            "known": dict(self.known),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, int]]) -> Coverage:
        return cls(**{name: Counter(data.get(name, {})) for name in _PARTS})


_PARTS = ("answers", "provoked", "fields", "enums", "links", "known")


def _leaves(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name, item
            yield from _leaves(item, name)
    elif isinstance(value, list):
        for item in value:
            yield f"{prefix}[]", item
            yield from _leaves(item, f"{prefix}[]")


def merge(parts: Iterable[Coverage]) -> Coverage:
    """The sum of every process's record (a new object; the parts are left as they are)."""
    merged = Coverage()
    for part in parts:
        for name in _PARTS:
            getattr(merged, name).update(getattr(part, name))
    return merged


def write_part(folder: Path, coverage: Coverage) -> Path:
    """This process's record as a new file in ``folder``: written under a temporary name, then
    renamed, so that a reader sees it whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"part-{os.getpid()}-{secrets.token_hex(4)}"
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps(coverage.as_dict()), encoding="utf-8")
    final = folder / f"{name}.json"
    temporary.replace(final)
    return final


RUN_ID_ENV = "KUSTOM_CONTRACT_RUN_ID"
WORKER_RUN_ID = "kustom_contract_run_id"  # the key in a pytest-xdist worker's input
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a folder's name, nothing more


@dataclass(frozen=True)
class CoverageParts:
    """Where one process of a run writes its part (``folder``: the run's own, under the
    reports' parts folder), and whether it is the process that merges them all at the end.

    A process started alone makes up its run's id and merges; a pytest-xdist worker takes its
    controller's id, which merges; a process started with KUSTOM_CONTRACT_RUN_ID (by a command
    that runs several pytest processes) only writes its part, and the command merges them
    (``read_parts``, ``merge``, kustom_contract.coverage_report.CoverageReport)."""

    run_id: str
    folder: Path
    merges: bool

    @classmethod
    def of(
        cls, parts: Path, env: Mapping[str, str], workerinput: Mapping[str, Any] | None
    ) -> CoverageParts:
        given = env.get(RUN_ID_ENV, "").strip()
        if given and not _RUN_ID.fullmatch(given):
            raise SettingError(
                f"{RUN_ID_ENV} must be 1 to 64 letters, digits, '-' or '_', not {given!r}"
            )
        if workerinput is not None and WORKER_RUN_ID in workerinput:
            run_id, merges = str(workerinput[WORKER_RUN_ID]), False
        elif given:
            run_id, merges = given, False
        else:
            run_id, merges = f"{os.getpid()}-{secrets.token_hex(6)}", True
        return cls(run_id, parts / run_id, merges)


def read_parts(folder: Path) -> list[Coverage]:
    if not folder.is_dir():
        return []
    return [
        Coverage.from_dict(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("part-*.json"))
    ]


@dataclass(frozen=True)
class Documented:
    """An answer an operation documents: a status, and an error code its response lists."""

    operation: str
    status: int
    error_code: str | None

    @property
    def key(self) -> str:
        return answer_key(self.operation, self.status, self.error_code)


def documented(spec: Spec) -> list[Documented]:
    found = []
    for item in spec.document["paths"].values():
        for node in item.values():
            if not isinstance(node, dict) or "operationId" not in node:
                continue
            operation = spec.operation(node["operationId"])
            for status in operation.statuses:
                codes = operation.error_codes(status)
                found += [Documented(operation.operation_id, status, code) for code in codes]
                if not codes:
                    found.append(Documented(operation.operation_id, status, None))
    return found


def request_fields(spec: Spec, operation_id: str) -> dict[str, frozenset[str]]:
    """Every field of the operation's JSON body (as ``sent`` names them), with its enum values
    (empty: not an enum)."""
    body = spec.operation(operation_id).request_body
    if body is None:
        return {}
    schema = body["content"]["application/json"]["schema"]
    found: dict[str, frozenset[str]] = {}
    _walk(spec, schema, "", found, depth=0)
    return found


def _walk(spec: Spec, raw: Any, prefix: str, found: dict[str, frozenset[str]], depth: int) -> None:
    schema = spec.resolve(raw)
    if depth > 8 or not isinstance(schema, dict):  # the schema is not recursive; a guard only
        return
    if prefix:
        found[prefix] = frozenset(str(v) for v in schema.get("enum", ()))
    for name, sub in schema.get("properties", {}).items():
        _walk(spec, sub, f"{prefix}.{name}" if prefix else name, found, depth + 1)
    if "items" in schema:
        _walk(spec, schema["items"], f"{prefix}[]", found, depth + 1)


@cache
def _documented_codes() -> frozenset[str]:
    return frozenset(d.error_code for d in documented(load_spec()) if d.error_code is not None)


@cache
def enum_fields(operation_id: str) -> dict[str, frozenset[str]]:
    """``request_fields`` of openapi.yaml, read once per operation."""
    return request_fields(load_spec(), operation_id)


@dataclass(frozen=True)
class Unprovokable:
    status: int
    error_code: str | None
    reason: str


def report(
    spec: Spec, coverage: Coverage, unprovokable: Mapping[str, Unprovokable]
) -> dict[str, Any]:
    """Per operation: each documented answer's state (``provoked``, ``seen`` by generated cases
    only, ``not provoked``, ``not provokable`` with its reason), the fields and enum values
    sent and never sent, the links followed."""
    operations: dict[str, Any] = {}
    for answer in documented(spec):
        entry = operations.setdefault(
            answer.operation,
            {"answers": {}, "provoked": 0, "not_provoked": [], "not_provokable": {}},
        )
        shown = f"{answer.status} {answer.error_code or ''}".rstrip()
        if coverage.provoked[answer.key]:
            state = "provoked"
            entry["provoked"] += 1
        elif answer.key in unprovokable:
            state = "not provokable"
            entry["not_provokable"][shown] = unprovokable[answer.key].reason
        else:
            state = "seen" if coverage.answers[answer.key] else "not provoked"
            entry["not_provoked"].append(shown)
        entry["answers"][shown] = {
            "state": state,
            "provoked": coverage.provoked[answer.key],
            "seen": coverage.answers[answer.key],
        }
    for operation, entry in operations.items():
        fields = request_fields(spec, operation)
        sent = {name for name in fields if coverage.fields[f"{operation} {name}"]}
        entry["fields_sent"] = len(sent)
        entry["fields_never_sent"] = sorted(set(fields) - sent)
        entry["enum_values"] = {
            name: {value: coverage.enums[f"{operation} {name} {value}"] for value in sorted(values)}
            for name, values in sorted(fields.items())
            if values
        }
        entry["undocumented_answers"] = sorted(
            key.split(" ", 1)[1]
            for key in coverage.answers
            if key.split(" ", 1)[0] == operation and key not in {d.key for d in documented(spec)}
        )
    return {"operations": operations, "links_followed": dict(sorted(coverage.links.items()))}


def not_provoked(report_: Mapping[str, Any]) -> list[str]:
    """Every documented answer that was neither provoked nor listed as not provokable."""
    return [
        f"{operation} {shown}"
        for operation, entry in sorted(report_["operations"].items())
        for shown in entry["not_provoked"]
    ]
