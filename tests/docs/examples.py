"""The fenced examples of README.md and docs/*.md, with the marker each carries on the line
before it:

    <!-- runs in tests/docs/test_examples.py, from the repository root -->
    <!-- not run: why not -->

A "runs in" marker names the test module that runs the block and, after a comma, how. Every
Python and shell block must carry one or the other (tests/docs/test_examples.py checks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import kustom_client
from kustom_spec import REPO_ROOT

CHECKED_LANGUAGES = frozenset({"python", "sh", "bash", "shell", "console"})
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(
    r"^<!-- (?:runs in (?P<runner>\S+?)(?:, (?P<how>.+?))?|not run: (?P<reason>.+?)) -->$"
)


@dataclass(frozen=True)
class Example:
    page: str  # relative to the repository's root
    line: int  # of the opening fence, from 1
    language: str
    code: str
    runner: str | None  # the test module that runs it ("tests/docs/test_examples.py")
    how: str  # the runner's mode, from the marker; empty when it names none
    reason: str | None  # why it is not run

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def examples_in(text: str, page: str) -> list[Example]:
    found = []
    for fence in FENCE.finditer(text):
        line = text.count("\n", 0, fence.start()) + 1
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.match(before)
        found.append(
            Example(
                page=page,
                line=line,
                language=fence[1],
                code=fence[2],
                runner=marker["runner"] if marker else None,
                how=(marker["how"] or "") if marker else "",
                reason=marker["reason"] if marker else None,
            )
        )
    return found


def all_examples() -> list[Example]:
    return [
        example
        for path in pages()
        for example in examples_in(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT))
        )
        if example.language in CHECKED_LANGUAGES
    ]


def run_by(test_module: str, language: str | None = None) -> list[Example]:
    """The examples whose marker names ``test_module`` (a path from the repository's root)."""
    return [
        e
        for e in all_examples()
        if e.runner == test_module and (language is None or e.language == language)
    ]


def run_against(example: Example, base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a Python example as written, with the playground's URL pointed at ``base_url``."""
    monkeypatch.setattr(kustom_client, "PLAYGROUND_BASE_URL", base_url)
    code = compile(example.code, example.name, "exec")
    exec(code, {"__name__": "doc_example"})  # noqa: S102 (our own docs)
