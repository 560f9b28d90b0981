"""Does a response keep the contract? Status documented, headers present, body valid."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kustom_spec.document import Operation


def response_problems(
    operation: Operation, status: int, headers: Mapping[str, str], body: bytes
) -> list[str]:
    """Everything about one response that breaks the spec; empty when it conforms."""
    if status not in operation.statuses:
        return [f"status {status} is not documented for {operation.operation_id}"]
    problems: list[str] = []
    spec = operation.spec
    response = operation.response(status)
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, header in response.get("headers", {}).items():
        if spec.resolve(header).get("required") and name.lower() not in lowered:
            problems.append(f"required header {name} is missing")
    content = response.get("content", {})
    if not content:
        if body:
            problems.append(f"status {status} has no documented body, got {len(body)} bytes")
        return problems
    media_type = lowered.get("content-type", "").split(";")[0].strip()
    if media_type not in content:
        return [*problems, f"content type {media_type!r} is not one of {sorted(content)}"]
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return [*problems, "body is not JSON"]
    schema = content[media_type]["schema"]
    problems += [
        f"body{''.join(f'[{p!r}]' for p in e.instance_path)}: {e.message}"
        for e in spec.validator(schema).iter_errors(parsed)
    ]
    codes = operation.error_codes(status)
    if codes and isinstance(parsed, dict) and parsed.get("error_code") not in codes:
        problems.append(f"error_code {parsed.get('error_code')!r} is not one of {codes}")
    return problems
