"""The contract run's summary: printed at the end of the run and kept as contract-summary.json
(redacted), from its statistics, its order ledger and the verdicts of its checks."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_contract.coverage_report import CoverageReport
from kustom_contract.state import Ledger, RunState
from kustom_contract.stats import POSITIVE_2XX_GOAL, RunStats
from kustom_redact import Redactor


@dataclass(frozen=True)
class Summary:
    stats: RunStats
    ledger: Ledger
    # How many exchanges each rule across exchanges judged (kustom_conformance.History).
    across_exchanges: Counter[str]
    coverage: CoverageReport | None = None  # every process's, merged

    @classmethod
    def of(cls, state: RunState, coverage: CoverageReport | None = None) -> Summary:
        return cls(state.stats, state.ledger, state.history.judged, coverage)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.stats.target,
            "cases": self.stats.total,
            "by_operation_phase_and_mode": {
                f"{o} {p}/{m}": n for (o, p, m), n in sorted(self.stats.cases.items())
            },
            "statuses": {str(s): n for s, n in sorted(self.stats.statuses.items())},
            "positive_cases": sum(self.stats.positive.values()),
            "positive_2xx_share": round(self.stats.positive_2xx_share, 4),
            "negative_cases": sum(self.stats.negative.values()),
            "negative_tolerated": self.stats.negative["tolerated"],
            "negative_rejected_share": round(self.stats.negative_rejected_share, 4),
            "own_checks": dict(sorted(self.stats.checks.items())),
            "across_exchanges": dict(sorted(self.across_exchanges.items())),
            "orders_placed": self.ledger.orders_placed,
            "extra_order_requests": self.ledger.extra_order_requests,
            "order_budget": self.ledger.budget,
            "failures": self.stats.failures,
            "stopped": self.stats.stopped,
            "not_provoked": None if self.coverage is None else self.coverage.not_provoked(),
            "known_differences": None
            if self.coverage is None
            else self.coverage.data["known_differences"],
        }

    def render(self) -> str:
        lines = [f"Contract run against {self.stats.target}: {self.stats.total} cases"]
        lines.append(f"  {'operation':<19} {'phase':<10} {'mode':<9} {'cases':>6}")
        for (operation, phase, mode), count in sorted(self.stats.cases.items()):
            lines.append(f"  {operation:<19} {phase:<10} {mode:<9} {count:>6}")
        seen = ", ".join(f"{status}: {n}" for status, n in sorted(self.stats.statuses.items()))
        lines.append(f"  statuses seen: {seen or 'none'}")
        lines.append(
            f"  positive cases reaching 2xx: {self.stats.positive['2xx']}/{sum(self.stats.positive.values())}"
            f" = {self.stats.positive_2xx_share:.1%} (goal >= {POSITIVE_2XX_GOAL:.0%})"
        )
        must = self.stats.negative["rejected"] + self.stats.negative["accepted"]
        lines.append(
            f"  negative cases rejected with 4xx: {self.stats.negative['rejected']}/{must}"
            f" = {self.stats.negative_rejected_share:.1%}"
            f" (+{self.stats.negative['tolerated']} with only an unknown header, which may be ignored)"
        )
        checked = ", ".join(f"{name}: {n}" for name, n in sorted(self.stats.checks.items()))
        lines.append(f"  the spec's prose checked (cases): {checked or 'none'}")
        judged = ", ".join(f"{name}: {n}" for name, n in sorted(self.across_exchanges.items()))
        lines.append(f"  across exchanges (exchanges judged): {judged or 'none'}")
        budget = "no budget" if self.ledger.budget is None else f"budget {self.ledger.budget}"
        lines.append(
            f"  orders placed: {self.ledger.orders_placed} "
            f"({self.ledger.extra_order_requests} extra order requests by the checks, {budget})"
        )
        if self.coverage is not None:
            lines += self.coverage.lines()
        lines.append(f"  failures: {len(self.stats.failures)}")
        lines += [f"    - {failure}" for failure in self.stats.failures[:20]]
        if self.stats.stopped is not None:
            lines.append(f"  stopped: {self.stats.stopped}")
        return "\n".join(lines)

    def write(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = redactor.value(self.as_dict())
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
