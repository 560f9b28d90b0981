"""CHANGELOG.md agrees with the breaking-change gate for every release it lists: each entry's
two lists are exactly the gate's classification of the change from the release below it
(both specs read from git history), and the gate allows the version step."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import yaml

from kustom_release.baseline import Baseline
from kustom_release.breaking import compare
from kustom_release.changelog import (
    BREAKING,
    OTHER,
    disagreements,
    entries,
    prepend,
    release_notes,
)
from kustom_spec import REPO_ROOT, load_spec

TEXT = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
FORMAT_BREAK = "request.order_amount: format None -> int64"


def entry_of(text: str, version: str) -> str:
    return next(entry.text for entry in entries(text) if entry.version == version)


def edit_entry(version: str, old: str, new: str) -> str:
    """CHANGELOG.md with one replacement inside ``version``'s entry only."""
    entry = entry_of(TEXT, version)
    assert old in entry, old
    return TEXT.replace(entry, entry.replace(old, new, 1))


def bullet(version: str, needle: str) -> str:
    return next(line for line in entry_of(TEXT, version).splitlines() if needle in line) + "\n"


def test_every_entry_agrees_with_the_gate() -> None:
    versions = [tuple(map(int, entry.version.split("."))) for entry in entries(TEXT)]
    assert versions == sorted(versions, reverse=True)
    assert versions[-1] == (1, 0, 0)  # every release down to the first
    assert len(versions) >= 4
    assert disagreements(REPO_ROOT, TEXT) == []


def test_2_0_0_lists_every_break_the_gate_finds() -> None:
    listed = next(entry for entry in entries(TEXT) if entry.version == "2.0.0")
    assert len(listed.breaking) == 13
    assert any(FORMAT_BREAK in line for line in listed.breaking)


def test_an_entry_that_omits_a_break_disagrees() -> None:
    text = edit_entry("2.0.0", bullet("2.0.0", FORMAT_BREAK), "")
    problems = disagreements(REPO_ROOT, text)
    assert len(problems) == 1, problems
    assert problems[0].startswith("2.0.0: the gate finds 13 breaking change(s), the entry lists 12")
    assert (
        f"Not listed (1): POST /customer-token/v1/tokens/{{customerToken}}/order {FORMAT_BREAK}"
        in problems[0]
    )


def test_an_entry_that_invents_a_break_disagrees() -> None:
    invented = "- security: authentication changed\n"
    text = edit_entry("2.0.0", f"{BREAKING}\n\n", f"{BREAKING}\n\n{invented}")
    problems = disagreements(REPO_ROOT, text)
    assert problems == [
        "2.0.0: the gate finds 13 breaking change(s), the entry lists 14. "
        "Not found by the gate (1): security: authentication changed"
    ]


def test_a_break_listed_as_another_change_disagrees() -> None:
    line = bullet("2.0.0", FORMAT_BREAK)
    text = edit_entry("2.0.0", line, "")
    text = text.replace(
        entry_of(text, "2.0.0"),
        entry_of(text, "2.0.0").replace(f"{OTHER}\n\n", f"{OTHER}\n\n{line}"),
    )
    problems = disagreements(REPO_ROOT, text)
    assert [p.split(". ")[0] for p in problems] == [
        "2.0.0: the gate finds 13 breaking change(s), the entry lists 12",
        "2.0.0: the gate finds 50 other change(s), the entry lists 51",
    ]


def test_an_entry_compared_with_the_wrong_release_disagrees() -> None:
    text = edit_entry("2.1.0", "Compared with 2.0.0 (", "Compared with 1.0.0 (")
    assert disagreements(REPO_ROOT, text) == [
        "2.1.0: compared with 1.0.0, but the release below it is 2.0.0"
    ]


def test_a_release_git_does_not_record_disagrees() -> None:
    """An entry nobody committed: its spec cannot be read, which is not agreement."""
    newest = entries(TEXT)[0].version
    major, minor, _ = newest.split(".")
    version = f"{major}.{int(minor) + 1}.0"
    made_up = f"## {version} (2026-12-31)\n\nCompared with {newest} (a guess).\n\nNo change.\n\n"
    text = TEXT.replace(f"## {newest} (", made_up + f"## {newest} (", 1)
    (problem,) = disagreements(REPO_ROOT, text)
    assert problem.startswith(
        f"{version}: CHANGELOG.md lists release {version}, but no commit adds that entry"
    )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)  # noqa: S603, S607


def _release(repo: Path, document: dict[str, Any], notes: str) -> str:
    """Commit ``document`` with ``notes`` on top of CHANGELOG.md, as a release does."""
    (repo / "openapi.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    path = repo / "CHANGELOG.md"
    prepend(path, notes)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", f"release {document['info']['version']}")
    return path.read_text(encoding="utf-8")


def test_a_version_step_the_gate_refuses_disagrees(tmp_path: Path) -> None:
    """The lists are right and the version is not: an addition released as a patch."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "changelog@test.invalid")
    _git(repo, "config", "user.name", "changelog test")
    first = copy.deepcopy(load_spec().document)
    first["info"]["version"] = "1.0.0"
    _release(repo, first, release_notes("1.0.0", Baseline(None, "no release"), []))
    second = copy.deepcopy(first)
    second["info"]["version"] = "1.0.1"
    second["components"]["schemas"]["OrderRequest"]["properties"]["locale"] = {"type": "string"}
    changes = compare(first, second)
    text = _release(repo, second, release_notes("1.0.1", Baseline(first, "1.0.0"), changes))
    assert disagreements(repo, text) == [
        "1.0.1: 1 addition(s) need at least a minor version: 1.0.0 -> 1.0.1 "
        "(bump info.version to 1.1.0)"
    ]
