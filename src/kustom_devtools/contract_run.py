"""The contract run (contract_tests/test_contract.py) in a fresh interpreter, for the tests of
the tests and the benchmarks: its target and Schemathesis settings are read from the
environment at import, so each configuration needs a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from kustom_devtools.contract_settings import QUICK
from kustom_devtools.paths import REPO_ROOT


def run_contract(
    env: Mapping[str, str],
    *,
    reports_dir: Path,
    depth: str = QUICK.name,
    timeout: float = 300,
    pytest_args: Sequence[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run it with ``env`` over this process's environment; against the spawned mock unless
    ``env`` itself names KUSTOM_BASE_URL (an inherited one is dropped)."""
    full_env = {
        **os.environ,
        "KUSTOM_CONTRACT_DEPTH": depth,
        "KUSTOM_REPORTS_DIR": str(reports_dir),
        **env,
    }
    if "KUSTOM_BASE_URL" not in env:
        full_env.pop("KUSTOM_BASE_URL", None)
    return subprocess.run(  # noqa: S603 (our own interpreter and test file)
        [
            sys.executable,
            "-m",
            "pytest",
            "contract_tests/test_contract.py",
            "-q",
            "-p",
            "no:cacheprovider",
            *(pytest_args or []),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=full_env,
        timeout=timeout,
        check=False,
    )
