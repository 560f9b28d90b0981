"""One exchange as the conformance core sees it: a request and its answer as plain values
(method, path, headers, body bytes; status, headers, body bytes), no HTTP library's types, so
that the contract run, a validating proxy or a test builds them from whatever it holds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

HeaderPairs = tuple[tuple[str, str], ...]
HeadersIn = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(headers: HeadersIn) -> HeaderPairs:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in items)


class _Message:
    """What a request and a response share: headers looked up without regard to case (HTTP's
    names are case-insensitive; a repeated header gives its first value), and the body parsed as
    JSON once, when asked."""

    headers: HeaderPairs
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None

    @property
    def media_type(self) -> str:
        """The Content-Type without its parameters, lower-cased; empty when there is none."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @cached_property
    def json(self) -> Any:
        """The body as JSON, or ``NOT_JSON`` when it is empty or does not parse."""
        if not self.body:
            return NOT_JSON
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
            return NOT_JSON


class _NotJson:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Any = _NotJson()


@dataclass(frozen=True)
class Request(_Message):
    """``path`` as sent (percent-encoded, a query string allowed); ``headers`` as pairs or a
    mapping; ``body`` the bytes sent (empty: none)."""

    method: str
    path: str
    headers: HeaderPairs = field(default=(), repr=False)
    body: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "headers", _pairs(self.headers))

    @classmethod
    def of(cls, method: str, path: str, headers: HeadersIn = (), body: bytes = b"") -> Request:
        return cls(method, path, _pairs(headers), body)


@dataclass(frozen=True)
class Response(_Message):
    status: int
    headers: HeaderPairs = field(default=(), repr=False)
    body: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _pairs(self.headers))

    @classmethod
    def of(cls, status: int, headers: HeadersIn = (), body: bytes = b"") -> Response:
        return cls(status, _pairs(headers), body)


@dataclass(frozen=True)
class Exchange:
    request: Request
    response: Response
