"""A throwaway git repository for the release tests, which read releases from git history."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    """git's output in ``repo``; a failure fails the test."""
    return subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), *args],  # noqa: S607 (git from PATH, as the tools run it)
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def new_repo(path: Path) -> Path:
    """An empty repository at ``path`` (created) with a committer of its own."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "release-tests@test.invalid")
    git(path, "config", "user.name", "release tests")
    return path
