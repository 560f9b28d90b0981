"""The mock as an ASGI application.

A bare ASGI callable rather than a framework router: there is one route, and every answer,
404 and 405 included, must be in Kustom's error shape. Checks run in this order (README,
"Order of checks"): route and method, auth, content type and size, JSON, the idempotency
key header, the order's schema and rules, then the idempotency record, then the token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson

from kustom_mock.auth import authenticate
from kustom_mock.body import check_content_encoding, check_content_type, parse_json, too_large
from kustom_mock.errors import ApiError, bad_request
from kustom_mock.fixtures import Fixtures, Merchant, Outcome, load_fixtures
from kustom_mock.orders import (
    DEFAULT_REDIRECT_BASE,
    Reply,
    idempotency_conflict,
    order_created,
    printable,
    service_unavailable,
    token_not_found,
    token_problem,
)
from kustom_mock.store import Store, StoredResponse
from kustom_mock.validation import IDEMPOTENCY_HEADER, RequestValidator
from kustom_spec import DEFAULT_SPEC_PATH, Spec, load_spec

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROUTE = re.compile(rb"^/customer-token/v1/tokens/(?P<token>[^/]*)/order/?$")
CORRELATION_HEADER = "Klarna-Correlation-Id"
REPLAY_HEADER = "Idempotent-Replayed"
DEFAULT_RETENTION_SECONDS = 24 * 3600.0
MAX_HEADER_BYTES = 16 * 1024  # what h11 allows; httptools sets no limit of its own

access_log = logging.getLogger("kustom_mock.access")
error_log = logging.getLogger("kustom_mock.error")


class ClientGone(Exception):
    """The client disconnected before its body arrived; there is no one to answer."""


@dataclass(frozen=True)
class Settings:
    retention_seconds: float = DEFAULT_RETENTION_SECONDS
    redirect_base: str = DEFAULT_REDIRECT_BASE


async def lifespan(receive: Receive, send: Send) -> None:
    """ASGI lifespan with nothing to set up: everything is built in create_app."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _fingerprint(token: str, order: dict[str, Any]) -> str:
    """The request as compared under one idempotency key: token and body, keys sorted."""
    try:  # orjson: a tenth of json.dumps's time on a 1000-line order
        canonical = orjson.dumps(order, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # integers past 64 bits, which the schema allows
        canonical = json.dumps(order, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(token.encode() + b"\n" + canonical).hexdigest()


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class MockApp:
    """The ASGI app: ``await app(scope, receive, send)``."""

    def __init__(self, spec: Spec, fixtures: Fixtures, store: Store, settings: Settings) -> None:
        self.spec = spec
        self.fixtures = fixtures
        self.store = store
        self.settings = settings
        self.validator = RequestValidator(spec)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        correlation_id = str(uuid.uuid4())
        replayed = False
        try:
            status, body, headers, replayed = await self._handle(scope, receive, correlation_id)
        except ClientGone:
            return
        except RecursionError:  # a body nested just under the parser's limit, then walked deeper
            exc = bad_request("Request body is nested too deeply")
            status, headers = exc.status, {CORRELATION_HEADER: correlation_id}
            body = _encode(exc.body(correlation_id))
        except ApiError as exc:
            status, headers = exc.status, {**exc.headers}
            body = _encode(exc.body(correlation_id))
            headers[CORRELATION_HEADER] = correlation_id
        except Exception:  # the safety net: a bug answers in Kustom's shape, never a traceback
            error_log.exception("unhandled error (correlation id %s)", correlation_id)
            status, headers = 500, {CORRELATION_HEADER: correlation_id}
            body = _encode(
                {
                    "correlation_id": correlation_id,
                    "error_code": "INTERNAL_ERROR",
                    "error_messages": ["Internal error in the mock"],
                }
            )
        await self._send(send, status, body, headers)
        access_log.info(
            "%s %s %d %.2fms cid=%s%s",
            scope["method"],
            # The raw path stays percent-encoded: a %0A in a token cannot start a forged line.
            (scope.get("raw_path") or b"").decode("latin-1")[:300] or printable(scope["path"], 300),
            status,
            (time.perf_counter() - started) * 1000,
            headers.get(CORRELATION_HEADER, correlation_id),
            " replay" if replayed else "",
        )

    @staticmethod
    async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
        raw_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        raw_headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})

    async def _read_body(self, receive: Receive, declared: str | None) -> bytes:
        limit = self.validator.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _handle(
        self, scope: Scope, receive: Receive, correlation_id: str
    ) -> tuple[int, bytes, dict[str, str], bool]:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        match = ROUTE.match(raw_path.split(b"?", 1)[0])
        if match is None:
            raise ApiError(404, "NOT_FOUND", [f"No such endpoint: {printable(scope['path'])}"])
        if scope["method"] != "POST":
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                [f"Method {scope['method'][:20]} is not allowed here (only POST)"],
                headers={"Allow": "POST"},
            )
        token_name = unquote(match["token"].decode("latin-1"), errors="replace")
        if sum(len(k) + len(v) for k, v in scope["headers"]) > MAX_HEADER_BYTES:
            raise bad_request(f"Request headers are larger than {MAX_HEADER_BYTES} bytes")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        merchant = authenticate(headers.get("authorization"), self.fixtures.merchants_by_key)
        check_content_type(headers.get("content-type"))
        check_content_encoding(headers.get("content-encoding"))
        raw = await self._read_body(receive, headers.get("content-length"))
        order = self.validator.order(parse_json(raw))
        key = self.validator.idempotency_key(headers.get(IDEMPOTENCY_HEADER.lower()))

        # Without a key nothing is read back and only the order is written: one statement.
        with self.store.transaction(single_write=key is None) as db:
            return self._decide(db, merchant, token_name, order, raw, key, correlation_id)

    def _decide(
        self,
        db: sqlite3.Connection,
        merchant: Merchant,
        token_name: str,
        order: dict[str, Any],
        raw: bytes,
        key: str | None,
        correlation_id: str,
    ) -> tuple[int, bytes, dict[str, str], bool]:
        """Inside one transaction: replay, refuse a conflicting reuse, or charge the token."""
        fingerprint = ""
        if key is not None:
            fingerprint = _fingerprint(token_name, order)
            stored = self.store.find_response(
                db, merchant.merchant_id, key, self.settings.retention_seconds
            )
            if stored is not None and stored.fingerprint == fingerprint:
                return stored.status, stored.body, {**stored.headers, REPLAY_HEADER: "true"}, True
            if stored is not None:
                status, body, headers = self._finish(idempotency_conflict(), correlation_id)
                return status, body, headers, False
        reply = self._charge(db, merchant, token_name, order, key)
        status, body, headers = self._finish(reply, correlation_id)
        if reply.order_id is not None:
            self.store.save_order(
                db,
                order_id=reply.order_id,
                merchant_id=merchant.merchant_id,
                token=token_name,
                key=key,
                request=raw,
                response=body,
            )
        if key is not None and status < 500:  # a 5xx is not an answer worth replaying
            self.store.save_response(
                db, merchant.merchant_id, key, StoredResponse(fingerprint, status, body, headers)
            )
        return status, body, headers, False

    def _charge(
        self,
        db: sqlite3.Connection,
        merchant: Merchant,
        token_name: str,
        order: dict[str, Any],
        key: str | None,
    ) -> Reply:
        token = self.fixtures.tokens.get(token_name)
        if token is None:
            return token_not_found(token_name)
        problem = token_problem(token, merchant, order["purchase_currency"])
        if problem is not None:
            return problem
        if token.outcome is Outcome.FLAKY and (
            key is None
            or self.store.first_flaky_attempt(
                db, merchant.merchant_id, key, self.settings.retention_seconds
            )
        ):
            return service_unavailable()
        return order_created(token, self.settings.redirect_base)

    @staticmethod
    def _finish(reply: Reply, correlation_id: str) -> tuple[int, bytes, dict[str, str]]:
        body = dict(reply.body)
        if reply.status != 200:
            body = {"correlation_id": correlation_id, **body}
        return reply.status, _encode(body), {**reply.headers, CORRELATION_HEADER: correlation_id}


def create_app(
    *,
    spec_path: Path | str = DEFAULT_SPEC_PATH,
    db_path: Path | str = ":memory:",
    fixtures_path: Path | None = None,
    settings: Settings | None = None,
    clock: Callable[[], float] = time.time,
    fsync: bool = False,
) -> MockApp:
    """Build the mock: the spec is loaded and its schemas compiled here, once. ``fsync``: make
    the database survive an OS crash too, not only a crash of the mock (slower; see Store)."""
    spec = load_spec(spec_path)
    return MockApp(
        spec=spec,
        fixtures=load_fixtures(fixtures_path, spec),
        store=Store(db_path, clock=clock, fsync=fsync),
        settings=settings or Settings(),
    )
