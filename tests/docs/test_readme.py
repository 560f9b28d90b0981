"""Every Python example in the README and in docs/client.md runs, against the mock.

docs/client.md's examples run verbatim, each in its own process, with only the environment
variables its ``export`` lines set (KUSTOM_BASE_URL pointed at the mock): what a merchant
developer does after ``scripts/mock &``. The README's one example (the generated client) names
PLAYGROUND_BASE_URL, which the test points at the mock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import kustom_client
from kustom_devtools.mock_process import running_mock
from kustom_spec import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
CLIENT_DOC = (REPO_ROOT / "docs" / "client.md").read_text(encoding="utf-8")


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def exported(text: str) -> dict[str, str]:
    """The variables the doc's shell block exports, as it writes them."""
    return dict(re.findall(r"^export (KUSTOM_\w+)=(\S+)", text, re.M))


README_BLOCKS = python_blocks(README)
DOC_BLOCKS = python_blocks(CLIENT_DOC)


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock() as mock:
        yield mock.base_url


def test_the_docs_have_examples() -> None:
    assert len(README_BLOCKS) >= 1
    assert len(DOC_BLOCKS) >= 8
    assert "(docs/client.md)" in README
    assert set(exported(CLIENT_DOC)) == {"KUSTOM_BASE_URL", "KUSTOM_API_KEY", "KUSTOM_USERNAME"}


@pytest.mark.parametrize(
    "code", README_BLOCKS, ids=[f"block-{i}" for i in range(len(README_BLOCKS))]
)
def test_readme_example_runs(
    code: str, mock_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(kustom_client, "PLAYGROUND_BASE_URL", mock_url)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102 (our own README)
    output = capsys.readouterr().out
    if "print(" in code:
        assert output.strip(), "the example printed nothing"


@pytest.mark.parametrize("code", DOC_BLOCKS, ids=[f"block-{i}" for i in range(len(DOC_BLOCKS))])
def test_client_doc_example_runs_with_environment_only(
    code: str, mock_url: str, tmp_path: Path
) -> None:
    environment = exported(CLIENT_DOC) | {
        "KUSTOM_BASE_URL": mock_url,
        "PATH": os.environ.get("PATH", ""),
    }
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
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
    if "print(" in code:
        assert done.stdout.strip(), "the example printed nothing"
