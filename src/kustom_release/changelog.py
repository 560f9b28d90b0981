"""CHANGELOG.md: each release's entry as ``scripts/publish --release`` writes it, read back,
and held to the breaking-change gate.

One version names the kit (docs/publishing.md), and an entry says which part changed, a pair
of lists per part ("### Spec: breaking changes", "### Client layer: other changes", ...).
An entry agrees with the gate when it is compared with the release listed below it; its Spec
lists are exactly the gate's changes between the two releases' specs and its Client layer
lists exactly the changes to the client layer's public API (``python_api.py``), each bullet
one ``Change.line()``; the Mock's lists (and the Generated client's, for what a generator
upgrade changes without the spec) are stated by hand, and a Mock section is there whenever the
mock's sources changed; and the version step is the largest any part needs. Prose outside the
lists is free. The oldest entry is a first release and lists nothing. Entries up to
``PARTS_SINCE`` were written before the per-part rule: their "### Breaking changes" and
"### Other changes" are the spec's and nothing else is held. Each release is read from git
the way the gate finds a baseline (``baseline.release``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kustom_release.baseline import RELEASE_HEADING, Baseline, BaselineError, release
from kustom_release.breaking import compare, gate, parse_version
from kustom_release.change import Change
from kustom_release.errors import ReleaseError
from kustom_release.python_api import CLIENT_LAYER, compare_api

HEADER = (
    "# Changelog\n\nReleases of openapi.yaml, the generated client, the client layer and the "
    "mock (one version).\n\n"
)
SPEC = "Spec"
MOCK = "Mock"
GENERATED = "Generated client"
PARTS = (SPEC, GENERATED, CLIENT_LAYER, MOCK)
CHECKED = (SPEC, CLIENT_LAYER)  # the others are stated by hand
BREAKING = "breaking changes"
OTHER = "other changes"
FIXES = "fixes"  # stated parts only: a fix a user may notice, which a patch may carry
# The last release written before the per-part rule: its lists are the spec's, under these.
PARTS_SINCE = "2.2.0"
LEGACY = {"### Breaking changes": (SPEC, BREAKING), "### Other changes": (SPEC, OTHER)}
MOCK_SOURCES = "src/kustom_mock"  # a change here needs the entry's Mock section
NO_CHANGE = "No change to the contract's requests or responses."
FIRST = "First release of the contract"
COMPARED = re.compile(r"^Compared with (\S+) \(", re.M)


def heading(part: str, kind: str) -> str:
    return f"### {part}: {kind}"


class ChangelogError(ReleaseError):
    """CHANGELOG.md cannot take the entry (it already has that version)."""


@dataclass(frozen=True)
class Entry:
    """One release's entry: its version, what it says it was compared with, its lists by
    (part, kind)."""

    version: str
    text: str
    compared_with: str | None
    lists: dict[tuple[str, str], frozenset[str]]

    def said(self, part: str, kind: str) -> frozenset[str]:
        return self.lists.get((part, kind), frozenset())

    def states(self, part: str) -> bool:
        return any(listed == part for listed, _ in self.lists)


def _lists(body: str) -> dict[tuple[str, str], frozenset[str]]:
    """The bullets under each "### Part: kind" heading (or a legacy one) of an entry."""
    known = {heading(p, k): (p, k) for p in PARTS for k in (BREAKING, OTHER, FIXES)}
    found: dict[tuple[str, str], frozenset[str]] = {}
    for section in body.split("\n### ")[1:]:
        title, _, rest = section.partition("\n")
        key = known.get(f"### {title.strip()}") or LEGACY.get(f"### {title.strip()}")
        if key is not None:
            bullets = frozenset(line[2:] for line in rest.splitlines() if line.startswith("- "))
            found[key] = found.get(key, frozenset()) | bullets
    return found


def entries(text: str) -> list[Entry]:
    """The entries of CHANGELOG.md's text, newest (first) first."""
    bounds = [match.start() for match in RELEASE_HEADING.finditer(text)] + [len(text)]
    found = []
    for start, end in itertools.pairwise(bounds):
        body = text[start:end].rstrip("\n") + "\n"
        head = RELEASE_HEADING.match(body)
        compared = COMPARED.search(body)
        found.append(
            Entry(
                version=head.group(1) if head else "",
                text=body,
                compared_with=compared.group(1) if compared else None,
                lists=_lists(body),
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
    if not any(c.part == SPEC for c in changes):
        lines += [NO_CHANGE, ""]
    for part in CHECKED:
        for kind, breaking in ((BREAKING, True), (OTHER, False)):
            listed = sorted(
                {c.line() for c in changes if c.part == part and c.breaking is breaking}
            )
            if listed:
                lines += [heading(part, kind), "", *[f"- {line}" for line in listed], ""]
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


def mock_changed(repo: Path, old_ref: str, new_ref: str | None) -> bool:
    """Whether the mock's sources differ between two refs (None: the work tree)."""
    refs = [old_ref] if new_ref is None else [old_ref, new_ref]
    result = subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), "diff", "--quiet", *refs, "--", MOCK_SOURCES],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if result.returncode > 1:
        raise ChangelogError(f"git diff {' '.join(refs)}: {result.stderr.decode().strip()}")
    return result.returncode == 1


