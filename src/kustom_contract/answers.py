"""What the contract run does with a case's answer besides checking it: reads its phase and
mode (for the summary), carries its bodies through the generated client's models, and for a
failure writes a record with no secret whole, with a curl line that sends the case again.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from kustom_customer_token_client.models import (
    CustomerToken,
    ErrorDetails,
    OrderRequest,
    OrderResponse,
    TokenStatusUpdate,
)
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from kustom_contract.auth import Credentials
from kustom_contract.cases import NAMES, operation_id
from kustom_contract.redaction import RunRedaction
from kustom_contract.target import Target
from kustom_redact import Redactor

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


# Headers curl sets itself (or that describe the connection), left out of the replay line.
TRANSPORT_HEADERS = {"content-length", "host", "connection", "accept-encoding", "transfer-encoding"}


def _shell_double_quoted(text: str) -> str:
    """``text`` safe inside a shell's double quotes (where $VARIABLES still expand)."""
    for char in ("\\", '"', "$", "`"):
        text = text.replace(char, "\\" + char)
    return text


def _auth_option(sent: str | None, target: Target, redactor: Redactor) -> str:
    """The credentials as the case sent them, by the variables that hold them."""
    credentials = Credentials(target.username, target.api_key)
    if sent is None:
        return ""
    if sent == credentials.raw_key():  # Kustom's primary form: the API key alone
        return f' -H "Authorization: {NAMES.auth_scheme} $KUSTOM_API_KEY"'
    if target.username and sent == credentials.username_and_key():
        return ' -u "$KUSTOM_USERNAME:$KUSTOM_API_KEY"'
    if redactor.text(sent) != sent:
        return ""  # generated credentials that hold a secret in some form: left out
    # Generated or wrong credentials (an auth probe): sent as they were.
    return f" -H {shlex.quote(f'Authorization: {sent}')}"


def replay_line(request: Any, target: Target, redactor: Redactor, body_file: Path | None) -> str:
    """A curl line that sends ``request`` again, run in bash with the run's variables set
    (KUSTOM_API_KEY, KUSTOM_USERNAME, and against another server KUSTOM_CUSTOMER_TOKEN and
    KUSTOM_CANCEL_TOKEN): every secret only by reference (``redactor``, the run's replay
    redaction), quoted so that bash expands the references."""
    url = redactor.text(_shell_double_quoted(request.url))
    parts = [f'curl -X {request.method} "{url}"']
    parts.append(_auth_option(request.headers.get("Authorization"), target, redactor))
    for name, value in request.headers.items():
        lower = name.lower()
        if lower in SECRET_HEADERS or lower in TRANSPORT_HEADERS:
            continue  # the idempotency key (IDEMPOTENCY_HEADER) and the content type stay
        parts.append(f" -H {shlex.quote(f'{name}: {redactor.text(value)}')}")
    if body_file is not None:
        if not any(name.lower() == "content-type" for name in request.headers):
            parts.append(" -H 'Content-Type:'")  # sent without one: curl must not add its own
        parts.append(f" --data-binary @{shlex.quote(str(body_file))}")
    return "".join(parts)


def write_failure(
    folder: Path,
    stem: str,
    response: Any,
    error: BaseException,
    target: Target,
    redaction: RunRedaction,
) -> str:
    """The record: what was sent, as ``redaction.replay`` writes it (replayable), and what came
    back with the error, as ``redaction.report`` does (every other token in a path masked)."""
    request = response.request
    body = request.body.encode() if isinstance(request.body, str) else request.body
    body_file = None
    if body is not None:
        body = redaction.replay.bytes(body)
        body_file = folder / f"{stem}.body"
        body_file.write_bytes(body)
    sent = redaction.replay
    record = {
        "error": redaction.report.text(str(error)[:4000]),
        "request": {
            "method": request.method,
            "url": sent.text(request.url),
            "headers": {
                k: sent.text(v)
                for k, v in request.headers.items()
                if k.lower() not in SECRET_HEADERS
            },
            "body": body.decode("utf-8", "replace") if body is not None else None,
        },
        "response": {
            "status": response.status_code,
            "headers": redaction.report.value(dict(response.headers)),  # name -> values
            "body": redaction.report.text(response.text[:20000]),
        },
        "replay": replay_line(request, target, sent, body_file),
    }
    name = f"{stem}.json"
    (folder / name).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
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
        model = SUCCESS_MODELS[operation] if response.status_code < 300 else ErrorDetails
        assert model.from_dict(body).to_dict() == body
