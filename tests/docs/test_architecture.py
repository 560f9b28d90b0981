"""The layers of ARCHITECTURE.md: which of this repository's packages may import which."""

from __future__ import annotations

import ast
import importlib
import inspect
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
    "kustom_release",
    "kustom_servers",
    "kustom_contract",
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
    "kustom_release": {"kustom_spec"},
    "kustom_servers": {"kustom_spec"},
    "kustom_contract": {
        "kustom_spec",
        "kustom_rules",
        "kustom_redact",
        "kustom_conformance",
        "kustom_customer_token_client",
        "kustom_servers",
    },
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


def test_contract_tests_holds_tests_their_conftest_and_the_servers_they_run_against() -> None:
    """The run itself is the kustom_contract package; contract_tests/ is what pytest collects."""
    kept = {"__init__.py", "conftest.py", "faulty_mock.py", "hostile_servers.py"}
    others = sorted(
        path.name
        for path in (REPO_ROOT / "contract_tests").glob("*.py")
        if not path.name.startswith("test_") and path.name not in kept
    )
    assert not others, others


# Each tools package, and the one exception its errors derive from.
ROOTS = {
    "kustom_release": ("kustom_release.errors", "ReleaseError"),
    "kustom_servers": ("kustom_servers.errors", "ServerUnavailable"),
    "kustom_contract": ("kustom_contract.errors", "ContractError"),
}
# The run's two ends that are no error to fix (kustom_contract/errors.py says why).
ENDS = {"TargetStopped", "DeadlinePassed"}


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_each_tools_package_has_one_exception_root_with_its_exit_code(package: str) -> None:
    module, name = ROOTS[package]
    root = getattr(importlib.import_module(module), name)
    assert isinstance(root.exit_code, int)
    strays = []
    for path in SOURCES[package].glob("*.py"):
        if path.stem == "__main__":
            continue  # a script: importing it runs it
        loaded = importlib.import_module(
            f"{package}.{path.stem}" if path.stem != "__init__" else package
        )
        for value in vars(loaded).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == loaded.__name__
                and not issubclass(value, root)
                and value.__name__ not in ENDS
            ):
                strays.append(f"{loaded.__name__}.{value.__name__}")
    assert not strays, strays
