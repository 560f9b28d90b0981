"""What the spec sets as this contract's own, read by code: the limits listed in
``x-contract-limits`` (left out when a server other than the project's mock is held to the
spec, which may well accept a 256-character idempotency key) and the idempotency key's replay
window (``x-replay-window-hours``)."""

from __future__ import annotations

import copy
from typing import Any

from kustom_spec import Spec

MARK = "x-contract-limits"
WINDOW = "x-replay-window-hours"
HOUR = 3600.0


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


def replay_window_seconds(spec: Spec) -> float:
    """How long a key's first answer is replayed, from the key's parameter in the spec."""
    parameter = spec.resolve(spec.document["components"]["parameters"]["IdempotencyKey"])
    return float(parameter[WINDOW]) * HOUR