def stated(entry: Entry) -> list[Change]:
    """The changes an entry states by hand (the parts no tool classifies); fixes need no
    more than a patch, so they are not the gate's."""
    return [
        Change("stated", part, kind == BREAKING, line, part)
        for part in PARTS
        if part not in CHECKED
        for kind in (BREAKING, OTHER)
        for line in entry.said(part, kind)
    ]


def _compare_lists(entry: Entry, part: str, changes: list[Change]) -> list[str]:
    problems = []
    for kind, breaking in ((BREAKING, True), (OTHER, False)):
        said = entry.said(part, kind)
        found = {c.line() for c in changes if c.part == part and c.breaking is breaking}
        missing, invented = found - said, said - found
        if missing or invented:
            problems.append(
                f"{entry.version}: the gate finds {len(found)} {part} {kind}, the entry "
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
    return problems


def disagreements(repo: Path, text: str) -> list[str]:
    """Where the entries of ``text`` (CHANGELOG.md) and the gate disagree; empty: they agree."""
    problems: list[str] = []
    listed = entries(text)
    for entry, older in itertools.zip_longest(listed, listed[1:]):
        if older is None:
            if entry.compared_with is not None or entry.lists:
                problems.append(f"{entry.version}: the oldest entry lists changes")
            continue
        if entry.compared_with != older.version:
            problems.append(
                f"{entry.version}: compared with {entry.compared_with}, but the release below "
                f"it is {older.version}"
            )
            continue
        try:
            before, after = release(repo, older.version), release(repo, entry.version)
        except BaselineError as exc:
            problems.append(f"{entry.version}: {exc}")
            continue
        changes = compare(before.document, after.document)
        if parse_version(entry.version) > parse_version(PARTS_SINCE):
            changes += compare_api(repo, before.ref, after.ref)
            if mock_changed(repo, before.ref, after.ref) and not entry.states(MOCK):
                problems.append(
                    f"{entry.version}: {MOCK_SOURCES} changed since {older.version}, and the "
                    f"entry has no {MOCK} section ({heading(MOCK, BREAKING)}, "
                    f"{heading(MOCK, OTHER)} or {heading(MOCK, FIXES)})"
                )
        for part in CHECKED:
            problems += _compare_lists(entry, part, changes)
        if not any(c.part == SPEC for c in changes) and NO_CHANGE not in entry.text:
            problems.append(f"{entry.version}: no change, and the entry does not say so")
        steps = gate(older.version, entry.version, changes + stated(entry))
        problems += [f"{entry.version}: {p}" for p in steps]
    return problems
