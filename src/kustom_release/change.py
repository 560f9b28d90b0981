"""One classified difference between two releases of a part of the kit (the breaking-change
gate's unit): the spec's (``breaking.py``), the client layer's public API (``python_api.py``),
or the mock's as its CHANGELOG.md entry states it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Keys that document and change nothing a client or a generator reads.
DOC_KEYS = frozenset({"description", "summary", "example", "examples", "externalDocs"})
# Maps whose keys are names (a property may be called "description"), not keywords.
NAMED_MAPS = frozenset({"properties", "headers", "schemas", "securitySchemes", "links"})


@dataclass(frozen=True)
class Change:
    kind: str
    where: str
    breaking: bool
    detail: str
    part: str = "Spec"  # CHANGELOG.md's name of the part: Spec, Client layer, Mock

    def line(self) -> str:
        return f"{self.where}: {self.detail}"


def without_docs(node: Any, names: bool = False) -> Any:
    """``node`` with its documentation keys left out, at every depth (for "same content")."""
    if isinstance(node, Mapping):
        return {
            k: without_docs(v, not names and k in NAMED_MAPS)
            for k, v in node.items()
            if names or k not in DOC_KEYS
        }
    if isinstance(node, list):
        return [without_docs(item) for item in node]
    return node
