"""The contract: every case Schemathesis generates from openapi.yaml, sent to the target,
and every check held against the response."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case

from contract_tests.answers import (
    mode,
    note_failure,
    phase,
    record,
    round_trip_through_the_client,
)
from contract_tests.cases import operation_id
from contract_tests.run import DEPTH, SCHEMA, SESSION, TARGET
from contract_tests.stats import STATS

# The schema is loaded at import (pytest parametrizes from it); its base URL is known only once
# the mock is listening, so a fixture sets it (Schemathesis' own lazy loader, from_fixture, fails
# under pytest 9).
schema = SCHEMA


@pytest.fixture(scope="module", autouse=True)
def schema_sends_to_the_target(base_url: str) -> None:
    """Point the schema at the listening target: the requests Schemathesis builds itself (its
    checks that re-send a case, the stateful phase's links) go there too."""
    SCHEMA.config.update(base_url=base_url)


# The checks that re-send a request reuse the run's session (transport_kwargs), except the auth
# probes, which Schemathesis sends on a session of their own so that no credential leaks into
# them.

# Benchmarks only (scripts/bench): generate every case, send none; the run's floor.
DRY_RUN = os.environ.get("KUSTOM_CONTRACT_DRY") == "1"


@schema.parametrize()
def test_contract(case: Case[Any], base_url: str) -> None:
    if DRY_RUN:
        STATS.record(operation_id(case), phase(case), mode(case), 0, must_reject=False)
        return
    response = case.call(base_url=base_url, session=SESSION)
    record(case, response)
    try:
        case.validate_response(
            response, transport_kwargs={"base_url": base_url, "session": SESSION}
        )
        round_trip_through_the_client(case, response)
    except BaseException as error:
        note_failure(case, response, error)
        raise


STEPS = 6  # requests in a sequence of the stateful phase, at most (DEPTH.sequences of them)


def test_stateful(base_url: str) -> None:
    """Sequences that follow the spec's links (read, order, cancel, then read and order the
    cancelled token), each response held to every check, token_state included."""
    if not SCHEMA.config.phases.stateful.enabled:
        return
    transport = {"base_url": base_url, "session": SESSION}

    class Sequences(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return transport

        def validate_response(
            self, response: Any, case: Case[Any], additional_checks: Any = None, **kwargs: Any
        ) -> None:
            record(case, response)
            if DRY_RUN:
                return
            try:
                super().validate_response(response, case, additional_checks, **transport)
                round_trip_through_the_client(case, response)
            except BaseException as error:
                note_failure(case, response, error)
                raise

    Sequences.run(
        settings=settings(
            # A live target has one token to cancel: one sequence, so none sees it cancelled.
            max_examples=DEPTH.sequences if TARGET.is_mock else 1,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
