"""Routes from the spec's paths: a path template such as ``/a/{customerToken}/b`` matches
``/a/tok_active/b``; nothing about the routes is written here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from kustom_mock.errors import ApiError, printable
from kustom_spec import Operation, Spec

_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class RouteMatch:
    """The operation a request is for, and its path parameters (percent-decoded)."""

    operation: Operation
    path_params: dict[str, str]


@dataclass(frozen=True)
class _PathRoute:
    pattern: re.Pattern[str]
    by_method: dict[str, Operation]  # upper-case method → operation

    @property
    def allow(self) -> str:
        return ", ".join(sorted(self.by_method))


def _compile(template: str) -> re.Pattern[str]:
    """A path template as a regex over the raw (still percent-encoded) path: a parameter is
    one non-empty segment; a trailing slash is tolerated."""
    parts = _PARAMETER.split(template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if odd else re.escape(part) for odd, part in _alternate(parts)
    )
    return re.compile(f"^{regex}/?$")


def _alternate(parts: list[str]) -> list[tuple[bool, str]]:
    return [(index % 2 == 1, part) for index, part in enumerate(parts)]


class Router:
    def __init__(self, spec: Spec) -> None:
        by_path: dict[str, dict[str, Operation]] = {}
        for operation in spec.operations.values():
            by_path.setdefault(operation.path, {})[operation.method.upper()] = operation
        self._routes = [_PathRoute(_compile(path), methods) for path, methods in by_path.items()]

    def match(self, method: str, raw_path: str) -> RouteMatch:
        """The operation for ``method`` on ``raw_path``, or a 404/405 ApiError."""
        path = raw_path.split("?", 1)[0]
        for route in self._routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            operation = route.by_method.get(method)
            if operation is None:
                raise ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    [f"Method {printable(method, 20)} is not allowed here (only {route.allow})"],
                    headers={"Allow": route.allow},
                )
            params = {k: unquote(v, errors="replace") for k, v in found.groupdict().items()}
            return RouteMatch(operation, params)
        # A code of its own, not the token read's NOT_FOUND, so that a client can tell a wrong
        # base URL or prefix from an unknown token (this contract's choice, docs/mock.md).
        raise ApiError(404, "ENDPOINT_NOT_FOUND", [f"No such endpoint: {printable(path, 100)}"])
