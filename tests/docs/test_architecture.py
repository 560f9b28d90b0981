"""The layers of ARCHITECTURE.md: which of this repository's packages may import which."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from kustom_spec import REPO_ROOT

OURS = {
    "kustom_spec",
    "kustom_rules",
    "kustom_redact",
    "kustom_customer_token_client",
    "kustom_client",
    "kustom_conformance",
    "kustom_mock",
    "kustom_proxy",
    "kustom_devtools",
    "contract_tests",
    "tests",
    "benchmarks",
}
# Package -> the packages of this repository it may import (itself always).
ALLOWED = {
    "kustom_spec": set(),
    "kustom_rules": set(),
    "kustom_redact": set(),
    "kustom_client": {"kustom_customer_token_client", "kustom_rules", "kustom_redact"},
    "kustom_conformance": {"kustom_spec", "kustom_rules", "kustom_redact"},
    "kustom_mock": {"kustom_spec", "kustom_rules"},
    "kustom_proxy": {"kustom_spec", "kustom_rules", "kustom_redact", "kustom_conformance"},
    "kustom_devtools": {"kustom_spec", "kustom_redact"},
}
SOURCES = {name: REPO_ROOT / "src" / name for name in ALLOWED}


def all_imported(path: Path) -> set[str]:
    """The top-level packages a module imports, ours or not."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def imported(path: Path) -> set[str]:
    """The top-level packages of this repository that a module imports."""
    return all_imported(path) & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_below(package: str) -> None:
    wrong = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in SOURCES[package].rglob("*.py")
        for name in imported(path) - ALLOWED[package] - {package}
    }
    assert not wrong, sorted(wrong)


def test_the_conformance_core_needs_no_test_or_http_library() -> None:
    """A validating proxy imports it beside its own HTTP stack: it takes plain values."""
    third_party = {
        name
        for path in SOURCES["kustom_conformance"].rglob("*.py")
        for name in all_imported(path) - sys.stdlib_module_names - OURS
    }
    assert third_party <= {"jsonschema_rs"}, sorted(third_party)


def test_the_check_finds_an_import() -> None:
    assert imported(SOURCES["kustom_mock"] / "app.py") >= {"kustom_spec"}


def test_test_modules_do_not_import_each_other() -> None:
    """Helpers live in modules of their own; a test module is never imported by another."""
    wrong = []
    for folder in ("tests", "contract_tests"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    last = node.module.rsplit(".", 1)[-1]
                    if last.startswith("test_") or last == "conftest":
                        wrong.append(f"{path.relative_to(REPO_ROOT)} imports {node.module}")
    assert not wrong, wrong


def test_tests_are_grouped_by_the_part_they_test() -> None:
    """CONTRIBUTING.md's table names every folder of tests/; no test module sits loose at the top."""
    loose = sorted(path.name for path in (REPO_ROOT / "tests").glob("test_*.py"))
    folders = {path.parent.name for path in (REPO_ROOT / "tests").glob("*/test_*.py")}
    table = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    unnamed = sorted(name for name in folders if f"`tests/{name}/`" not in table)
    assert not loose, loose
    assert not unnamed, unnamed
