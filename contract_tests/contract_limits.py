"""Limits this contract sets itself, marked in openapi.yaml with ``x-contract-limits``.

Against a server other than the project's mock they are taken out of the schema that
Schemathesis generates from, so that its negative cases test only what the vendor rules out
(a live server may well accept a 256-character idempotency key); the hooks keep positive cases
within them, so those stay valid for this contract too.
"""

from __future__ import annotations

import copy
from typing import Any

MARK = "x-contract-limits"


def without_contract_limits(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with every keyword listed in an ``x-contract-limits`` removed."""
    stripped = copy.deepcopy(document)
    _strip(stripped)
    return stripped


def contract_limits(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (JSON pointer, keyword) the document marks as this contract's own."""
    found: list[tuple[str, str]] = []
    _collect(document, "", found)
    return found


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        for keyword in node.get(MARK, []):
            node.pop(keyword, None)
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for item in node:
            _strip(item)


def _collect(node: Any, where: str, found: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        found += [(where, keyword) for keyword in node.get(MARK, [])]
        for key, value in node.items():
            _collect(value, f"{where}/{key}", found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _collect(item, f"{where}/{index}", found)
