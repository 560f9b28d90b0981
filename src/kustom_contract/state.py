"""Everything the contract run counts or remembers while it runs, in one object: ``RunState``.

All of it lives in this process today: the statistics (cases, statuses, the checks' verdicts),
the order ledger (the order budget against a live server, the orders placed) and the history
of exchanges the spec's prose is held to (cancelled tokens, tokens' owners, idempotency keys:
kustom_conformance.History). The run's rate limit is the Schemathesis limiter of its schema,
per process too. A run split over several processes needs each of them shared (a budget spent
once, a token cancelled in one process known in another, one summary): the seam is here, a
RunState whose parts are backed by a file or a store (the History takes any
kustom_conformance.Memory), not the checks that use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kustom_conformance import History
from kustom_contract.coverage import Coverage
from kustom_contract.stats import RunStats


@dataclass
class Ledger:
    """What the checks sent, and the orders the run placed (2xx answers to createOrder)."""

    budget: int | None = None  # extra order requests allowed; None: no limit
    extra_order_requests: int = 0
    orders_placed: int = 0
    order_ids: set[str] = field(default_factory=set)

    def can_send_order(self) -> bool:
        return self.budget is None or self.extra_order_requests < self.budget

    def note_order_answer(self, status: int, body: Any) -> None:
        """Count an order that a 2xx answer created (a replay's order_id counts once)."""
        if not 200 <= status < 300:
            return
        order_id = body.get("order_id") if isinstance(body, dict) else None
        if order_id is None or order_id not in self.order_ids:
            self.orders_placed += 1
        if isinstance(order_id, str):
            self.order_ids.add(order_id)


@dataclass
class RunState:
    stats: RunStats
    ledger: Ledger
    history: History
    coverage: Coverage = field(default_factory=Coverage)  # written per process, then merged
