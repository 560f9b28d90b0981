"""What the contract run does with each answer: counts it in the summary (and orders in the
order ledger), carries its bodies through the generated client's models, and for a failure
writes a replay file without credentials."""

from __future__ import annotations

import json
import secrets
from typing import Any

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
from contract_tests.extra_requests import LEDGER
from contract_tests.run import FAILURES_DIR
from contract_tests.stats import STATS

SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization"}


def mode(case: Case[Any]) -> str:
    return case.meta.generation.mode.value if case.meta is not None else "explicit"


def phase(case: Case[Any]) -> str:
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
    name = f"{phase(case)}-{mode(case)}-{response.status_code}-{secrets.token_hex(4)}.json"
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


def record(case: Case[Any], response: Any) -> None:
    STATS.record(
        operation_id(case),
        phase(case),
        mode(case),
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
        f"{operation_id(case)} {phase(case)}/{mode(case)} -> {response.status_code}: {name}"
    )
