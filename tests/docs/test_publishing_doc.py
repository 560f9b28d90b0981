"""docs/publishing.md: its examples run (Python against the mock standing in for the
playground, shell from the repository's root), except those marked as needing a package index,
which tests/release/test_wheels.py covers from the built wheels."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from kustom_spec import REPO_ROOT
from tests.docs.examples import Example, all_examples, run_by

THIS = "tests/docs/test_publishing_doc.py"
PYTHON = run_by(THIS, "python")
SHELL = run_by(THIS, "sh")
NOT_RUN = [e for e in all_examples() if e.page == "docs/publishing.md" and e.reason is not None]


def test_the_doc_has_examples_of_each_kind() -> None:
    assert PYTHON
    assert SHELL
    assert NOT_RUN
    # Not run here: installs from a package index, or commands a toolchain test runs itself.
    assert all("pip install" in e.code or "tests/toolchains/" in (e.reason or "") for e in NOT_RUN)


@pytest.mark.parametrize("example", PYTHON, ids=[e.name for e in PYTHON])
def test_python_example_runs(
    example: Example, run_on_the_mock: Callable[[Example], None], capsys: pytest.CaptureFixture[str]
) -> None:
    run_on_the_mock(example)
    assert "ACCEPTED" in capsys.readouterr().out


@pytest.mark.parametrize("example", SHELL, ids=[e.name for e in SHELL])
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
