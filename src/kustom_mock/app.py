"""The mock as an ASGI application, driven by openapi.yaml.

A bare ASGI callable rather than a framework: every answer, 404 and 405 included, must be in
Kustom's error shape, and the routes come from the spec. Checks run in this order (docs/mock.md,
"Order of checks"): route and method, headers, auth, rate limit, content type and size, JSON,
the body's schema and rules, the idempotency key header, then inside one transaction the
idempotency record and the operation itself. The steps a server may take differently go
through the app's ``Behaviour`` (kustom_mock.behaviour), the mock's own unless
``create_app(behaviour=...)`` gives another. A store that cannot answer within its deadline
gets the request a 503 that says when to retry (``names.retry_after``).

``GET /_health`` (HEALTH_PATH) is the mock's own, outside the spec's paths and its checks: no
credentials, never switched off; 200 when the store answers, 503 when it does not (docs/mock.md).
The test controls under ``/_mock/`` (kustom_mock.controls) are the mock's own too, on unless
``MockConfig.test_controls`` is off. A fault armed there is taken inside the decision of a
request it applies to, and acts as kustom_mock.faults says.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from kustom_mock.asgi import ASGIApp, Receive, Scope, Send
from kustom_mock.behaviour import Behaviour
from kustom_mock.body import (
    ClientGone,
    check_content_encoding,
    check_content_type,
    parse_json,
    read_body,
)
from kustom_mock.call import Call
from kustom_mock.config import MockConfig
from kustom_mock.controls import CONTROL_PREFIX, Controls
from kustom_mock.errors import (
    RETRY_AFTER_SECONDS,
    ApiError,
    Reply,
    Response,
    bad_request,
    encode,
    render,
    service_unavailable,
)
from kustom_mock.fault_effects import send_broken, status_error
from kustom_mock.faults import ON_THE_WIRE, FaultAction, FaultKind, FaultNews
from kustom_mock.fixtures import Fixtures, Merchant, load_fixtures
from kustom_mock.headers import read_headers, single_value_headers
from kustom_mock.ids import uuid4
from kustom_mock.operations import Operations
from kustom_mock.ratelimit import RateLimiter
from kustom_mock.routing import Router
from kustom_mock.store import Store, StoredResponse, StoreUnavailable, Transaction
from kustom_mock.tokens import TokenState, redact
from kustom_mock.validation import RequestValidator
from kustom_spec import Spec, load_spec, read_names

__all__ = ["HEALTH_PATH", "ASGIApp", "MockApp", "Receive", "Scope", "Send", "create_app"]

TOKEN_IN_PATH = re.compile(r"(/tokens/)([^/?]+)")
# The mock's own health endpoint: a path no spec of this API has (its paths start with the API's
# name), apart from the API and from any other path the mock may serve for itself.
HEALTH_PATH = "/_health"

access_log = logging.getLogger("kustom_mock.access")
error_log = logging.getLogger("kustom_mock.error")


@dataclass(frozen=True)
class Delay:
    """A decision's answer when it took a delay fault: wait, then decide again (no fault)."""

    action: FaultAction


