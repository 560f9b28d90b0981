"""The proxy as an ASGI app: each request forwarded to the upstream as it came and each answer
sent back as it came (hop-by-hop headers aside, as HTTP requires), then handed to the Monitor.

A request's target goes upstream byte for byte (httpcore's ``target`` extension: httpx would
normalise the path), with the upstream's Host. Bodies up to ``max_body_bytes`` are held whole,
forwarded and checked; a larger one is streamed through as it comes and the exchange reported
unchecked, so that no exchange holds more than the limit in memory. The answer is held and
checked before it is sent, so that the History sees the answers in the order they came.
An upstream that cannot be reached, breaks HTTP or does not answer within ``upstream_timeout``
gets the client a 502 or 504 in Kustom's error shape (own_answers.py), reported as such.
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from kustom_conformance import Request, Response
from kustom_proxy.config import ProxyConfig
from kustom_proxy.monitor import Monitor
from kustom_proxy.observed import Observed
from kustom_proxy.own_answers import OwnAnswer, own_answer
from kustom_proxy.wire import REQUEST_ONLY, RawHeaders, decoded, end_to_end

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

REPORT_INTERVAL = 0.5  # seconds between writes of a changed report
KEEPALIVE_SECONDS = 2.0  # an idle connection to the upstream is closed after this
MAX_REASON_CHARS = 200


class ClientGone(Exception):
    """The client hung up before its request was whole."""


class ClientTooSlow(Exception):
    """The client's body did not come within body_timeout."""


@dataclass(frozen=True)
class Held:
    """A body as far as it was held: whole (``rest`` None) or its start, the rest to come."""

    data: bytes
    rest: AsyncIterator[bytes] | None


def _text_pairs(headers: RawHeaders) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


