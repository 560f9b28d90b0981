"""README.md stays a short front page: at most 10 KiB, and its map names every top-level entry
of the repository that git tracks."""

from __future__ import annotations

import re
import subprocess

from kustom_spec import REPO_ROOT

README = REPO_ROOT / "README.md"
MAX_BYTES = 10 * 1024


def top_level_entries() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files"],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name.split("/")[0] for name in listed}


def map_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Where things are\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "the README's map (## Where things are) is missing"
    return match[1]


def test_the_readme_is_at_most_10_kib() -> None:
    size = README.stat().st_size
    assert size <= MAX_BYTES, f"README.md is {size} bytes; move detail to docs/"


def test_the_map_names_every_top_level_entry() -> None:
    named = {span.rstrip("/") for span in re.findall(r"`([^`]+)`", map_section())}
    entries = top_level_entries()
    assert len(entries) >= 20
    missing = sorted(entries - named)
    assert not missing, f"the README's map does not name: {missing}"


def test_the_readme_says_what_the_mock_does_not_do_early() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.index("## What the mock does not do") < 2500
    for page in ("docs/mock.md", "docs/contract-tests.md", "docs/client.md", "docs/spec.md"):
        assert f"({page}" in text
