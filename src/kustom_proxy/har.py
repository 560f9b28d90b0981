"""The exchanges as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), which browsers'
developer tools and many HTTP tools write and read: written one entry at a time, and read back
for ``scripts/verify-traffic``.

Written by hand with ``json``: HAR is one JSON object, and no library in reach writes it
incrementally. The file is valid HAR after every entry (the closing brackets are rewritten
after each one), so that it can be read while the proxy runs, and only one entry is held in
memory. What the proxy adds is in fields HAR leaves to tools (a leading underscore):
``_kustom.unchecked`` and ``_kustom.upstream_failure``, which ``read_har`` gives back, so that an
exchange the proxy did not check is not checked offline either, and ``_bodyNotRecorded`` on a
request or a content whose body was streamed through, not held. A body that is not UTF-8 is
base64 (``content.encoding``, and ``postData._encoding``, which HAR does not define).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from kustom_conformance import Request, Response
from kustom_proxy.observed import Observed

_TAIL = b"\n]}}\n"
MAX_HAR_BYTES = 1024**3  # a file read whole; larger ones are refused rather than read


class HarError(ValueError):
    """A file that is not HAR as this reader needs it: says where and why, in one line."""


@dataclass(frozen=True)
class NotHeld:
    """A body the record does not hold, and why."""

    why: str


class HarWriter:
    """Appends entries to a new HAR file at ``path`` (its folder made if need be), valid after
    each one."""

    def __init__(self, path: Path, creator: str, version: str) -> None:
        self.path = path
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = path.open("wb")
        head = json.dumps({"version": "1.2", "creator": {"name": creator, "version": version}})
        self._file.write(b'{"log": ' + head[:-1].encode() + b', "entries": [')
        self._end = self._file.tell()
        self._file.write(_TAIL)
        self._file.flush()

    def add(self, entry: dict[str, Any]) -> None:
        data = (b",\n" if self.count else b"\n") + json.dumps(entry, ensure_ascii=False).encode()
        self._file.seek(self._end)
        self._file.write(data + _TAIL)
        self._file.flush()
        self._end += len(data)
        self.count += 1

    def close(self) -> None:
        self._file.close()


def _headers(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _text(body: bytes) -> tuple[str, bool]:
    """The body as HAR text, and whether that text is base64."""
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def entry(
    observed: Observed, request_body: bytes | NotHeld, response_body: bytes | NotHeld
) -> dict[str, Any]:
    """The HAR entry of ``observed`` (already redacted), with the bodies as given."""
    request, response = observed.request, observed.response
    query = urlsplit(request.path).query
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": observed.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(request.headers),
        "queryString": [
            {"name": name, "value": value}
            for name, value in parse_qsl(query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": -1,
    }
    if isinstance(request_body, NotHeld):
        har_request.update(comment=request_body.why, _bodyNotRecorded=True)
    elif request_body:
        text, is_base64 = _text(request_body)
        har_request["bodySize"] = len(request_body)
        har_request["postData"] = {"mimeType": request.header("content-type") or "", "text": text}
        if is_base64:
            har_request["postData"]["_encoding"] = "base64"
    else:
        har_request["bodySize"] = 0
    content: dict[str, Any] = {"size": 0, "mimeType": response.header("content-type") or ""}
    if isinstance(response_body, NotHeld):
        content.update(size=-1, comment=response_body.why, _bodyNotRecorded=True)
    elif response_body:
        text, is_base64 = _text(response_body)
        content.update(size=len(response_body), text=text)
        if is_base64:
            content["encoding"] = "base64"
    milliseconds = round(observed.duration * 1000, 3)
    found: dict[str, Any] = {
        "startedDateTime": datetime.fromtimestamp(observed.started, UTC).isoformat(
            timespec="microseconds"
        ),
        "time": milliseconds,
        "request": har_request,
        "response": {
            "status": response.status,
            "statusText": observed.reason,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(response.headers),
            "content": content,
            "redirectURL": response.header("location") or "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": milliseconds, "receive": 0},
    }
    notes = {
        name: value
        for name, value in (
            ("unchecked", observed.unchecked),
            ("upstream_failure", observed.upstream_failure),
        )
        if value is not None
    }
    if notes:
        found["_kustom"] = notes
    return found


def read_har(path: Path) -> list[Observed]:
    """Every entry of the HAR file at ``path``, in the file's order; a HarError for a file that
    cannot be read as HAR (an OSError for one that cannot be read at all)."""
    if path.stat().st_size > MAX_HAR_BYTES:
        raise HarError(f"{path.name} is larger than {MAX_HAR_BYTES} bytes")
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as exc:
        raise HarError(f"{path.name} is not JSON: {str(exc)[:200]}") from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{path.name} is not HAR: no log.entries list")
    return [_observed(index, item) for index, item in enumerate(entries, start=1)]


def _observed(number: int, item: Any) -> Observed:
    where = f"entry {number}"
    if not isinstance(item, dict):
        raise HarError(f"{where} is not an object")
    request, response = _object(item, "request", where), _object(item, "response", where)
    url = _string(request, "url", f"{where}'s request")
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise HarError(f"{where}'s request url is not an absolute URL")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = _started(item, where)
    duration = item.get("time", 0)
    if not isinstance(duration, int | float) or duration < 0:
        raise HarError(f"{where}'s time is not a number of milliseconds")
    found_notes = item.get("_kustom")
    notes: dict[str, Any] = found_notes if isinstance(found_notes, dict) else {}
    unchecked = notes.get("unchecked") if isinstance(notes.get("unchecked"), str) else None
    failure = notes.get("upstream_failure")
    request_body = _request_body(request, where)
    response_body = _response_body(response, where)
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise HarError(f"{where}'s response status is not a number")
    if unchecked is None:
        for body in (request_body, response_body):
            if isinstance(body, NotHeld):
                unchecked = body.why
        if status == 0:
            unchecked = "no answer in the record"
    reason = response.get("statusText")
    return Observed(
        started=started,
        duration=duration / 1000,
        origin=f"{parts.scheme}://{parts.netloc}",
        request=Request.of(
            _string(request, "method", f"{where}'s request"),
            target,
            _header_pairs(request, f"{where}'s request"),
            request_body if isinstance(request_body, bytes) else b"",
        ),
        response=Response.of(
            status,
            _header_pairs(response, f"{where}'s response"),
            response_body if isinstance(response_body, bytes) else b"",
        ),
        reason=reason if isinstance(reason, str) else "",
        unchecked=unchecked,
        upstream_failure=failure if isinstance(failure, str) else None,
        request_held=isinstance(request_body, bytes),
        response_held=isinstance(response_body, bytes),
    )


def _object(parent: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    found = parent.get(name)
    if not isinstance(found, dict):
        raise HarError(f"{where} has no {name} object")
    return found


def _string(parent: dict[str, Any], name: str, where: str) -> str:
    found = parent.get(name)
    if not isinstance(found, str) or not found:
        raise HarError(f"{where} has no {name}")
    return found


def _started(item: dict[str, Any], where: str) -> float:
    text = item.get("startedDateTime")
    if not isinstance(text, str):
        raise HarError(f"{where} has no startedDateTime")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise HarError(
            f"{where}'s startedDateTime is not an ISO 8601 date: {text[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _header_pairs(message: dict[str, Any], where: str) -> list[tuple[str, str]]:
    headers = message.get("headers")
    if not isinstance(headers, list):
        raise HarError(f"{where} has no headers list")
    pairs = []
    for header in headers:
        if not (
            isinstance(header, dict)
            and isinstance(header.get("name"), str)
            and isinstance(header.get("value"), str)
        ):
            raise HarError(f"{where} has a header that is not a name and a value")
        if not header["name"].startswith(":"):  # HTTP/2's pseudo-headers, as browsers record
            pairs.append((header["name"], header["value"]))
    return pairs


def _decoded_text(text: str, is_base64: bool, where: str) -> bytes:
    if not is_base64:
        return text.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise HarError(f"{where} says base64 but is not") from None


def _request_body(request: dict[str, Any], where: str) -> bytes | NotHeld:
    post = request.get("postData")
    if isinstance(post, dict) and isinstance(post.get("text"), str):
        encoding = post.get("_encoding", post.get("encoding"))
        return _decoded_text(post["text"], encoding == "base64", f"{where}'s request body")
    size = request.get("bodySize")
    if request.get("_bodyNotRecorded") or (isinstance(size, int) and size > 0):
        return NotHeld(str(request.get("comment") or "the request's body is not in the record"))
    return b""


def _response_body(response: dict[str, Any], where: str) -> bytes | NotHeld:
    content = response.get("content")
    if not isinstance(content, dict):
        raise HarError(f"{where}'s response has no content object")
    if isinstance(content.get("text"), str):
        encoding = content.get("encoding")
        return _decoded_text(content["text"], encoding == "base64", f"{where}'s response body")
    size = content.get("size")
    if content.get("_bodyNotRecorded") or (isinstance(size, int) and size > 0):
        return NotHeld(str(content.get("comment") or "the answer's body is not in the record"))
    return b""
