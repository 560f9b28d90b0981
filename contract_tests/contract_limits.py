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


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        for keyword in node.get(MARK, []):
            node.pop(keyword, None)
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for item in node:
            _strip(item)
