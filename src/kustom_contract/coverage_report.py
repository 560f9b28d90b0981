"""The run's coverage as it is read: built from every process's record merged
(kustom_contract/coverage.py), the answers this target cannot be made to give
(kustom_contract/provocations.py) and, for a live target, its known differences; written as
contract-coverage.json and summed up in the summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_contract.cases import SPEC
from kustom_contract.config import QUICK, RunConfig
from kustom_contract.coverage import Coverage, Unprovokable, answer_key, not_provoked, report
from kustom_contract.known_differences import Entry
from kustom_contract.provocations import Context, not_provokable
from kustom_contract.target import Target
from kustom_redact import Redactor


@dataclass(frozen=True)
class CoverageReport:
    data: dict[str, Any]
    known_seen: dict[str, int]
    known_no_longer_seen: tuple[Entry, ...] = ()

    @classmethod
    def of(
        cls, target: Target, coverage: Coverage, known: tuple[Entry, ...] = ()
    ) -> CoverageReport:
        unprovokable = {
            answer_key(n.operation, n.status, n.error_code): Unprovokable(
                n.status, n.error_code, n.reason
            )
            for n in not_provokable(Context(target))
        }
        seen = dict(coverage.known)
        stale = tuple(entry for entry in known if not seen.get(entry.describe()))
        data = report(SPEC, coverage, unprovokable)
        data["known_differences"] = {
            "seen": seen,
            "no_longer_seen": [entry.describe() for entry in stale],
        }
        return cls(data, seen, stale)

    def not_provoked(self) -> list[str]:
        return not_provoked(self.data)

    def goal_missed(self, config: RunConfig, *, partial: bool) -> str | None:
        """Why the run fails for its coverage, or None: against the spawned mock, at the
        default depth or deeper, in a run not filtered (``partial``: tests deselected), every
        documented answer the mock can give must have been provoked."""
        missing = self.not_provoked()
        if not missing or not config.target.is_mock or config.depth is QUICK or partial:
            return None
        return (
            f"{len(missing)} documented answers the mock can give were never provoked: "
            + ", ".join(missing[:10])
        )

    def write(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = redactor.value(self.data)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def lines(self) -> list[str]:
        """The summary's lines: per operation, the documented answers provoked, not provoked
        and not provokable, the fields and enum values sent; the links followed."""
        lines = ["  documented answers (status and error_code) provoked on purpose:"]
        for operation, entry in sorted(self.data["operations"].items()):
            total = len(entry["answers"])
            lines.append(
                f"    {operation}: {entry['provoked']}/{total} provoked"
                f", not provoked: {', '.join(entry['not_provoked']) or 'none'}"
                f", not provokable: {len(entry['not_provokable'])}"
            )
            for shown, reason in sorted(entry["not_provokable"].items()):
                lines.append(f"      not provokable {shown}: {reason}")
            enums = entry["enum_values"]
            unsent = sorted(
                f"{name}={value}"
                for name, values in enums.items()
                for value, count in values.items()
                if not count
            )
            lines.append(
                f"      request fields sent: {entry['fields_sent']}"
                f" (never: {', '.join(entry['fields_never_sent'][:8]) or 'none'})"
                f"; enum values never sent: {', '.join(unsent[:8]) or 'none'}"
            )
        links = self.data["links_followed"]
        lines.append(f"  links followed: {len(links)} ({sum(links.values())} times)")
        if self.known_seen or self.known_no_longer_seen:
            met = ", ".join(f"{name}: {n}" for name, n in sorted(self.known_seen.items()))
            lines.append(f"  known differences met: {met or 'none'}")
            for entry in self.known_no_longer_seen:
                lines.append(f"  known difference no longer seen: {entry.describe()}")
        return lines
