"""Every Python example in the README runs, against the mock standing in for the playground."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import kustom_client
from kustom_devtools.mock_process import running_mock
from kustom_spec import REPO_ROOT

BLOCKS = re.findall(
    r"```python\n(.*?)```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S
)


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock() as mock:
        yield mock.base_url


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_example_runs(
    code: str, mock_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(kustom_client, "PLAYGROUND_BASE_URL", mock_url)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102 (our own README)
    output = capsys.readouterr().out
    if "print(" in code:
        assert output.strip(), "the example printed nothing"
