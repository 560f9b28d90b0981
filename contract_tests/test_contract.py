"""The contract: every case Schemathesis generates from openapi.yaml, sent to the target and
held to every check (kustom_contract.run.ContractRun.test_case), then the stateful sequences
along the spec's links."""

from __future__ import annotations

from typing import Any

from schemathesis.generation.case import Case

from kustom_contract.run import ContractRun
from kustom_contract.schema import run_schema

# Built at import from the run's configuration: pytest parametrizes the test from it at
# collection. Its base URL is set once the target listens (the contract_run fixture).
schema = run_schema()


@schema.parametrize()
def test_contract(case: Case[Any], contract_run: ContractRun) -> None:
    contract_run.test_case(case)


def test_stateful(contract_run: ContractRun) -> None:
    contract_run.run_sequences()