def _is_loopback(origin: str) -> bool:
    host = urlsplit(origin).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProxyApp:
    def __init__(self, config: ProxyConfig, monitor: Monitor, correlation_header: str) -> None:
        self.config = config
        self.limits = config.limits
        self.monitor = monitor
        self.correlation_header = correlation_header
        self._client: httpx.AsyncClient | None = None
        self._flusher: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._exchange(scope, receive, send)

    # Life
    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._client = self._new_client()
                self._flusher = asyncio.create_task(self._flush_reports())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._flusher is not None:
                    self._flusher.cancel()
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _new_client(self) -> httpx.AsyncClient:
        limits = self.limits
        return httpx.AsyncClient(
            verify=self.config.verify_tls,
            timeout=httpx.Timeout(limits.upstream_timeout),
            limits=httpx.Limits(
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_connections,
                # Below the keep-alive of common servers (uvicorn's and the mock's 5 s): a
                # connection the upstream is about to close is not reused, so no request meets
                # a close it did not cause (a 502 that would be the proxy's own doing).
                keepalive_expiry=KEEPALIVE_SECONDS,
            ),
            follow_redirects=False,  # a redirect is an answer, passed back as it came
            # HTTPS_PROXY and SSL_CERT_FILE are read for a remote upstream, not for loopback
            # (as the contract run does): a stray proxy variable must not reroute local tests.
            trust_env=not _is_loopback(self.config.upstream),
        )

    async def _flush_reports(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(REPORT_INTERVAL)
            try:
                self.monitor.flush()
                failing = False
            except OSError as exc:
                if not failing:  # said once per spell of failures, tried again each interval
                    print(f"kustom-proxy: cannot write the report: {exc.strerror}", file=sys.stderr)
                failing = True

    # One exchange
    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, clock = time.time(), time.monotonic()
        query = scope.get("query_string", b"")
        target: bytes = scope["raw_path"] + (b"?" + query if query else b"")
        if not target.startswith(b"/"):
            await self._send_own(
                send,
                400,
                "send requests to the proxy as to Kustom's server, "
                "with the path alone (not as to an HTTP proxy)",
                close=True,
            )
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_timeout
        try:
            body = await self._hold(_request_chunks(receive, deadline))
        except ClientGone:
            return
        except ClientTooSlow:
            await self._send_own(send, 408, self._too_slow(), close=True)
            return
        request = httpx.Request(
            scope["method"],
            self.config.upstream + "/",
            headers=end_to_end(scope["headers"], REQUEST_ONLY),
            content=body.data if body.rest is None else _joined(body),
            extensions={"target": target},
        )
        forwarded = Request.of(
            scope["method"],
            target.decode("latin-1"),
            _text_pairs(request.headers.raw),
            body.data if body.rest is None else b"",
        )
        unchecked = None
        if body.rest is not None:
            unchecked = f"the request's body is over the proxy's limit of {self.limits.max_body_bytes} bytes"

        def observed(response: Response, **notes: Any) -> Observed:
            return Observed(
                started=started,
                duration=time.monotonic() - clock,
                origin=self.config.upstream,
                request=forwarded,
                response=response,
                request_held=body.rest is None,
                **notes,
            )

        assert self._client is not None
        upstream: httpx.Response | None = None
        try:
            try:
                async with asyncio.timeout(self.limits.upstream_timeout):
                    upstream = await self._client.send(request, stream=True)
                    answer = await self._hold(upstream.aiter_raw())
            except ClientTooSlow:
                await self._send_own(send, 408, self._too_slow(), close=True)
                return
            except ClientGone:
                return
            except (TimeoutError, httpx.TimeoutException) as exc:
                failure = self._timeout_failure(exc)
                own = own_answer(504, failure, self.correlation_header)
                self.monitor.observe(observed(_as_response(own), upstream_failure=failure))
                await self._send(send, own)
                return
            except httpx.HTTPError as exc:
                failure = f"the upstream could not be reached or broke HTTP: {_reason(exc)}"
                own = own_answer(502, failure, self.correlation_header)
                self.monitor.observe(observed(_as_response(own), upstream_failure=failure))
                await self._send(send, own)
                return
            await self._answer(send, upstream, answer, observed, unchecked)
        finally:
            if upstream is not None:
                await upstream.aclose()

    async def _answer(
        self,
        send: Send,
        upstream: httpx.Response,
        answer: Held,
        observed: Callable[..., Observed],
        unchecked: str | None,
    ) -> None:
        """Check a held answer and send it; stream one over the limit and report it unchecked."""
        headers = _text_pairs(upstream.headers.raw)
        start = {
            "type": "http.response.start",
            "status": upstream.status_code,
            "headers": end_to_end(upstream.headers.raw),
        }
        limit = self.limits.max_body_bytes
        if answer.rest is None:
            plain = decoded(answer.data, upstream.headers.get("content-encoding"), limit)
            if plain is None and unchecked is None:
                unchecked = (
                    f"the answer's content coding ({upstream.headers.get('content-encoding')}) "
                    f"is not one the proxy decodes, or decodes past {limit} bytes"
                )
            response = Response.of(upstream.status_code, headers, plain or b"")
            self.monitor.observe(
                observed(
                    response,
                    reason=upstream.reason_phrase,
                    unchecked=unchecked,
                    response_held=plain is not None,
                )
            )
            await send(start)
            await send({"type": "http.response.body", "body": answer.data})
            return
        await send(start)
        await send({"type": "http.response.body", "body": answer.data, "more_body": True})
        why = f"the answer's body is over the proxy's limit of {limit} bytes"
        whole = True
        try:
            async for chunk in answer.rest:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx.HTTPError as exc:
            why += f", and broke off: {_reason(exc)}"
            whole = False  # the answer is left incomplete: uvicorn closes the connection
        if whole:
            await send({"type": "http.response.body", "body": b""})
        self.monitor.observe(
            observed(
                Response.of(upstream.status_code, headers),
                reason=upstream.reason_phrase,
                unchecked=unchecked or why,
                response_held=False,
            )
        )

    async def _hold(self, chunks: AsyncIterator[bytes]) -> Held:
        """The body's bytes up to the limit; past it, what was read and the rest to come."""
        held = bytearray()
        async for chunk in chunks:
            held += chunk
            if len(held) > self.limits.max_body_bytes:
                return Held(bytes(held), chunks)
        return Held(bytes(held), None)

    def _too_slow(self) -> str:
        return f"the request's body did not come within {self.limits.body_timeout:g} s"

    def _timeout_failure(self, exc: Exception) -> str:
        seconds = self.limits.upstream_timeout
        if isinstance(exc, httpx.ConnectTimeout):
            return f"the upstream did not take the connection within {seconds:g} s"
        return f"the upstream did not answer within {seconds:g} s"

    async def _send_own(self, send: Send, status: int, message: str, *, close: bool) -> None:
        own = own_answer(status, message, self.correlation_header)
        headers = own.headers + ([(b"connection", b"close")] if close else [])
        await self._send(send, OwnAnswer(own.status, headers, own.body))

    async def _send(self, send: Send, own: OwnAnswer) -> None:
        await send({"type": "http.response.start", "status": own.status, "headers": own.headers})
        await send({"type": "http.response.body", "body": own.body})


async def _request_chunks(receive: Receive, deadline: float) -> AsyncIterator[bytes]:
    """The request's body as it comes, each piece within ``deadline`` (the loop's clock)."""
    more = True
    while more:
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise ClientTooSlow from None
        if message["type"] == "http.disconnect":
            raise ClientGone
        more = bool(message.get("more_body", False))
        yield message.get("body", b"")


async def _joined(body: Held) -> AsyncIterator[bytes]:
    yield body.data
    assert body.rest is not None
    async for chunk in body.rest:
        yield chunk


def _as_response(own: OwnAnswer) -> Response:
    return Response.of(own.status, _text_pairs(own.headers), own.body)


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
