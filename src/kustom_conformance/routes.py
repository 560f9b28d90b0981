"""Which operation a request is for, from the spec's paths alone: a path template such as
``/a/{customerToken}/b`` matches ``/a/tok_active/b`` (one non-empty segment per parameter, a
trailing slash tolerated, the query string ignored)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from kustom_spec import Operation, Spec

_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class Match:
    """The operation a request is for and its path parameters, percent-decoded."""

    operation: Operation
    path_params: dict[str, str]

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id


def _compile(template: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}/?$")


class Routes:
    def __init__(self, spec: Spec) -> None:
        self._routes = [
            (_compile(operation.path), operation.method.upper(), operation)
            for operation in spec.operations.values()
        ]

    def match(self, method: str, path: str) -> Match | None:
        """The operation ``method`` on ``path`` is for; None when it is none of the spec's."""
        raw = path.split("?", 1)[0]
        for pattern, route_method, operation in self._routes:
            found = pattern.match(raw)
            if found is not None and route_method == method.upper():
                params = {k: unquote(v, errors="replace") for k, v in found.groupdict().items()}
                return Match(operation, params)
        return None
