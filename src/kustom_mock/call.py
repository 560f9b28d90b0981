"""One request as the operations see it: checked and parsed by the app (kustom_mock.app), then
handed to the Behaviour's steps and the operation's handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kustom_mock.fixtures import Merchant


@dataclass(frozen=True)
class Call:
    """One request, checked and parsed: who asks what of which token."""

    operation_id: str
    merchant: Merchant
    token: str = field(repr=False)  # a customer token can charge a customer
    body: dict[str, Any] | None
    idempotency_key: str | None
    raw_body: bytes = field(default=b"", repr=False)  # the body as received
