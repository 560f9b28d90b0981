"""CHANGELOG.md agrees with the breaking-change gate for every release it lists: each entry's
two lists are exactly the gate's classification of the change from the release below it
(both specs read from git history), and the gate allows the version step."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from kustom_release.baseline import Baseline
from kustom_release.breaking import compare
from kustom_release.changelog import (
    NO_CHANGE,
    disagreements,
    entries,
    prepend,
    release_notes,
)
from kustom_release.publish import gate_release
from kustom_release.python_api import compare_api
from kustom_spec import REPO_ROOT, load_spec
from tests.release.git_repo import git, new_repo

TEXT = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
FORMAT_BREAK = "request.order_amount: format None -> int64"
# 2.0.0 was written before the per-part headings: its lists are the spec's.
BREAKING, OTHER = "### Breaking changes", "### Other changes"


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
    breaking = listed.said("Spec", "breaking changes")
    assert len(breaking) == 13
    assert any(FORMAT_BREAK in line for line in breaking)


def test_an_entry_that_omits_a_break_disagrees() -> None:
    text = edit_entry("2.0.0", bullet("2.0.0", FORMAT_BREAK), "")
    problems = disagreements(REPO_ROOT, text)
    assert len(problems) == 1, problems
    assert problems[0].startswith(
        "2.0.0: the gate finds 13 Spec breaking changes, the entry lists 12"
    )
    assert (
        f"Not listed (1): POST /customer-token/v1/tokens/{{customerToken}}/order {FORMAT_BREAK}"
        in problems[0]
    )


def test_an_entry_that_invents_a_break_disagrees() -> None:
    invented = "- security: authentication changed\n"
    text = edit_entry("2.0.0", f"{BREAKING}\n\n", f"{BREAKING}\n\n{invented}")
    problems = disagreements(REPO_ROOT, text)
    assert problems == [
        "2.0.0: the gate finds 13 Spec breaking changes, the entry lists 14. "
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
        "2.0.0: the gate finds 13 Spec breaking changes, the entry lists 12",
        "2.0.0: the gate finds 50 Spec other changes, the entry lists 51",
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


def _release(repo: Path, document: dict[str, Any], notes: str) -> str:
    """Commit ``document`` with ``notes`` on top of CHANGELOG.md, as a release does."""
    (repo / "openapi.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    path = repo / "CHANGELOG.md"
    prepend(path, notes)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", f"release {document['info']['version']}")
    return path.read_text(encoding="utf-8")


def test_a_version_step_the_gate_refuses_disagrees(tmp_path: Path) -> None:
    """The lists are right and the version is not: an addition released as a patch."""
    repo = new_repo(tmp_path / "repo")
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


CLIENT_V1 = (
    '__all__ = ["get_token"]\n\n\ndef get_token(token: str) -> dict[str, str]:\n    return {}\n'
)
CLIENT_V2 = '__all__ = ["get_token"]\n\n\ndef get_token(token: str) -> str:\n    return ""\n'


class Kit:
    """A repository with a spec, a client layer and a mock, released entry by entry."""

    def __init__(self, root: Path) -> None:
        self.repo = new_repo(root / "repo")
        self.spec = copy.deepcopy(load_spec().document)
        self.write("src/kustom_client/__init__.py", CLIENT_V1)
        self.write("src/kustom_mock/__init__.py", '"""The mock."""\n')
        self.spec["info"]["version"] = "3.0.0"
        self.text = _release(
            self.repo, self.spec, release_notes("3.0.0", Baseline(None, "no release"), [])
        )
        self.released = copy.deepcopy(self.spec)

    def write(self, path: str, text: str) -> None:
        (self.repo / path).parent.mkdir(parents=True, exist_ok=True)
        (self.repo / path).write_text(text, encoding="utf-8")

    def release(self, version: str, by_hand: str = "") -> str:
        """Release the work tree as ``version`` with the entry scripts/publish writes, plus
        ``by_hand`` (the stated parts)."""
        before = self.released
        self.spec["info"]["version"] = version
        head = git(self.repo, "rev-parse", "HEAD")
        changes = compare(before, self.spec) + compare_api(self.repo, head, None)
        baseline = Baseline(before, "the previous release", head)
        self.text = _release(
            self.repo, self.spec, release_notes(version, baseline, changes) + "\n" + by_hand
        )
        self.released = copy.deepcopy(self.spec)
        return self.text


def test_the_client_layer_lists_are_the_gate_s(tmp_path: Path) -> None:
    kit = Kit(tmp_path)
    kit.write("src/kustom_client/__init__.py", CLIENT_V2)
    text = kit.release("4.0.0")
    entry = entry_of(text, "4.0.0")
    assert (
        "### Client layer: breaking changes\n\n"
        "- kustom_client.get_token: return type dict[str, str] -> str\n"
    ) in entry
    assert NO_CHANGE in entry  # the spec's part: nothing
    assert disagreements(kit.repo, text) == []
    omitted = text.replace("- kustom_client.get_token: return type dict[str, str] -> str\n", "")
    assert disagreements(kit.repo, omitted) == [
        "4.0.0: the gate finds 1 Client layer breaking changes, the entry lists 0. Not listed "
        "(1): kustom_client.get_token: return type dict[str, str] -> str"
    ]


def test_a_client_layer_break_needs_a_major_version(tmp_path: Path) -> None:
    kit = Kit(tmp_path)
    kit.write("src/kustom_client/__init__.py", CLIENT_V2)
    text = kit.release("3.1.0")
    assert disagreements(kit.repo, text) == [
        "3.1.0: 1 breaking change(s) (Client layer 1) need a major version: 3.0.0 -> 3.1.0 "
        "(bump info.version to 4.0.0)"
    ]


def test_the_mock_s_changes_are_stated_and_step_the_version(tmp_path: Path) -> None:
    kit = Kit(tmp_path)
    kit.write("src/kustom_mock/__init__.py", '"""The mock, with a new flag."""\n')
    text = kit.release("3.0.1")
    assert disagreements(kit.repo, text) == [
        "3.0.1: src/kustom_mock changed since 3.0.0, and the entry has no Mock section "
        "(### Mock: breaking changes, ### Mock: other changes or ### Mock: fixes)"
    ]
    fixed = text.replace(
        "## 3.0.0 (", "### Mock: fixes\n\n- --port 0 printed the wrong port\n\n## 3.0.0 (", 1
    )
    assert disagreements(kit.repo, fixed) == []
    broken = text.replace(
        "## 3.0.0 (", "### Mock: breaking changes\n\n- --db removed\n\n## 3.0.0 (", 1
    )
    assert disagreements(kit.repo, broken) == [
        "3.0.1: 1 breaking change(s) (Mock 1) need a major version: 3.0.0 -> 3.0.1 "
        "(bump info.version to 4.0.0)"
    ]


def test_the_largest_part_steps_the_kit(tmp_path: Path) -> None:
    """A spec addition and a mock break: one major version for both."""
    kit = Kit(tmp_path)
    kit.spec["components"]["schemas"]["OrderRequest"]["properties"]["locale"] = {"type": "string"}
    kit.write("src/kustom_mock/__init__.py", '"""The mock, without --db."""\n')
    text = kit.release("4.0.0", "### Mock: breaking changes\n\n- --db removed\n")
    entry = entry_of(text, "4.0.0")
    assert "### Spec: other changes\n\n" in entry
    assert disagreements(kit.repo, text) == []


def test_the_gate_before_a_release_sees_the_client_layer_and_the_mock(tmp_path: Path) -> None:
    """scripts/publish's gate on a work tree: the client layer's break refuses a minor, and a
    changed mock is a reminder to state its changes in the entry."""
    kit = Kit(tmp_path)
    kit.write("src/kustom_client/__init__.py", CLIENT_V2)
    kit.write("src/kustom_mock/__init__.py", '"""The mock, with a new flag."""\n')
    kit.spec["info"]["version"] = "3.1.0"
    result = gate_release(kit.spec, kit.repo, None)
    assert result.problems == [
        "1 breaking change(s) (Client layer 1) need a major version: 3.0.0 -> 3.1.0 "
        "(bump info.version to 4.0.0)"
    ]
    assert "### Client layer: breaking changes" in result.notes
    assert result.reminders == [
        "src/kustom_mock changed since 3.0.0: state its changes in the entry by hand "
        "(### Mock: breaking changes, ### Mock: other changes or ### Mock: fixes) and step the "
        "version for them too"
    ]
