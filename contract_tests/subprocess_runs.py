"""What the tests of the tests share: the test merchant's settings for a run through
KUSTOM_BASE_URL (MOCK_AS_LIVE_ENV), and the contract run in a subprocess with its reports under a
test's folder (run_contract). Not contract_tests/run.py, which is the run's own configuration."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kustom_devtools.contract_run import run_contract as run_contract_in_subprocess
from kustom_devtools.target import MOCK_API_KEY, MOCK_APPROVING_TOKENS, MOCK_USERNAME

# Merchant A of the mock's fixtures (docs/mock.md); the rate limit off, since a mock started by a
# test has none and each run stays short.
MOCK_AS_LIVE_ENV = {
    "KUSTOM_RATE_LIMIT": "off",
    "KUSTOM_USERNAME": MOCK_USERNAME,
    "KUSTOM_API_KEY": MOCK_API_KEY,
    "KUSTOM_CUSTOMER_TOKEN": MOCK_APPROVING_TOKENS[0],
}


def run_contract(
    folder: Path, env: dict[str, str], pytest_args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The quick contract run with ``env``, its reports in ``folder``/reports."""
    return run_contract_in_subprocess(env, reports_dir=folder / "reports", pytest_args=pytest_args)
