"""The contract run (contract_tests/test_contract.py, or scripts/contract-test whole) in a fresh
interpreter, for the tests of the tests and the benchmarks: its configuration is read from the environment once per process
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


def _run(
    args: Sequence[str], env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` from the repository's root with exactly ``env``, its output kept."""
    return subprocess.run(  # noqa: S603 (our own interpreter and module or test file)
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=dict(env),
        timeout=timeout,
        check=False,
    )


def _environment(env: Mapping[str, str], *, depth: str, reports_dir: Path) -> dict[str, str]:
    """This process's environment with the run's depth, reports and ``env`` over it."""
    return {
        **os.environ,
        "KUSTOM_CONTRACT_DEPTH": depth,
        "KUSTOM_REPORTS_DIR": str(reports_dir),
        **env,
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
    # Serial unless ``env`` asks otherwise: the tests of the tests hold the serial run's cases
    # (one seed) to each fault.
    full_env = _environment(
        {"KUSTOM_CONTRACT_PROCESSES": "1", **env}, depth=depth, reports_dir=reports_dir
    )
    if "KUSTOM_BASE_URL" not in env:
        full_env.pop("KUSTOM_BASE_URL", None)
    args = ["-m", "pytest", "contract_tests/test_contract.py", "-q", "-p", "no:cacheprovider"]
    return _run([*args, *(pytest_args or [])], full_env, timeout)


def run_command(
    env: Mapping[str, str], *, reports_dir: Path, depth: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """scripts/contract-test itself (``python -m kustom_contract``) with ``env`` over this
    process's environment, against the spawned mock: spread over processes unless ``env``
    sets KUSTOM_CONTRACT_PROCESSES=1 (the benchmarks' serial run)."""
    full_env = _environment(env, depth=depth, reports_dir=reports_dir)
    full_env.pop("KUSTOM_BASE_URL", None)
    return _run(["-m", "kustom_contract", "-q"], full_env, timeout)


def quick_run(
    folder: Path, env: dict[str, str], pytest_args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The quick contract run with ``env``, its reports in ``folder``/reports (the tests of the
    tests)."""
    return run_contract(env, reports_dir=folder / "reports", pytest_args=pytest_args)
