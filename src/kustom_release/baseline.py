"""The last released spec, which the breaking-change gate compares openapi.yaml with.

In order: ``--against`` (a file or a git ref); the newest ``spec-vX.Y.Z`` tag; else the
release that CHANGELOG.md (as committed) lists first, read at the commit that added its entry.
Only a repository that records no release at all has a first release with nothing to compare.
A release the changelog lists but git cannot find is an error that says what to do, never a
silent "first release".
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_release.breaking import parse_version
from kustom_release.errors import ReleaseError
from kustom_release.specfile import parse_spec

TAG_PREFIX = "spec-v"
SPEC_NAME = "openapi.yaml"
CHANGELOG_NAME = "CHANGELOG.md"
# A release heading as scripts/publish --release writes it: "## 1.2.0 (2026-11-27)".
RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+\S*) \(", re.M)


class BaselineError(ReleaseError):
    """No baseline can be read where one must exist; the message says what to do."""


@dataclass(frozen=True)
class Baseline:
    """The released spec (None for a first release), where it was read, and the git ref it
    was read at (None for a file: then no other file of that release can be read)."""

    document: dict[str, Any] | None
    source: str
    ref: str | None = None

    @property
    def version(self) -> str | None:
        return None if self.document is None else str(self.document["info"]["version"])


def _git(repo: Path, *args: str) -> str | None:
    """git's output, or None when git fails (no repository, unknown ref, missing file)."""
    result = subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), *args],  # noqa: S607 (git from PATH, like a developer's)
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def newest_release_tag(repo: Path) -> str | None:
    tags = (_git(repo, "tag", "--list", f"{TAG_PREFIX}*") or "").split()
    versions = []
    for tag in tags:
        try:
            versions.append((parse_version(tag.removeprefix(TAG_PREFIX)), tag))
        except ValueError:
            continue  # not a release tag of ours (spec-vnext, ...)
    return max(versions)[1] if versions else None


def changelog_releases(text: str) -> list[str]:
    """Versions in CHANGELOG.md, newest (first) first."""
    return RELEASE_HEADING.findall(text)


def _spec_at(repo: Path, ref: str, source: str) -> dict[str, Any]:
    text = _git(repo, "show", f"{ref}:{SPEC_NAME}")
    if text is None:
        raise BaselineError(f"{source}: git has no {SPEC_NAME} at {ref}")
    return parse_spec(text, source)


@dataclass(frozen=True)
class Released:
    """A release's spec as git records it, where it was read, and the commit or tag."""

    document: dict[str, Any]
    source: str
    ref: str


def _from_changelog(repo: Path, version: str) -> Released:
    heading = f"## {version} ("
    commits = (
        _git(repo, "log", "--reverse", "--format=%H", "-S", heading, "HEAD", "--", CHANGELOG_NAME)
        or ""
    ).split()
    advice = (
        f"tag the commit that released it (git tag {TAG_PREFIX}{version} <commit>), fetch the "
        "whole history if this is a shallow clone (actions/checkout: fetch-depth: 0), or pass "
        "--against with the released spec"
    )
    if not commits:
        raise BaselineError(
            f"{CHANGELOG_NAME} lists release {version}, but no commit adds that entry: {advice}"
        )
    commit = commits[0]
    source = f"commit {commit[:7]}, which added {version} to {CHANGELOG_NAME}"
    document = _spec_at(repo, commit, source)
    if document["info"]["version"] != version:
        raise BaselineError(
            f"{CHANGELOG_NAME} lists release {version}, but {SPEC_NAME} at commit {commit[:7]} "
            f"is version {document['info']['version']}: {advice}"
        )
    return Released(document, source, commit)


def release(repo: Path, version: str) -> Released:
    """The release ``version``: at its tag, else at the commit that added its CHANGELOG.md
    entry; raises BaselineError or specfile.InvalidSpec."""
    tag = f"{TAG_PREFIX}{version}"
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}") is not None:
        return Released(_spec_at(repo, tag, tag), tag, tag)
    return _from_changelog(repo, version)


def find_baseline(repo: Path, against: str | None = None) -> Baseline:
    """The spec to compare with; raises BaselineError or specfile.InvalidSpec."""
    if against is not None:
        path = Path(against)
        if path.is_file():
            return Baseline(parse_spec(path.read_text(encoding="utf-8"), str(path)), str(path))
        if _git(repo, "rev-parse", "--verify", "--quiet", f"{against}^{{commit}}") is None:
            raise BaselineError(f"--against {against}: neither a file nor a git ref")
        return Baseline(_spec_at(repo, against, against), against, against)
    tag = newest_release_tag(repo)
    if tag is not None:
        return Baseline(_spec_at(repo, tag, tag), tag, tag)
    committed = _git(repo, "show", f"HEAD:{CHANGELOG_NAME}")
    releases = changelog_releases(committed or "")
    if releases:
        released = _from_changelog(repo, releases[0])
        return Baseline(released.document, released.source, released.ref)
    on_disk = repo / CHANGELOG_NAME
    if committed is None and on_disk.is_file():
        unrecorded = changelog_releases(on_disk.read_text(encoding="utf-8"))
        if unrecorded:
            raise BaselineError(
                f"{CHANGELOG_NAME} lists release {unrecorded[0]}, but git does not record it "
                f"(no repository, or the file is not committed): commit it, tag the release "
                f"({TAG_PREFIX}{unrecorded[0]}), or pass --against with the released spec"
            )
    return Baseline(None, f"no {TAG_PREFIX}* tag and no release in {CHANGELOG_NAME}")
