"""A live target's known, accepted differences from the spec, each with its reason: a file
(KUSTOM_KNOWN_DIFFERENCES, for instance contract-known-differences.yaml) so that a run against
a live server fails only on differences that are new, and says which entries no longer occur.

Not kustom_release's baseline (the release gate's record of the spec's published shape): this
one is about what a server does. The file:

    differences:
      - operation: createOrder          # an operationId, or "*" for any
        finding: response.error-code    # a conformance rule, a Schemathesis code (ST101), or
                                        # provoked.status / .error-code / .body
        contains: "404"                 # optional: a text the failure's message holds
        reason: Kustom answers NOT_FOUND here; asked on 2026-12-01 (ticket 123)

A failing case is known when every finding of it matches an entry; it then passes and counts
against its entries in the summary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kustom_conformance import RULES
from kustom_contract.config import KNOWN_DIFFERENCES_ENV as ENV
from kustom_contract.errors import SettingError

# How a Violation names its rule in a failure's message (kustom_conformance.Violation.__str__).
_RULE_IN_MESSAGE = re.compile(r"\bbreaks (\S+?)(?: \(|:)")


@dataclass(frozen=True)
class Finding:
    """One thing a failure found: where, what (a rule id or a check's code), and its text."""

    operation: str
    finding: str
    message: str


@dataclass(frozen=True)
class Entry:
    operation: str
    finding: str
    reason: str
    contains: str = ""

    def matches(self, found: Finding) -> bool:
        return (
            self.operation in ("*", found.operation)
            and self.finding == found.finding
            and self.contains in found.message
        )

    def describe(self) -> str:
        text = f" containing {self.contains!r}" if self.contains else ""
        return f"{self.operation} {self.finding}{text}"


@dataclass
class KnownDifferences:
    """The entries; ``seen`` counts the failures each covered, by ``Entry.describe()`` (a plain
    string, so that every process's count merges: kustom_contract/coverage.py)."""

    entries: tuple[Entry, ...] = ()
    seen: Counter[str] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: Path) -> KnownDifferences:
        """The file's entries; a SettingError naming what is wrong with it."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SettingError(f"{ENV}: cannot read {path.name}: {exc}") from None
        raw = data.get("differences") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise SettingError(f"{ENV}: {path.name} must hold a list under 'differences'")
        return cls(tuple(_entry(item, n, path.name) for n, item in enumerate(raw, 1)))

    def known(self, findings: Iterable[Finding]) -> bool:
        """Whether every finding is a known difference (then each is counted against its
        entry); False when any is new, or when there is none."""
        matched = []
        for found in findings:
            entry = next((e for e in self.entries if e.matches(found)), None)
            if entry is None:
                return False
            matched.append(entry)
        self.seen.update(entry.describe() for entry in matched)
        return bool(matched)

    def no_longer_seen(self, seen: Mapping[str, int]) -> list[Entry]:
        """The entries no failure of the run matched (``seen``: the merged counts)."""
        return [entry for entry in self.entries if not seen.get(entry.describe())]


def _entry(item: Any, number: int, name: str) -> Entry:
    if not isinstance(item, Mapping):
        raise SettingError(f"{ENV}: {name}: entry {number} is not a mapping")
    values = {key: item.get(key) for key in ("operation", "finding", "reason", "contains")}
    missing = [key for key in ("finding", "reason") if not isinstance(values[key], str)]
    if missing or not str(values["reason"] or "").strip():
        raise SettingError(
            f"{ENV}: {name}: entry {number} needs {' and '.join(missing) or 'a reason'}"
        )
    return Entry(
        str(values["operation"] or "*"),
        str(values["finding"]),
        str(values["reason"]),
        str(values["contains"] or ""),
    )


def findings_of(operation: str, error: BaseException) -> list[Finding]:
    """What a failing case found: each Schemathesis failure by its code, each of the run's own
    checks by the conformance rules its message names (kustom_contract/checks.py)."""
    failures = list(getattr(error, "exceptions", ())) or [error]
    found = []
    for failure in failures:
        message = str(getattr(failure, "message", "") or failure)
        rules = [rule for rule in _RULE_IN_MESSAGE.findall(message) if rule in RULES]
        code = getattr(failure, "code", None)
        if rules:
            found += [Finding(operation, rule, message) for rule in rules]
        elif isinstance(code, str) and code != "ST901":
            found.append(Finding(operation, code, message))
        else:
            found.append(Finding(operation, type(failure).__name__, message))
    return found
