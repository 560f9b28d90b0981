"""docs/publishing.md: its examples run (Python against the mock standing in for the
playground, shell from the repository's root), except those marked as needing a package index,
which tests/devtools/test_wheels.py covers from the built wheels."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import kustom_client
from kustom_devtools.mock_process import running_mock
from kustom_spec import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(<!--[^>]*-->\n)?```(python|sh)\n(.*?)```", re.S)


@dataclass(frozen=True)
class Example:
    language: str
    code: str
    runs: bool  # False when marked "not run" (it needs a package index)


EXAMPLES = [
    Example(language, code, not (marker or "").startswith("<!-- not run"))
    for marker, language, code in BLOCK.findall(DOC)
]
RUN = [e for e in EXAMPLES if e.runs]


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock() as mock:
        yield mock.base_url


def test_the_doc_has_examples_of_each_kind() -> None:
    assert {e.language for e in RUN} == {"python", "sh"}
    assert all("pip install" in e.code for e in EXAMPLES if not e.runs)


@pytest.mark.parametrize("example", [e for e in RUN if e.language == "python"])
def test_python_example_runs(
    example: Example,
    mock_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(kustom_client, "PLAYGROUND_BASE_URL", mock_url)
    exec(compile(example.code, "docs/publishing.md", "exec"), {"__name__": "doc_example"})  # noqa: S102 (our own doc)
    assert "ACCEPTED" in capsys.readouterr().out


@pytest.mark.parametrize("example", [e for e in RUN if e.language == "sh"])
def test_shell_example_runs(example: Example) -> None:
    result = subprocess.run(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", example.code],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
