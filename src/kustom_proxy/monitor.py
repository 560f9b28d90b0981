"""What the proxy and ``scripts/verify-traffic`` do with each exchange, in the order the
answers came: check it (``kustom_conformance``: the request, the answer, the prose across
exchanges), redact it (``redaction.py``), record it (HAR), report it (a line per violation as
it happens, the JSON report, the summary).

Memory is bounded whatever the traffic: the History keeps digests within its own bounds, and
the report keeps the first ``MAX_KEPT`` violations (and unchecked exchanges, and upstream
failures) whole and only counts the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from kustom_conformance import Conformance, History, Request, Response, Violation
from kustom_proxy.har import HarWriter, NotHeld, entry
from kustom_proxy.observed import Observed
from kustom_proxy.redaction import ExchangeRedaction, Pseudonyms

MAX_KEPT = 1000


@dataclass
class Report:
    """What the run found so far; ``as_dict`` is the JSON report."""

    about: dict[str, Any]
    exchanges: int = 0
    checked: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    violations: list[dict[str, Any]] = field(default_factory=list)
    unchecked_count: int = 0
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    upstream_failure_count: int = 0
    upstream_failures: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0  # exchanges the checks themselves failed on (a bug: said on stderr)

    @property
    def violation_count(self) -> int:
        return sum(self.by_rule.values())

    def sides(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for key, count in self.by_rule.items():
            found[key.split(" ", 1)[0]] += count
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.about,
            "exchanges": self.exchanges,
            "checked": self.checked,
            "violation_count": self.violation_count,
            "by_side": dict(sorted(self.sides().items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "violations": self.violations,
            "violations_left_out": self.violation_count - len(self.violations),
            "unchecked_count": self.unchecked_count,
            "unchecked": self.unchecked,
            "upstream_failure_count": self.upstream_failure_count,
            "upstream_failures": self.upstream_failures,
            "check_errors": self.errors,
        }

    def summary(self, label: str) -> str:
        sides = self.sides()
        lines = [
            f"{label}: {self.exchanges} exchanges, {self.checked} checked; "
            f"{self.violation_count} violations (client {sides['client']}, "
            f"server {sides['server']}); {self.unchecked_count} unchecked; "
            f"{self.upstream_failure_count} upstream failures"
        ]
        lines += [f"  {key}: {count}" for key, count in sorted(self.by_rule.items())]
        return "\n".join(lines)


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    """``data`` as JSON at ``path`` (its folder made if need be), never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


class Monitor:
    """Checks, redacts, records and reports each ``Observed`` exchange fed to ``observe``."""

    def __init__(
        self,
        conformance: Conformance,
        *,
        about: dict[str, Any],
        label: str,
        out: TextIO | None = None,
        report_path: Path | None = None,
        har: HarWriter | None = None,
        pseudonyms: Pseudonyms | None = None,
    ) -> None:
        self.conformance = conformance
        self._now = 0.0
        # The History's clock is the exchanges' own: the replay window holds offline too.
        self.history = History(conformance, clock=lambda: self._now)
        self.report = Report(about)
        self.label = label
        self.out = out or sys.stdout
        self.report_path = report_path
        self.har = har
        self.pseudonyms = pseudonyms or Pseudonyms(conformance)
        self.dirty = report_path is not None

    def observe(self, observed: Observed) -> list[Violation]:
        """Check ``observed`` (unless it is unchecked or the upstream failed), record it and
        report what it breaks; its violations, in the order reported."""
        report = self.report
        report.exchanges += 1
        number = report.exchanges
        self._now = observed.answered_at
        redaction = self.pseudonyms.for_request(observed.request)
        shown = self._shown(number, observed, redaction)
        place = f"{shown['method']} {redaction.url(observed.request.path)} → {shown['status']}"
        found: list[Violation] = []
        if observed.upstream_failure is not None:
            report.upstream_failure_count += 1
            _keep(report.upstream_failures, {**shown, "why": observed.upstream_failure})
            self._line(
                f"#{number} upstream failure: {observed.upstream_failure}; answered "
                f"{observed.response.status} · {place}"
            )
        elif observed.unchecked is not None:
            report.unchecked_count += 1
            _keep(report.unchecked, {**shown, "why": observed.unchecked})
            self._line(f"#{number} unchecked: {observed.unchecked} · {place}")
        else:
            found = self._checked(number, observed)
            report.checked += 1
        for violation in found:
            message = redaction.text(violation.message)
            report.by_rule[f"{violation.side.value} {violation.rule}"] += 1
            _keep(
                report.violations,
                {
                    "side": violation.side.value,
                    "rule": violation.rule,
                    "source": violation.source,
                    "operation": violation.operation,
                    "correlation_id": violation.correlation_id,
                    "field": violation.field,
                    "message": message,
                    "exchange": shown,
                },
            )
            line = str(replace(violation, message=message))
            cid = (
                f" · correlation id {violation.correlation_id}" if violation.correlation_id else ""
            )
            self._line(f"#{number} {line} · {place}{cid}")
        if self.har is not None:
            try:
                self.har.add(self._entry(observed, redaction))
            except OSError as exc:  # a full disk stops the record, not the traffic
                print(
                    f"{self.label}: cannot write {self.har.path} ({exc.strerror}); "
                    "the record stops here",
                    file=sys.stderr,
                )
                self.har = None
        self.dirty = self.report_path is not None
        return found

    def _checked(self, number: int, observed: Observed) -> list[Violation]:
        try:
            exchange = observed.exchange
            return self.conformance.check(exchange) + self.history.feed(exchange)
        except Exception as exc:  # a bug in the checks must not stop the traffic
            self.report.errors += 1
            print(
                f"{self.label}: #{number}: the checks failed ({type(exc).__name__}); "
                "the exchange was forwarded unchecked",
                file=sys.stderr,
            )
            return []

    def _shown(
        self, number: int, observed: Observed, redaction: ExchangeRedaction
    ) -> dict[str, Any]:
        return {
            "number": number,
            "method": observed.request.method[:20],
            "url": redaction.url(observed.url),
            "status": observed.response.status,
        }

    def _entry(self, observed: Observed, redaction: ExchangeRedaction) -> dict[str, Any]:
        request, response = observed.request, observed.response
        redacted = replace(
            observed,
            origin=redaction.url(observed.origin),
            request=Request.of(
                request.method,
                redaction.url(request.path),
                redaction.headers(request.headers),
                redaction.body(request.body),
            ),
            response=Response.of(
                response.status, redaction.headers(response.headers), redaction.body(response.body)
            ),
        )
        why = NotHeld(observed.unchecked or "not held")
        return entry(
            redacted,
            redacted.request.body if observed.request_held else why,
            redacted.response.body if observed.response_held else why,
        )

    def _line(self, text: str) -> None:
        # Control characters escaped: a path or a correlation id from the traffic (or from a
        # HAR file) cannot forge a line of its own.
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
        with contextlib.suppress(OSError):  # an output closed by its reader stops no traffic
            print(shown, file=self.out, flush=True)

    def flush(self) -> None:
        """Write the report if anything changed since it was last written."""
        if self.dirty and self.report_path is not None:
            _write_atomically(self.report_path, self.report.as_dict())
            self.dirty = False

    def close(self) -> str:
        """Write the report and close the record; the summary."""
        self.dirty = self.report_path is not None
        self.flush()
        if self.har is not None:
            self.har.close()
        return self.report.summary(self.label)


def _keep(kept: list[dict[str, Any]], item: dict[str, Any]) -> None:
    if len(kept) < MAX_KEPT:
        kept.append(item)
