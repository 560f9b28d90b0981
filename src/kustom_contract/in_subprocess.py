"""The contract run (contract_tests/test_contract.py) in a fresh interpreter, for the tests of
the tests and the benchmarks: its configuration is read from the environment once per process
(kustom_contract.config.configured), so each configuration needs a process of its own. With
the test merchant's settings for a run through KUSTOM_BASE_URL (``MOCK_AS_LIVE_ENV``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from kustom_contract.config import QUICK
from kustom_contract.target import MOCK_API_KEY, MOCK_APPROVING_TOKENS, MOCK_USERNAME
from kustom_spec import REPO_ROOT

# Merchant A of the mock's fixtures (docs/mock.md), for a mock on this machine's loopback (so
# not rate-limited unless asked).
MOCK_AS_LIVE_ENV = {
    "KUSTOM_USERNAME": MOCK_USERNAME,
    "KUSTOM_API_KEY": MOCK_API_KEY,
    "KUSTOM_CUSTOMER_TOKEN": MOCK_APPROVING_TOKENS[0],
}


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


def quick_run(
    folder: Path, env: dict[str, str], pytest_args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The quick contract run with ``env``, its reports in ``folder``/reports (the tests of the
    tests)."""
    return run_contract(env, reports_dir=folder / "reports", pytest_args=pytest_args)
