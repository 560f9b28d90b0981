"""What the contract run saw: cases per phase and mode, statuses, the share that succeeded, the
verdicts of its own checks; the summary (printed and contract-summary.json) and the progress
lines while cases run."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

POSITIVE_2XX_GOAL = 0.80
PROGRESS_SECONDS = 10.0  # docs/contract-tests.md promises a line at least this often


@dataclass
class RunStats:
    target: str = ""
    cases: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    positive: Counter[str] = field(default_factory=Counter)  # "2xx" / "other"
    negative: Counter[str] = field(default_factory=Counter)  # "rejected" / "accepted" / "tolerated"
    failures: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before its end (kustom_contract/stopping.py)
    checks: Counter[str] = field(default_factory=Counter)  # the run's own checks, by verdicts
    phase: str = ""  # the phase and operation of the latest case
    started: float = field(default_factory=time.monotonic)
    on_record: Callable[[], None] | None = None  # progress reporting, set by the plugin

    def record(
        self, operation: str, phase: str, mode: str, status: int, *, must_reject: bool = True
    ) -> None:
        """One case; ``must_reject`` is False for a negative case a server may accept (an
        unknown extra header), which Schemathesis does not hold against it either."""
        self.cases[(operation, phase, mode)] += 1
        self.phase = f"{phase} ({operation})"
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


class Progress:
    """A line at least every ``every`` seconds while the run sends requests, so that a long run
    is never silent: cases so far, failures so far, the phase of the latest case, the rate, the
    time since the run started. Ticked at each case recorded and each request sent, so that two
    lines are at most ``every`` seconds and one request (itself bounded, KUSTOM_REQUEST_TIMEOUT)
    apart."""

    def __init__(
        self,
        stats: RunStats,
        write: Callable[[str], None],
        every: float = PROGRESS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stats = stats
        self.write = write
        self.every = every
        self.clock = clock
        self.last: float | None = None  # the latest line; before it, the run's start

    def tick(self) -> None:
        now = self.clock()
        since = self.stats.started if self.last is None else self.last
        if now - since < self.every:
            return
        self.last = now
        elapsed = max(now - self.stats.started, 1e-9)
        self.write(
            f"progress: {self.stats.total} cases, {len(self.stats.failures)} failures, "
            f"{self.stats.phase or 'starting'}, {self.stats.total / elapsed:.0f} cases/s, "
            f"after {elapsed:.0f} s"
        )
