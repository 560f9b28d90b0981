"""CHANGELOG.md: each release's entry as ``scripts/publish --release`` writes it, read back,
and held to the breaking-change gate.

An entry agrees with the gate when it is compared with the release listed below it, its
"Breaking changes" bullets are exactly the gate's breaking changes between the two releases'
specs, its "Other changes" bullets exactly the other changes (each bullet one line of
``Change.line()``: the place and what changed there), and the gate lets the version step
through. Prose outside the two lists (why a change was made, what to do) is free. The oldest
entry is a first release and lists nothing. Each release's spec is read from git the way
the gate finds a baseline (``baseline.release_spec``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from kustom_release.baseline import RELEASE_HEADING, Baseline, BaselineError, release_spec
from kustom_release.breaking import compare, gate
from kustom_release.change import Change
from kustom_release.errors import ReleaseError

HEADER = (
    "# Changelog\n\nReleases of openapi.yaml, the generated client, the client layer and the "
    "mock (one version).\n\n"
)
BREAKING = "### Breaking changes"
OTHER = "### Other changes"
NO_CHANGE = "No change to the contract's requests or responses."
FIRST = "First release of the contract"
COMPARED = re.compile(r"^Compared with (\S+) \(", re.M)


class ChangelogError(ReleaseError):
    """CHANGELOG.md cannot take the entry (it already has that version)."""


@dataclass(frozen=True)
class Entry:
    """One release's entry: its version, what it says it was compared with, its two lists."""

    version: str
    text: str
    compared_with: str | None
    breaking: frozenset[str]
    other: frozenset[str]


def _bullets(text: str, heading: str) -> frozenset[str]:
    if heading not in text:
        return frozenset()
    section = text.split(heading, 1)[1].split("\n### ", 1)[0]
    return frozenset(line[2:] for line in section.splitlines() if line.startswith("- "))


def entries(text: str) -> list[Entry]:
    """The entries of CHANGELOG.md's text, newest (first) first."""
    bounds = [match.start() for match in RELEASE_HEADING.finditer(text)] + [len(text)]
    found = []
    for start, end in itertools.pairwise(bounds):
        body = text[start:end].rstrip("\n") + "\n"
        heading = RELEASE_HEADING.match(body)
        compared = COMPARED.search(body)
        found.append(
            Entry(
                version=heading.group(1) if heading else "",
                text=body,
                compared_with=compared.group(1) if compared else None,
                breaking=_bullets(body, BREAKING),
                other=_bullets(body, OTHER),
            )
        )
    return found


def release_notes(version: str, baseline: Baseline, changes: list[Change]) -> str:
    """The entry for ``version``, compared with ``baseline``."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [f"## {version} ({today})", ""]
    if baseline.document is None:
        lines += [f"{FIRST} ({baseline.source}).", ""]
        return "\n".join(lines)
    lines += [f"Compared with {baseline.version} ({baseline.source}).", ""]
    breaking = sorted({c.line() for c in changes if c.breaking})
    other = sorted({c.line() for c in changes if not c.breaking})
    if not changes:
        lines += [NO_CHANGE, ""]
    if breaking:
        lines += [BREAKING, "", *[f"- {line}" for line in breaking], ""]
    if other:
        lines += [OTHER, "", *[f"- {line}" for line in other], ""]
    return "\n".join(lines)


def entry_for(path: Path, version: str) -> str | None:
    """``version``'s entry in the file at ``path``, once ``--release`` has written it."""
    if not path.exists():
        return None
    for entry in entries(path.read_text(encoding="utf-8")):
        if entry.version == version:
            return entry.text
    return None


def prepend(path: Path, notes: str) -> None:
    """``notes`` as the newest entry of the file at ``path`` (created with its header)."""
    existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    first = RELEASE_HEADING.search(existing)
    cut = first.start() if first else len(existing)
    version = notes.splitlines()[0].removeprefix("## ").split(" (")[0]
    if any(entry.version == version for entry in entries(existing)):
        raise ChangelogError(f"{path.name} already has {version}")
    path.write_text(existing[:cut] + notes + "\n" + existing[cut:], encoding="utf-8")


def _listed(label: str, lines: frozenset[str]) -> str:
    return f"{label} ({len(lines)}): " + "; ".join(sorted(lines)) if lines else ""


def disagreements(repo: Path, text: str) -> list[str]:
    """Where the entries of ``text`` (CHANGELOG.md) and the gate disagree; empty: they agree."""
    problems: list[str] = []
    listed = entries(text)
    for entry, older in itertools.zip_longest(listed, listed[1:]):
        if older is None:
            if entry.compared_with is not None or entry.breaking or entry.other:
                problems.append(f"{entry.version}: the oldest entry lists changes")
            continue
        if entry.compared_with != older.version:
            problems.append(
                f"{entry.version}: compared with {entry.compared_with}, but the release below "
                f"it is {older.version}"
            )
            continue
        try:
            before = release_spec(repo, older.version)
            after = release_spec(repo, entry.version)
        except BaselineError as exc:
            problems.append(f"{entry.version}: {exc}")
            continue
        changes = compare(before, after)
        for label, said, found in (
            ("breaking", entry.breaking, {c.line() for c in changes if c.breaking}),
            ("other", entry.other, {c.line() for c in changes if not c.breaking}),
        ):
            missing, invented = found - said, said - found
            if missing or invented:
                problems.append(
                    f"{entry.version}: the gate finds {len(found)} {label} change(s), the entry "
                    f"lists {len(said)}. "
                    + " ".join(
                        part
                        for part in (
                            _listed("Not listed", frozenset(missing)),
                            _listed("Not found by the gate", frozenset(invented)),
                        )
                        if part
                    )
                )
        if not changes and NO_CHANGE not in entry.text:
            problems.append(f"{entry.version}: no change, and the entry does not say so")
        problems += [f"{entry.version}: {p}" for p in gate(older.version, entry.version, changes)]
    return problems