async def lifespan(receive: Receive, send: Send) -> None:
    """ASGI lifespan with nothing to set up: everything is built in create_app."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def loggable_path(raw_path: str) -> str:
    """The path for the access log: percent-encoded as sent (a %0A cannot start a forged
    line), short, and with any customer token in it shortened to a prefix and a hash."""
    return _loggable_prefix(raw_path[:300])


@lru_cache(maxsize=4096)  # the same few paths again and again; a hash per line cost 6 µs
def _loggable_prefix(path: str) -> str:
    return TOKEN_IN_PATH.sub(lambda m: m[1] + redact(m[2]), path)


class MockApp:
    """The ASGI app: ``await app(scope, receive, send)``."""

    def __init__(
        self,
        spec: Spec,
        fixtures: Fixtures,
        store: Store,
        config: MockConfig,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.spec = spec
        # The header names and auth scheme of this app's spec (``--spec`` may name them
        # otherwise than openapi.yaml), read once: a request looks up plain attributes.
        self.names = names = read_names(spec)
        self.fixtures = fixtures
        self.store = store
        self.config = config
        # `is None`, not `or`: a Behaviour subclass that defines __bool__ or __len__ may be falsy.
        self.behaviour = Behaviour() if behaviour is None else behaviour
        self.correlation_header = names.correlation_id
        self._idempotency_header = names.idempotency_key.lower()  # as read_headers keys it
        self._single_value = single_value_headers(names)
        self.router = Router(spec)
        self.operations = Operations(
            fixtures,
            self.behaviour,
            config.store.retention_seconds,
            names.retry_after,
            keep_bodies=config.test_controls,
        )
        self.validators = {
            op_id: RequestValidator(
                op, self.behaviour.body_rules(op_id), idempotency_header=names.idempotency_key
            )
            for op_id, op in spec.operations.items()
        }
        missing = set(spec.operations) ^ set(self.operations.handlers)
        if missing:
            raise RuntimeError(f"operations without a handler or a route: {sorted(missing)}")
        self.rate_limiter = RateLimiter(config.rate_limit, names) if config.rate_limit else None
        # Whether a request must look for an armed fault (kustom_mock.faults, FaultNews).
        self.fault_news = FaultNews()
        self._faults = config.test_controls
        self.controls = (
            Controls(
                spec,
                names,
                fixtures,
                store,
                self.behaviour,
                config.store.retention_seconds,
                self.fault_news.seconds,
            )
            if config.test_controls
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        correlation_header = self.correlation_header
        correlation_id = uuid4()
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        try:
            if raw_path == HEALTH_PATH:
                response = await self._health(scope["method"])
            elif self.controls is not None and raw_path.startswith(CONTROL_PREFIX):
                response = await self.controls.handle(scope, receive, raw_path, correlation_id)
            else:
                response = await self._handle(scope, receive, raw_path, correlation_id)
        except ClientGone:
            return
        except RecursionError:  # a body nested just under the parser's limit, then walked deeper
            response = render(
                bad_request("Request body is nested too deeply"), correlation_id, correlation_header
            )
        except ApiError as error:
            response = render(error, correlation_id, correlation_header)
        except Exception:  # the safety net: a bug answers in Kustom's shape, never a traceback
            error_log.exception("unhandled error (correlation id %s)", correlation_id)
            response = render(
                ApiError(500, "INTERNAL_ERROR", ["Internal error in the mock"]),
                correlation_id,
                correlation_header,
            )
        await self._send(send, scope, response)
        if access_log.isEnabledFor(logging.INFO):  # the arguments cost time even unlogged
            access_log.info(
                "%s %s %d %.2fms cid=%s%s%s",
                scope["method"][:20],
                loggable_path(raw_path),
                response.status,
                (time.perf_counter() - started) * 1000,
                response.headers.get(correlation_header, correlation_id),
                " replay" if response.replayed else "",
                "" if response.fault is None else f" fault={response.fault.kind}",
            )

    async def _health(self, method: str) -> Response:
        """Whether the mock is up (it answers) and its store answers: 200, else 503 saying when
        to retry; a JSON body says which. No credentials: a load balancer or a CI step asks."""
        if method not in ("GET", "HEAD"):
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                [f"Method {method[:20]} not allowed on {HEALTH_PATH}"],
                headers={"Allow": "GET, HEAD"},
            )
        health = await self.store.health()
        if health.available:
            return Response(200, encode({"mock": "up", "store": "up"}), {})
        body = {"mock": "up", "store": "unavailable", "reason": health.reason}
        headers = {self.names.retry_after: str(RETRY_AFTER_SECONDS)}
        return Response(503, encode(body), headers)

    @staticmethod
    async def _send(send: Send, scope: Scope, response: Response) -> None:
        raw_headers = [(b"content-length", str(len(response.body)).encode())]
        if response.body:
            raw_headers.append((b"content-type", b"application/json"))
        raw_headers += [
            (k.lower().encode(), v.encode("latin-1")) for k, v in response.headers.items()
        ]
        fault = response.fault
        if fault is not None and fault.kind in ON_THE_WIRE:
            await send_broken(send, scope, response, raw_headers, fault)
            return
        await send(
            {"type": "http.response.start", "status": response.status, "headers": raw_headers}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _handle(
        self, scope: Scope, receive: Receive, raw_path: str, correlation_id: str
    ) -> Response:
        match = self.router.match(scope["method"], raw_path)
        operation_id = match.operation.operation_id
        headers = read_headers(
            scope["headers"], scope.get("http_version", "1.1"), self._single_value
        )
        merchant = self.behaviour.authenticate(
            headers.get("authorization"), self.fixtures.merchants_by_key, self.names.auth_scheme
        )
        limit_headers: dict[str, str] = {}
        if self.rate_limiter is not None:
            limit_headers = self.rate_limiter.admit(merchant.merchant_id, operation_id)
        try:
            call = await self._call(match.path_params, operation_id, merchant, headers, receive)
            atomic = call.idempotency_key is not None  # the key's record goes with it
            try:
                decided = await self.store.run(
                    lambda tx: self._decide(tx, call, correlation_id, take_fault=self._faults),
                    atomic=atomic,
                )
                if isinstance(decided, Delay):
                    decided = await self._after_delay(decided, call, correlation_id, atomic)
            except StoreUnavailable:
                raise service_unavailable(self.names.retry_after) from None
            response = self.behaviour.answer(call, decided)
            if decided.fault is not None and response.fault is None:  # kept through answer()
                response = replace(response, fault=decided.fault)
        except ApiError as error:
            error.headers.update(limit_headers)
            raise
        for name, value in limit_headers.items():  # a 429 fault's own headers stand
            response.headers.setdefault(name, value)
        return response

    async def _after_delay(
        self, delay: Delay, call: Call, correlation_id: str, atomic: bool
    ) -> Response:
        """A delay fault's wait, then the decision again (taking no fault this time)."""
        assert delay.action.ms is not None
        await asyncio.sleep(delay.action.ms / 1000)
        again = await self.store.run(
            lambda tx: self._decide(tx, call, correlation_id, take_fault=False), atomic=atomic
        )
        assert isinstance(again, Response)  # no fault taken, so no delay
        return replace(again, fault=delay.action)  # named in the access line

    async def _call(
        self,
        path_params: dict[str, str],
        operation_id: str,
        merchant: Merchant,
        headers: dict[str, str],
        receive: Receive,
    ) -> Call:
        validator = self.validators[operation_id]
        body = None
        raw = b""
        if validator.has_body:
            check_content_type(headers.get("content-type"))
            check_content_encoding(headers.get("content-encoding"))
            raw = await read_body(receive, headers.get("content-length"), validator.max_body_bytes)
            body = self.behaviour.check_body(validator, parse_json(raw))
        key = self.behaviour.idempotency_key(
            validator.idempotency_key(headers.get(self._idempotency_header))
        )
        return Call(operation_id, merchant, path_params["customerToken"], body, key, raw)

    def _decide(
        self, tx: Transaction, call: Call, correlation_id: str, *, take_fault: bool
    ) -> Response | Delay:
        """Inside one transaction: take an armed fault (``take_fault``), then replay, refuse a
        conflicting reuse, or run the operation. A status fault answers before anything else is
        read or kept (the key not claimed); a delay is waited for outside the transaction."""
        merchant_id = call.merchant.merchant_id
        fault = None
        news = self.fault_news
        if take_fault and news.must_look(merchant_id, call.operation_id):
            since = news.clock()
            taken = tx.take_fault(merchant_id, call.operation_id, call.token)
            news.looked(merchant_id, call.operation_id, since, taken.armed)
            fault = taken.fault
        if fault is not None:
            action = fault.action
            if action.kind is FaultKind.STATUS:
                error = status_error(action, self.names, self.config.rate_limit)
                return replace(render(error, correlation_id, self.correlation_header), fault=action)
            if action.kind is FaultKind.DELAY:
                return Delay(action)
        response = self._decide_operation(tx, call, correlation_id)
        return response if fault is None else replace(response, fault=fault.action)

    def _decide_operation(self, tx: Transaction, call: Call, correlation_id: str) -> Response:
        """Replay, refuse a conflicting reuse, or run the operation."""
        handler = self.operations.handlers[call.operation_id]
        merchant_id = call.merchant.merchant_id
        request_print = ""
        if call.idempotency_key is not None:
            request_print = self.behaviour.fingerprint(call)
            stored = tx.find_response(
                merchant_id, call.idempotency_key, self.config.store.retention_seconds
            )
            if stored is not None and stored.fingerprint == request_print:
                headers = {**stored.headers, self.names.idempotent_replayed: "true"}
                return Response(stored.status, stored.body, headers, replayed=True)
            if stored is not None:
                raise ApiError(
                    409,
                    "IDEMPOTENCY_KEY_CONFLICT",
                    [
                        "The request does not match the earlier request with this "
                        f"{self.names.idempotency_key}"
                    ],
                )
        answer: Reply | ApiError
        try:
            answer = handler(tx, call)
        except ApiError as refusal:  # a decision too: kept, and replayed under the key
            answer = refusal
        response = render(answer, correlation_id, self.correlation_header)
        if call.idempotency_key is not None and response.status < 500:
            # A 5xx is not an answer worth replaying: a retry runs again.
            tx.save_response(
                merchant_id,
                call.idempotency_key,
                StoredResponse(request_print, response.status, response.body, response.headers),
            )
        return response


def create_app(
    config: MockConfig | None = None,
    *,
    behaviour: Behaviour | None = None,
    clock: Callable[[], float] = time.time,
) -> MockApp:
    """Build the mock that ``config`` describes (kustom_mock.config; the defaults when None):
    the spec is loaded and its schemas compiled here, once, the fixtures read, the store opened
    and seeded (emptied first with ``reset``). ``behaviour``: the steps a server may take
    differently (kustom_mock.behaviour); the mock's own when None. ``clock``: the store's time
    (tests move it). A spec that lacks a header name or the auth scheme the mock reads from it:
    kustom_spec.SpecNamesError (a ValueError) naming what is missing."""
    config = MockConfig() if config is None else config
    spec = load_spec(config.spec)
    read_names(spec)  # a spec without a name the mock needs fails here, before the database
    fixtures = load_fixtures(config.fixtures, spec)
    store = Store(config.store, clock=clock)
    try:
        store.seed_tokens(
            (TokenState(t.token, t.merchant_id, t.status) for t in fixtures.tokens.values()),
            reset=config.store.reset,
        )
    except BaseException:
        store.close()
        raise
    return MockApp(spec=spec, fixtures=fixtures, store=store, config=config, behaviour=behaviour)
