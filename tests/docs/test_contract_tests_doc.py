"""docs/contract-tests.md says what the contract run does: every variable scripts/contract-test
--help lists is in its table, the bounds' defaults are the code's, the lines it quotes are the
ones the run prints (the behaviour itself: contract_tests/test_hostile_targets.py), the
conformance core's example prints what the page says, and the package's table names every
module of kustom_contract."""

from __future__ import annotations

import re
import subprocess
import sys

from kustom_contract.command import HELP
from kustom_contract.config import (
    DEFAULT_REQUEST_SECONDS,
    DEFAULT_RUN_SECONDS,
    LONG_RUN_SECONDS,
    Bounds,
)
from kustom_contract.transport import Stop
from kustom_spec import REPO_ROOT
from tests.docs.examples import run_by

DOC = (REPO_ROOT / "docs" / "contract-tests.md").read_text(encoding="utf-8")


def table() -> dict[str, str]:
    """The variables table: each variable's default cell (a row may name two)."""
    defaults = {}
    for row in re.findall(r"^\| `KUSTOM_.*$", DOC, re.M):
        cells = row.split("|")
        for name in re.findall(r"`(KUSTOM_\w+)`", cells[1]):
            defaults[name] = cells[2].strip()
    return defaults


def test_every_variable_of_the_help_is_in_the_table() -> None:
    listed = set(re.findall(r"^  (KUSTOM_\w+)", HELP, re.M))
    assert {"KUSTOM_REQUEST_TIMEOUT", "KUSTOM_RUN_TIMEOUT"} <= listed
    missing = sorted(listed - set(table()))
    assert not missing, missing


def test_the_bounds_defaults_are_the_codes() -> None:
    rows = table()
    assert rows["KUSTOM_REQUEST_TIMEOUT"] == f"`{DEFAULT_REQUEST_SECONDS:g}`"
    run = rows["KUSTOM_RUN_TIMEOUT"]
    assert f"`{DEFAULT_RUN_SECONDS:g}` against the spawned mock" in run
    assert f"`{LONG_RUN_SECONDS:g}` (3 h) for `--deep` or with `KUSTOM_BASE_URL`" in run
    assert f"{DEFAULT_RUN_SECONDS:g} s for the quick and default runs" in DOC
    assert f"{LONG_RUN_SECONDS:g} s (3 hours) for `--deep`" in DOC


def test_the_quoted_lines_are_the_runs() -> None:
    bounds = Bounds(DEFAULT_REQUEST_SECONDS, LONG_RUN_SECONDS)
    assert f"contract run against http://127.0.0.1:4010: {bounds.describe()}\n" in DOC
    stop = Stop("http://127.0.0.1:4010", "did not send the end of its body within 10 s of")
    assert f"\n{stop.line()} GET /customer-token/v1/tokens/$KUSTOM_CUSTOMER_TOKEN " in DOC


def test_the_conformance_example_prints_what_the_page_says() -> None:
    (example,) = run_by("tests/docs/test_contract_tests_doc.py", "python")
    done = subprocess.run(  # noqa: S603 (our own interpreter and documentation)
        [sys.executable, "-c", example.code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO_ROOT,
    )
    shown = DOC.split(example.code, 1)[1].split("```\n")[2]  # the block after the prose
    assert done.stdout == shown
    assert done.stdout.count("response.schema") == 2


def test_the_package_table_names_every_module() -> None:
    section = DOC.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)\.py`", section))
    modules = {
        path.stem
        for path in (REPO_ROOT / "src" / "kustom_contract").glob("*.py")
        if not path.stem.startswith("__")
    }
    assert modules <= named, sorted(modules - named)
