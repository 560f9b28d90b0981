"""Does a response keep the contract? Status documented, headers present, body valid."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kustom_spec.document import Spec


def response_problems(
    spec: Spec, status: int, headers: Mapping[str, str], body: bytes
) -> list[str]:
    """Everything about one response that breaks the spec; empty when it conforms."""
    if status not in spec.statuses:
        return [f"status {status} is not documented"]
    problems: list[str] = []
    response = spec.response(status)
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, header in response.get("headers", {}).items():
        if spec.resolve(header).get("required") and name.lower() not in lowered:
            problems.append(f"required header {name} is missing")
    content = response.get("content", {})
    media_type = lowered.get("content-type", "").split(";")[0].strip()
    if content and media_type not in content:
        return [*problems, f"content type {media_type!r} is not one of {sorted(content)}"]
    if content:
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            return [*problems, "body is not JSON"]
        schema = content[media_type]["schema"]
        problems += [
            f"body{''.join(f'[{p!r}]' for p in e.instance_path)}: {e.message}"
            for e in spec.validator(schema).iter_errors(parsed)
        ]
    return problems
