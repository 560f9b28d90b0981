"""docs/client.md: every Python example runs verbatim, each in its own process against the
mock, with only the environment variables the page's ``export`` lines set (KUSTOM_BASE_URL
pointed at the mock): what a merchant developer does after ``scripts/mock &``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kustom_spec import REPO_ROOT
from tests.docs.examples import Example, run_by

CLIENT_DOC = (REPO_ROOT / "docs" / "client.md").read_text(encoding="utf-8")
EXAMPLES = run_by("tests/docs/test_client_doc.py", "python")


def exported(text: str) -> dict[str, str]:
    """The variables the doc's shell block exports, as it writes them."""
    return dict(re.findall(r"^export (KUSTOM_\w+)=(\S+)", text, re.M))


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert len(EXAMPLES) == CLIENT_DOC.count("```python")
    assert set(exported(CLIENT_DOC)) == {"KUSTOM_BASE_URL", "KUSTOM_API_KEY", "KUSTOM_USERNAME"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_client_doc_example_runs_with_environment_only(
    example: Example, mock_url: str, tmp_path: Path
) -> None:
    environment = exported(CLIENT_DOC) | {
        "KUSTOM_BASE_URL": mock_url,
        "PATH": os.environ.get("PATH", ""),
    }
    script = tmp_path / "example.py"
    script.write_text(example.code, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 (our own interpreter and documentation)
        [sys.executable, str(script)],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    if "print(" in example.code:
        assert done.stdout.strip(), "the example printed nothing"
