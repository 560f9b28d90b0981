"""Shared by the mock's tests: test data, and a client that checks every response it gets."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
from collections.abc import Iterator, Sequence
from typing import Any

import anyio.from_thread
import httpx
import pytest

from kustom_conformance import Response, response_violations
from kustom_mock import MockApp, create_app
from kustom_mock.controls import CONTROL_API_PATH, control_document
from kustom_mock.errors import ApiError
from kustom_mock.routing import Router
from kustom_servers.postgres import PostgresServer, PostgresUnavailable, running_postgres
from kustom_spec import Operation, Spec, load_spec, read_names

SPEC = load_spec()
ROUTER = Router(SPEC)
# The test controls' own document (/_mock/), completed from the spec as the mock completes it.
NAMES = read_names(SPEC)
CONTROLS = Spec(document=control_document(SPEC, NAMES), path=CONTROL_API_PATH)
CONTROL_ROUTER = Router(CONTROLS)
PATH = SPEC.operation("createOrder").path.replace("{customerToken}", "{}")
TOKEN_PATH = SPEC.operation("readCustomerToken").path.replace("{customerToken}", "{}")
STATUS_PATH = SPEC.operation("patchCustomerToken").path.replace("{customerToken}", "{}")
KEY_A = "kco_test_api_merchant_a"
KEY_B = "kco_test_api_merchant_b"
# The username form (httpx's BasicAuth sends base64(username:key)); RAW_* the key alone.
AUTH_A = ("M-TEST-A-4f2c", KEY_A)
AUTH_B = ("M-TEST-B-9d1e", KEY_B)
RAW_A = {"Authorization": f"Basic {KEY_A}"}
FULL_ORDER: dict[str, Any] = SPEC.resolve(SPEC.document["components"]["examples"]["FullOrder"])[
    "value"
]
MINIMAL_ORDER: dict[str, Any] = SPEC.resolve(
    SPEC.document["components"]["examples"]["MinimalOrder"]
)["value"]


def order(**changes: Any) -> dict[str, Any]:
    """A copy of the full example order with top-level changes."""
    return copy.deepcopy(FULL_ORDER) | changes


def at_once(
    base_urls: Sequence[str],
    method: str,
    path: str,
    *,
    json: Any,
    key: str | None,
    times: int = 64,
    timeout: float = 20,
) -> list[httpx.Response]:
    """``times`` identical requests under one idempotency key (``None``: without one), all in
    flight together over real sockets (a connection each), spread in turn over the mock
    processes at ``base_urls``."""

    async def burst() -> list[httpx.Response]:
        # Enough for the busiest server: it gets ceil(times / servers) of the requests.
        limits = httpx.Limits(max_connections=-(-times // len(base_urls)))
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=url, auth=AUTH_A, limits=limits, timeout=timeout)
                )
                for url in base_urls
            ]
            headers = {} if key is None else {"Klarna-Idempotency-Key": key}
            return await asyncio.gather(
                *(
                    clients[i % len(clients)].request(method, path, json=json, headers=headers)
                    for i in range(times)
                )
            )

    return asyncio.run(burst())


def assert_error_shape(response: httpx.Response) -> dict[str, Any]:
    """Kustom's error object, with the correlation id in the body and the header."""
    body: dict[str, Any] = response.json()
    assert body["correlation_id"] == response.headers["Klarna-Correlation-Id"]
    assert isinstance(body["error_code"], str)
    assert body["error_code"]
    assert body["error_messages"]
    assert all(isinstance(m, str) for m in body["error_messages"])
    return body


def assert_conforms(
    response: httpx.Response, operation_id: str | Operation = "createOrder"
) -> httpx.Response:
    """The response keeps the contract (the spec's, or for an Operation its own document's):
    documented status, headers, a body of its schema."""
    operation = SPEC.operation(operation_id) if isinstance(operation_id, str) else operation_id
    problems = response_violations(
        operation,
        Response.of(response.status_code, response.headers.multi_items(), response.content),
        NAMES,  # the spec's header names, which the controls' document shares
    )
    assert not problems, f"{response.status_code} {response.text[:500]}: {problems}"
    if response.status_code >= 400:
        assert_error_shape(response)
    return response


class CheckedClient:
    """A synchronous client for the app in process (httpx over ASGI, run in an anyio portal)
    that checks every response: against the spec for the documented operation, for Kustom's
    error shape on anything else (404 and 405 on other routes and methods)."""

    def __init__(self, app: MockApp) -> None:
        self.app = app
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self.async_client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def close(self) -> None:
        self.portal.call(self.async_client.aclose)
        self._portal_cm.__exit__(None, None, None)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            return await self.async_client.request(method, url, **kwargs)

        response = self.portal.call(send)
        check(method, url, response, controls=self.app.controls is not None)
        return response

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def read(self, token: str, *, auth: tuple[str, str] | None = AUTH_A) -> httpx.Response:
        return self.get(TOKEN_PATH.format(token), auth=auth)

    def cancel(
        self,
        token: str,
        body: Any = None,
        *,
        auth: tuple[str, str] | None = AUTH_A,
        key: str | None = None,
    ) -> httpx.Response:
        headers = {} if key is None else {"Klarna-Idempotency-Key": key}
        return self.request(
            "PATCH",
            STATUS_PATH.format(token),
            json={"status": "CANCELLED"} if body is None else body,
            auth=auth,
            headers=headers,
        )

    def create(
        self,
        token: str = "tok_active",
        body: Any = None,
        *,
        auth: tuple[str, str] | None = AUTH_A,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | str | None = None,
    ) -> httpx.Response:
        """An order: ``body`` as JSON (FULL_ORDER by default), or ``content`` as sent, raw, as
        application/json unless ``headers`` name another Content-Type."""
        all_headers = dict(headers or {})
        if key is not None:
            all_headers["Klarna-Idempotency-Key"] = key
        if content is None:
            return self.post(
                PATH.format(token),
                json=FULL_ORDER if body is None else body,
                auth=auth,
                headers=all_headers,
            )
        all_headers = {"Content-Type": "application/json"} | all_headers
        return self.post(PATH.format(token), content=content, auth=auth, headers=all_headers)


def check(method: str, url: str, response: httpx.Response, *, controls: bool = True) -> None:
    """A documented operation's answer keeps the spec, a test control's (when they are on) the
    controls' document; any other is in the error shape."""
    for router in (ROUTER, CONTROL_ROUTER) if controls else (ROUTER,):
        try:
            match = router.match(method.upper(), url)
        except ApiError:
            continue
        assert_conforms(response, match.operation)
        return
    assert_error_shape(response)


def checked_client(app: MockApp | None = None) -> Iterator[CheckedClient]:
    client = CheckedClient(app or create_app())
    try:
        yield client
    finally:
        client.close()


def postgres_or_skip() -> Iterator[PostgresServer]:
    """For a fixture: a PostgreSQL server (installed first when missing and root). Without the
    package or root the tests that need it skip, except in CI, where they must run."""
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}")
        pytest.skip(f"no PostgreSQL server here: {exc}")
