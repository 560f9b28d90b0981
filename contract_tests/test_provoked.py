"""Every documented answer provoked on purpose (kustom_contract/provocations.py), each request
held to every rule of the conformance core and the run's history of exchanges, the last answer
to the status and error code wanted; each one provoked counts in the run's coverage
(kustom_contract/coverage.py), and the run fails at the default depth against the mock when a
documented answer it can give was never provoked (kustom_contract/plugin.py)."""

from __future__ import annotations

import pytest

from kustom_contract.config import configured
from kustom_contract.provocations import Context, Provocation, provocations
from kustom_contract.run import ContractRun

PROVOCATIONS = provocations(Context(configured().target))


@pytest.mark.parametrize("provocation", PROVOCATIONS, ids=[p.id for p in PROVOCATIONS])
def test_provoked(
    provocation: Provocation, contract_run: ContractRun, request: pytest.FixtureRequest
) -> None:
    base_url = contract_run.base_url
    if provocation.needs == "rate_limited" and not contract_run.config.dry:
        base_url = request.getfixturevalue("rate_limited_base_url")
    outcome = contract_run.provoke(provocation, base_url)
    if outcome.skipped is not None:
        pytest.skip(outcome.skipped)
    if outcome.problem is not None:
        pytest.fail(outcome.problem, pytrace=False)
