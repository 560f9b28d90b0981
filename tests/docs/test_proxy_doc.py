"""docs/proxy.md stays true to the proxy: its flags table names every flag of scripts/proxy and
scripts/verify-traffic with the default the code has, and its rules table every rule the
conformance core reports, on the side the core puts it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields

import pytest

from kustom_conformance import RULES
from kustom_proxy import cli, verify
from kustom_proxy.config import DEFAULT_PORT, ProxyLimits
from kustom_spec import REPO_ROOT

PAGE = (REPO_ROOT / "docs" / "proxy.md").read_text(encoding="utf-8")


def table_rows(first_cell: str) -> dict[str, list[str]]:
    """The page's table rows whose first cell is code, by that code."""
    rows = {}
    for line in PAGE.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) > 1:
            rows[cells[0].strip("`").split(" ")[0]] = cells[1:]
    return rows if first_cell == "" else {k: v for k, v in rows.items() if k.startswith(first_cell)}


def flags(argv_help: str) -> set[str]:
    return set(re.findall(r"(--[a-z][a-z-]+)", argv_help)) - {"--help"}


@pytest.mark.parametrize("main", [cli.main, verify.main], ids=["proxy", "verify-traffic"])
def test_every_flag_is_in_the_table(
    main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    documented = table_rows("--")
    missing = flags(capsys.readouterr().out) - set(documented)
    assert not missing, missing


def test_the_defaults_in_the_table_are_the_codes() -> None:
    documented = table_rows("--")
    assert documented["--port"][0] == f"`{DEFAULT_PORT}`"
    for field in fields(ProxyLimits):
        default = field.default
        shown = f"`{default:g}`" if isinstance(default, float) else f"`{default}`"
        assert documented["--" + field.name.replace("_", "-")][0] == shown, field.name


def test_every_rule_is_in_the_table_on_its_side() -> None:
    documented = table_rows("")
    for rule in RULES.values():
        assert documented.get(rule.id, [None])[0] == rule.side.value, rule.id
