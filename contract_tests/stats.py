"""What the contract run saw: cases per phase and mode, statuses, the share that succeeded."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kustom_redact import Redactor

POSITIVE_2XX_GOAL = 0.80


@dataclass
class RunStats:
    target: str = ""
    cases: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    positive: Counter[str] = field(default_factory=Counter)  # "2xx" / "other"
    negative: Counter[str] = field(default_factory=Counter)  # "rejected" / "accepted" / "tolerated"
    failures: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before its end (contract_tests/stopping.py)
    checks: Counter[str] = field(default_factory=Counter)  # the run's own checks, by verdicts
    orders_placed: int = 0
    extra_order_requests: int = 0
    order_budget: int | None = None
    started: float = field(default_factory=time.monotonic)
    on_record: Callable[[], None] | None = None  # progress reporting, set by conftest

    def record(
        self, operation: str, phase: str, mode: str, status: int, *, must_reject: bool = True
    ) -> None:
        """One case; ``must_reject`` is False for a negative case a server may accept (an
        unknown extra header), which Schemathesis does not hold against it either."""
        self.cases[(operation, phase, mode)] += 1
        if self.on_record is not None:
            self.on_record()
        self.statuses[status] += 1
        if mode == "positive":
            self.positive["2xx" if 200 <= status < 300 else "other"] += 1
        elif mode == "negative" and not must_reject:
            self.negative["tolerated"] += 1
        elif mode == "negative":
            self.negative["rejected" if 400 <= status < 500 else "accepted"] += 1

    def stop(self, line: str) -> None:
        self.stopped = line

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    @property
    def positive_2xx_share(self) -> float:
        total = sum(self.positive.values())
        return self.positive["2xx"] / total if total else 0.0

    @property
    def negative_rejected_share(self) -> float:
        total = self.negative["rejected"] + self.negative["accepted"]
        return self.negative["rejected"] / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "cases": self.total,
            "by_operation_phase_and_mode": {
                f"{o} {p}/{m}": n for (o, p, m), n in sorted(self.cases.items())
            },
            "statuses": {str(s): n for s, n in sorted(self.statuses.items())},
            "positive_cases": sum(self.positive.values()),
            "positive_2xx_share": round(self.positive_2xx_share, 4),
            "negative_cases": sum(self.negative.values()),
            "negative_tolerated": self.negative["tolerated"],
            "negative_rejected_share": round(self.negative_rejected_share, 4),
            "own_checks": dict(sorted(self.checks.items())),
            "orders_placed": self.orders_placed,
            "extra_order_requests": self.extra_order_requests,
            "order_budget": self.order_budget,
            "failures": self.failures,
            "stopped": self.stopped,
        }

    def render(self) -> str:
        lines = [f"Contract run against {self.target}: {self.total} cases"]
        lines.append(f"  {'operation':<19} {'phase':<10} {'mode':<9} {'cases':>6}")
        for (operation, phase, mode), count in sorted(self.cases.items()):
            lines.append(f"  {operation:<19} {phase:<10} {mode:<9} {count:>6}")
        seen = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        lines.append(f"  statuses seen: {seen or 'none'}")
        lines.append(
            f"  positive cases reaching 2xx: {self.positive['2xx']}/{sum(self.positive.values())}"
            f" = {self.positive_2xx_share:.1%} (goal >= {POSITIVE_2XX_GOAL:.0%})"
        )
        must = self.negative["rejected"] + self.negative["accepted"]
        lines.append(
            f"  negative cases rejected with 4xx: {self.negative['rejected']}/{must}"
            f" = {self.negative_rejected_share:.1%}"
            f" (+{self.negative['tolerated']} with only an unknown header, which may be ignored)"
        )
        checked = ", ".join(f"{name}: {n}" for name, n in sorted(self.checks.items()))
        lines.append(f"  the spec's prose checked (cases): {checked or 'none'}")
        budget = "no budget" if self.order_budget is None else f"budget {self.order_budget}"
        lines.append(
            f"  orders placed: {self.orders_placed} "
            f"({self.extra_order_requests} extra order requests by the checks, {budget})"
        )
        lines.append(f"  failures: {len(self.failures)}")
        lines += [f"    - {failure}" for failure in self.failures[:20]]
        if self.stopped is not None:
            lines.append(f"  stopped: {self.stopped}")
        return "\n".join(lines)

    def write(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = redactor.value(self.as_dict())
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


class Progress:
    """A line at least every ``every`` seconds while cases run, so a long run is never
    silent: cases so far, failures so far, the rate."""

    def __init__(
        self,
        stats: RunStats,
        write: Callable[[str], None],
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stats = stats
        self.write = write
        self.every = every
        self.clock = clock
        self.last = clock()

    def __call__(self) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        elapsed = max(now - self.stats.started, 1e-9)
        self.write(
            f"progress: {self.stats.total} cases, {len(self.stats.failures)} failures, "
            f"{self.stats.total / elapsed:.0f} cases/s"
        )


STATS = RunStats()
