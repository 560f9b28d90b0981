"""The contract: every case Schemathesis generates from openapi.yaml, sent to the target,
and every check held against the response."""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

from hypothesis import HealthCheck, settings
from kustom_customer_token_client.models import (
    CustomerToken,
    Error,
    OrderRequest,
    OrderResponse,
    TokenStatusUpdate,
)
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from contract_tests.cases import operation_id
from contract_tests.extra_requests import LEDGER, SESSION
from contract_tests.run import DEPTH, FAILURES_DIR, SCHEMA, TARGET
from contract_tests.stats import STATS

# The schema is loaded at import (pytest parametrizes from it); the session fixture
# `base_url` configures it for the target and gives the base URL, known only once the mock
# is listening (Schemathesis' own lazy loader, from_fixture, fails under pytest 9).
schema = SCHEMA

SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization"}


def _mode(case: Case[Any]) -> str:
    return case.meta.generation.mode.value if case.meta is not None else "explicit"


def _phase(case: Case[Any]) -> str:
    return case.meta.phase.name.value if case.meta is not None else "explicit"


def must_reject(case: Case[Any]) -> bool:
    """False only for a case whose one flaw is an undeclared extra header."""
    data = case.meta.phase.data if case.meta is not None else None
    return not (
        isinstance(data, CoveragePhaseData)
        and data.scenario is CoverageScenario.OBJECT_UNEXPECTED_PROPERTIES
        and data.parameter_location is ParameterLocation.HEADER
    )


def dump_failure(case: Case[Any], response: Any, error: BaseException) -> str:
    """Write what it takes to replay a failing case; credentials never go in."""
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{_phase(case)}-{_mode(case)}-{response.status_code}-{secrets.token_hex(4)}.json"
    request = response.request
    record = {
        "error": str(error)[:4000],
        "request": {
            "method": request.method,
            "url": request.url,
            "headers": {
                k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS
            },
            "body": request.body.decode("utf-8", "replace")
            if isinstance(request.body, bytes)
            else request.body,
        },
        "response": {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.text[:20000],
        },
        "replay": f"curl -X {request.method} '{request.url}' -u \"$KUSTOM_USERNAME:$KUSTOM_API_KEY\" "
        "-H 'Content-Type: application/json' --data-binary @body.json",
    }
    (FAILURES_DIR / name).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return name


# The generated models of each operation's request body and success body.
REQUEST_MODELS: dict[str, Any] = {
    "createOrder": OrderRequest,
    "patchCustomerToken": TokenStatusUpdate,
}
SUCCESS_MODELS: dict[str, Any] = {"createOrder": OrderResponse, "readCustomerToken": CustomerToken}


def round_trip_through_the_client(case: Case[Any], response: Any) -> None:
    """The generated models carry every valid body and every answer without loss."""
    operation = operation_id(case)
    if isinstance(case.body, dict) and not (
        case.meta and case.meta.is_negative_at(ParameterLocation.BODY)
    ):
        assert REQUEST_MODELS[operation].from_dict(case.body).to_dict() == case.body
    content_type = (response.headers.get("content-type") or [""])[0]  # header -> list of values
    if content_type.startswith("application/json"):
        body = response.json()
        model = SUCCESS_MODELS[operation] if response.status_code < 300 else Error
        assert model.from_dict(body).to_dict() == body


# The checks that re-send a request reuse the run's session (transport_kwargs), except the auth
# probes, which Schemathesis sends on a session of their own so that no credential leaks into
# them.

# Benchmarks only (scripts/bench): generate every case, send none; the run's floor.
DRY_RUN = os.environ.get("KUSTOM_CONTRACT_DRY") == "1"


def record(case: Case[Any], response: Any) -> None:
    STATS.record(
        operation_id(case),
        _phase(case),
        _mode(case),
        response.status_code,
        must_reject=must_reject(case),
    )
    if operation_id(case) == "createOrder":
        try:
            body = response.json()
        except ValueError:
            body = None
        LEDGER.note_order_answer(response.status_code, body)


def note_failure(case: Case[Any], response: Any, error: BaseException) -> None:
    name = dump_failure(case, response, error)
    STATS.failures.append(
        f"{operation_id(case)} {_phase(case)}/{_mode(case)} -> {response.status_code}: {name}"
    )


@schema.parametrize()
def test_contract(case: Case[Any], base_url: str) -> None:
    if DRY_RUN:
        STATS.record(operation_id(case), _phase(case), _mode(case), 0, must_reject=False)
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
