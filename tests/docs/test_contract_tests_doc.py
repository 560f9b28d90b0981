"""docs/contract-tests.md says what the contract run does: every variable scripts/contract-test
--help lists is in its table, the bounds' defaults are the code's, and the lines it quotes are
the ones the run prints (the behaviour itself: contract_tests/test_hostile_targets.py)."""

from __future__ import annotations

import re

from kustom_devtools.contract_settings import (
    DEFAULT_REQUEST_SECONDS,
    DEFAULT_RUN_SECONDS,
    LONG_RUN_SECONDS,
    Bounds,
)
from kustom_devtools.contract_test import HELP
from kustom_devtools.contract_transport import Stop
from kustom_spec import REPO_ROOT

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
