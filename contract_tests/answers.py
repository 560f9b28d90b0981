"""What the contract run does with each answer: counts it in the summary (and orders in the
order ledger), carries its bodies through the generated client's models, and for a failure
writes a replay file without credentials (with a curl line that sends the case again).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import quote

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

from contract_tests.auth import Credentials
from contract_tests.cases import NAMES, operation_id
from contract_tests.extra_requests import LEDGER
from contract_tests.run import FAILURES_DIR, TARGET
from contract_tests.stats import STATS
from kustom_devtools.target import Target

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


def _without_tokens(url: str, target: Target) -> str:
    """The URL with a live target's tokens as the variables that hold them (shell syntax); the
    mock's tokens are public test data and stay."""
    if target.is_mock:
        return url
    for token, variable in (
        (target.approving_tokens[0], "KUSTOM_CUSTOMER_TOKEN"),
        (target.cancel_token, "KUSTOM_CANCEL_TOKEN"),
    ):
        for written in {token, quote(token, safe="")} if token else ():
            # A whole path segment: followed by "/", the query or the end.
            url = re.sub(rf"(?<=/){re.escape(written)}(?=[/?]|$)", f"${variable}", url)
    return url


def _auth_option(sent: str | None, target: Target) -> str:
    """The credentials as the case sent them, by the variables that hold them."""
    credentials = Credentials(target.username, target.api_key)
    if sent is None:
        return ""
    if sent == credentials.raw_key():  # Kustom's primary form: the API key alone
        return f' -H "Authorization: {NAMES.auth_scheme} $KUSTOM_API_KEY"'
    if target.username and sent == credentials.username_and_key():
        return ' -u "$KUSTOM_USERNAME:$KUSTOM_API_KEY"'
    # Generated or wrong credentials (an auth probe): sent as they were, unless they hold the key.
    try:
        decoded = base64.b64decode(sent.split(" ")[-1], validate=True).decode("utf-8", "replace")
    except ValueError:
        decoded = ""
    if target.api_key in sent or target.api_key in decoded:
        return ""
    return f" -H {shlex.quote(f'Authorization: {sent}')}"


def replay_line(request: Any, target: Target, body_file: Path | None) -> str:
    """A curl line that sends ``request`` again, run in bash with the run's variables set
    (KUSTOM_API_KEY, KUSTOM_USERNAME, and against another server KUSTOM_CUSTOMER_TOKEN and
    KUSTOM_CANCEL_TOKEN): the key and a live token only by reference."""
    url = _without_tokens(_shell_double_quoted(request.url), target)
    parts = [f'curl -X {request.method} "{url}"']
    parts.append(_auth_option(request.headers.get("Authorization"), target))
    for name, value in request.headers.items():
        lower = name.lower()
        if lower in SECRET_HEADERS or lower in TRANSPORT_HEADERS:
            continue  # the idempotency key (IDEMPOTENCY_HEADER) and the content type stay
        parts.append(f" -H {shlex.quote(f'{name}: {value}')}")
    if body_file is not None:
        if not any(name.lower() == "content-type" for name in request.headers):
            parts.append(" -H 'Content-Type:'")  # sent without one: curl must not add its own
        parts.append(f" --data-binary @{shlex.quote(str(body_file))}")
    return "".join(parts)


def dump_failure(case: Case[Any], response: Any, error: BaseException) -> str:
    """Write what it takes to replay a failing case: the record, and the body as sent in a
    file of its own beside it; credentials never go in, nor a live target's tokens."""
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{phase(case)}-{mode(case)}-{response.status_code}-{secrets.token_hex(4)}"
    return write_failure(FAILURES_DIR, stem, response, error, TARGET)


def write_failure(
    folder: Path, stem: str, response: Any, error: BaseException, target: Target
) -> str:
    request = response.request
    body = request.body.encode() if isinstance(request.body, str) else request.body
    body_file = None
    if body is not None:
        body_file = folder / f"{stem}.body"
        body_file.write_bytes(body)
    record = {
        "error": str(error)[:4000],
        "request": {
            "method": request.method,
            "url": _without_tokens(request.url, target),
            "headers": {
                k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS
            },
            "body": body.decode("utf-8", "replace") if body is not None else None,
        },
        "response": {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.text[:20000],
        },
        "replay": replay_line(request, target, body_file),
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
