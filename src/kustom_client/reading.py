"""Reading an answer: its body at most ``max_response_bytes`` long after decompression, never
read whole first, and its JSON parsed without a RecursionError.

httpx reads a body whole unless streamed, and its decoders inflate each network chunk without
a bound (64 KiB of a gzip bomb become 64 MB at once). So the clients stream the raw body and
inflate it here with zlib's ``max_length``, which no httpx API offers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from kustom_client.constants import MAX_JSON_DEPTH
from kustom_client.deadline import Deadline

ACCEPT_ENCODING = "gzip, deflate"  # what the client asks for, and all it inflates
_INFLATED = frozenset({"gzip", "x-gzip", "deflate"})
_GZIP_OR_ZLIB = zlib.MAX_WBITS | 32  # zlib detects either header


@dataclass(frozen=True)
class Received:
    """A body as read: ``content`` decoded (cut at the limit when too large), and ``problem``
    when it could not be read whole."""

    content: bytes
    problem: str | None = None


class BodyReader:
    """Takes the raw body chunk by chunk and keeps at most ``limit`` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._problem: str | None = None
        self._inflater: Any = None  # zlib's Decompress, which typeshed does not export
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        if len(codings) == 1 and codings[0] in _INFLATED:
            self._inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
        elif codings:
            self._problem = (
                f"Content-Encoding {content_encoding!r} is not one the client asks for "
                f"({ACCEPT_ENCODING})"
            )

    def feed(self, raw: bytes) -> bool:
        """Take the next raw chunk; True when reading should stop (a problem was found)."""
        if self._problem is not None:
            return True
        if self._inflater is None:
            data = raw
        else:
            try:
                # One byte past the room left is enough to know the body is too large.
                data = self._inflater.decompress(raw, self._limit - self._size + 1)
            except zlib.error as exc:
                self._problem = f"the compressed body is corrupt ({exc})"
                return True
        room = self._limit - self._size
        self._parts.append(data[:room])
        self._size += len(data)
        if self._size > self._limit:
            self._problem = f"the answer is larger than max_response_bytes ({self._limit} bytes)"
            return True
        return False

    def finish(self) -> Received:
        problem = self._problem
        if problem is None and self._inflater is not None and self._parts:
            if not self._inflater.eof:
                problem = "the compressed body ends early"
            elif self._inflater.unused_data:
                problem = "the compressed body is followed by more data"
        return Received(b"".join(self._parts), problem)


def _reader(response: httpx.Response, limit: int) -> BodyReader:
    if response.is_stream_consumed:
        # A response built in memory (an httpx.MockTransport's) comes read and decoded.
        reader = BodyReader(None, limit)
        reader.feed(response.content)
        return reader
    return BodyReader(response.headers.get("content-encoding"), limit)


def read_body(response: httpx.Response, limit: int, deadline: Deadline) -> Received:
    """The body of a streamed response; DeadlinePassed between chunks when time is up."""
    reader = _reader(response, limit)
    if not response.is_stream_consumed:
        for chunk in response.iter_raw():
            if reader.feed(chunk):
                break
            deadline.check()
    return reader.finish()


async def aread_body(response: httpx.Response, limit: int, deadline: Deadline) -> Received:
    """``read_body`` for the async client."""
    reader = _reader(response, limit)
    if not response.is_stream_consumed:
        async for chunk in response.aiter_raw():
            if reader.feed(chunk):
                break
            deadline.check()
    return reader.finish()


def parse_json(content: bytes) -> Any:
    """The JSON in ``content``; ValueError saying why when it is not JSON (or not UTF-8) or
    nests deeper than MAX_JSON_DEPTH (orjson stops at 1024 levels, but a value 1000 levels deep
    cannot even be repr()-ed)."""
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not readable JSON ({exc})") from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nests deeper than {MAX_JSON_DEPTH} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return value
