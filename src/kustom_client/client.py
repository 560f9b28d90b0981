"""KustomClient and AsyncKustomClient: create_order, get_token and cancel_token, each a few
lines over the request core.

The request is sent with httpx directly (not through the generated ``create_order``) so that
one JSON body is built once and resent as is on every retry; the generated models are what
goes in and comes out. Everything both clients decide lives in ``_BaseClient`` and
``kustom_client.call``; the two classes differ only in how they send and wait.
"""

from __future__ import annotations

import asyncio
import copy
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, Self, TypeVar, cast

import httpx
import orjson
from kustom_customer_token_client.models import (
    NewTokenStatus,
    OrderRequest,
    TokenStatusUpdate,
)

from kustom_client.call import Call, Done, Operation, Wait
from kustom_client.constants import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ORDER_PATH,
    READ_NOT_FOUND_CODE,
    READ_TOKEN_PATH,
    STATUS_PATH,
)
from kustom_client.deadline import Deadline, DeadlinePassed, TimeoutTypes, bound_reads
from kustom_client.errors import InvalidArgumentError, KustomError
from kustom_client.inputs import (
    check_customer_token,
    encode_order,
    idempotency_key_for,
    order_body,
)
from kustom_client.logs import redact_http_logs, redacting
from kustom_client.params import OrderParam
from kustom_client.reading import aread_body, read_body
from kustom_client.results import (
    APIResponse,
    CancelledToken,
    CreatedOrder,
    RetrievedToken,
    cancelled_token,
    created_order,
    raw_operation,
    retrieved_token,
)
from kustom_client.settings import resolve

T = TypeVar("T")
P = ParamSpec("P")

# The only status change a merchant can make (NewTokenStatus), built from the generated model.
CANCEL_BODY = orjson.dumps(TokenStatusUpdate(status=NewTokenStatus.CANCELLED).to_dict())

# The waits between attempts, by these names so that tests can record them instead of waiting.
sleep = time.sleep
async_sleep = asyncio.sleep


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


def _seconds(value: object) -> float | None:
    """``value`` when it is a finite number of seconds above 0, else None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf:
        return float(value)
    return None


def _check_timeout(value: object) -> TimeoutTypes:
    if value is None or isinstance(value, httpx.Timeout):
        return value
    seconds = _seconds(value)
    if seconds is None:
        raise InvalidArgumentError(
            "timeout", f"must be seconds above 0, an httpx.Timeout or None, not {value!r}"
        )
    return seconds


def _check_deadline(value: object) -> float | None:
    seconds = _seconds(value)
    if seconds is None and value is not None:
        raise InvalidArgumentError("deadline", f"must be seconds above 0 or None, not {value!r}")
    return seconds


def _check_count(field: str, value: object, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise InvalidArgumentError(field, f"must be an integer {least} or more, not {value!r}")
    return value


class _BaseClient:
    # True on the copy behind ``with_raw_response``: each call returns an APIResponse.
    _raw = False

    def __init__(
        self,
        api_key: str | None,
        *,
        username: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        deadline: float | None,
        max_retries: int,
        max_response_bytes: int,
        check_orders: bool,
    ) -> None:
        settings = resolve(api_key, username, base_url)
        self._credentials = settings.credentials
        self.username = settings.credentials.username
        self.base_url = settings.base_url
        self.timeout = _check_timeout(timeout)
        self.deadline = _check_deadline(deadline)
        self.max_retries = _check_count("max_retries", max_retries, 0)
        self.max_response_bytes = _check_count("max_response_bytes", max_response_bytes, 1)
        self.check_orders = check_orders
        redact_http_logs()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, username={self.username!r}, "
            "api_key='***')"
        )

    def _call(
        self,
        operation: Operation[T],
        timeout: TimeoutTypes,
        deadline: float | None,
        max_retries: int | None,
    ) -> Call[T]:
        with _carrying(operation.idempotency_key):
            call_timeout = self.timeout if timeout is NOT_GIVEN else _check_timeout(timeout)
            seconds = self.deadline if deadline is NOT_GIVEN else _check_deadline(deadline)
            retries = (
                self.max_retries
                if max_retries is None
                else _check_count("max_retries", max_retries, 0)
            )
        if self._raw:
            # The raw copy's methods are typed APIResponse[T] by _raw_method, which wraps them.
            operation = cast("Operation[T]", raw_operation(operation))
        return Call(
            operation,
            base_url=self.base_url,
            credentials=self._credentials,
            timeout=call_timeout,
            max_retries=retries,
            deadline=Deadline.start(seconds),
            max_response_bytes=self.max_response_bytes,
        )

    def _create_order(
        self,
        customer_token: str,
        order: OrderRequest | OrderParam,
        idempotency_key: str | None,
    ) -> Operation[CreatedOrder]:
        key = idempotency_key_for(idempotency_key)
        with _carrying(key):
            token = check_customer_token(customer_token)
            content = encode_order(order_body(order), check_rules=self.check_orders)
        return Operation(
            method="POST",
            path_template=ORDER_PATH,
            customer_token=token,
            parse=created_order,
            content=content,
            idempotency_key=key,
        )

    @staticmethod
    def _get_token(customer_token: str) -> Operation[RetrievedToken]:
        # A read is safe to retry as it is: no idempotency key.
        return Operation(
            method="GET",
            path_template=READ_TOKEN_PATH,
            customer_token=check_customer_token(customer_token),
            parse=retrieved_token,
            unknown_token_code=READ_NOT_FOUND_CODE,
        )

    @staticmethod
    def _cancel_token(
        customer_token: str, idempotency_key: str | None
    ) -> Operation[CancelledToken]:
        key = idempotency_key_for(idempotency_key)
        with _carrying(key):
            token = check_customer_token(customer_token)
        return Operation(
            method="PATCH",
            path_template=STATUS_PATH,
            customer_token=token,
            parse=cancelled_token,
            success_status=202,
            content=CANCEL_BODY,
            idempotency_key=key,
            unknown_token_code=READ_NOT_FOUND_CODE,
        )

    def _raw_copy(self) -> Self:
        """This client (sharing its connections and settings as they are now) with ``_raw``."""
        raw = copy.copy(self)
        raw._raw = True
        return raw


@contextmanager
def _carrying(idempotency_key: str | None) -> Iterator[None]:
    """Puts the call's idempotency key on any KustomError raised inside."""
    try:
        yield
    except KustomError as error:
        error.idempotency_key = idempotency_key
        raise


class KustomClient(_BaseClient):
    """Synchronous client. ``http_client`` lets you bring your own httpx.Client (proxies, ...).

    Omitted ``api_key``, ``username`` and ``base_url`` are read from KUSTOM_API_KEY,
    KUSTOM_USERNAME and KUSTOM_BASE_URL (default: production).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        username: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        check_orders: bool = True,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key,
            username=username,
            base_url=base_url,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            check_orders=check_orders,
        )
        # The client it builds cuts every read to the deadline (deadline.bound_reads); one passed
        # in is bounded before each attempt and between chunks of the body only.
        self._http = http_client or bound_reads(httpx.Client(timeout=self.timeout, verify=True))

    def close(self) -> None:
        self._http.close()

    @property
    def with_raw_response(self) -> KustomClientWithRawResponse:
        """The same operations, each returning the raw answer (``APIResponse``: status, headers,
        content) with ``parse()`` for the usual result: ``kustom.with_raw_response.get_token(t)``."""
        return KustomClientWithRawResponse(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_order(
        self,
        customer_token: str,
        order: OrderRequest | OrderParam,
        *,
        idempotency_key: str | None = None,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> CreatedOrder:
        """Place an order with a customer token; raises a KustomError subclass on failure.

        One idempotency key (``idempotency_key`` or a new UUID) is sent on every attempt, so a
        retry never places a second order; every exception carries it as ``idempotency_key``.
        """
        operation = self._create_order(customer_token, order, idempotency_key)
        return self._run(self._call(operation, timeout, deadline, max_retries))

    def get_token(
        self,
        customer_token: str,
        *,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> RetrievedToken:
        """Read a customer token: its status and payment method (the generated model as
        ``token``, with what the headers said)."""
        return self._run(
            self._call(self._get_token(customer_token), timeout, deadline, max_retries)
        )

    def cancel_token(
        self,
        customer_token: str,
        *,
        idempotency_key: str | None = None,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> CancelledToken:
        """Cancel a customer token for good (its status set to CANCELLED; Kustom answers 202).

        Retried like create_order, under one idempotency key for every attempt.
        """
        operation = self._cancel_token(customer_token, idempotency_key)
        return self._run(self._call(operation, timeout, deadline, max_retries))

    def _run(self, call: Call[T]) -> T:
        while True:
            call.sending()
            try:
                with (
                    call.deadline.bounding(),
                    redacting(call.redact),
                    self._http.stream(**call.request()) as response,
                ):
                    received = read_body(response, call.max_response_bytes, call.deadline)
            except httpx.RequestError as exc:
                step = call.failed(exc)
            except DeadlinePassed:
                step = call.expired()
            else:
                step = call.answered(response, received)
            # Raised here, outside the except block: no httpx error in __context__.
            if isinstance(step, Wait):
                sleep(step.delay)
            elif isinstance(step, Done):
                return step.result
            else:
                raise step.error


class AsyncKustomClient(_BaseClient):
    """Asynchronous client, the same as KustomClient with ``await``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        username: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        check_orders: bool = True,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key,
            username=username,
            base_url=base_url,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            check_orders=check_orders,
        )
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, verify=True)

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def with_raw_response(self) -> AsyncKustomClientWithRawResponse:
        """See KustomClient.with_raw_response."""
        return AsyncKustomClientWithRawResponse(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def create_order(
        self,
        customer_token: str,
        order: OrderRequest | OrderParam,
        *,
        idempotency_key: str | None = None,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> CreatedOrder:
        """See KustomClient.create_order."""
        operation = self._create_order(customer_token, order, idempotency_key)
        return await self._run(self._call(operation, timeout, deadline, max_retries))

    async def get_token(
        self,
        customer_token: str,
        *,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> RetrievedToken:
        """See KustomClient.get_token."""
        return await self._run(
            self._call(self._get_token(customer_token), timeout, deadline, max_retries)
        )

    async def cancel_token(
        self,
        customer_token: str,
        *,
        idempotency_key: str | None = None,
        timeout: TimeoutTypes = NOT_GIVEN,
        deadline: float | None = NOT_GIVEN,
        max_retries: int | None = None,
    ) -> CancelledToken:
        """See KustomClient.cancel_token."""
        operation = self._cancel_token(customer_token, idempotency_key)
        return await self._run(self._call(operation, timeout, deadline, max_retries))

    async def _run(self, call: Call[T]) -> T:
        while True:
            call.sending()
            try:
                # Cancels the attempt wherever it is when the deadline passes (status line,
                # headers or body), whichever httpx client sends it.
                with redacting(call.redact):
                    async with (
                        asyncio.timeout(call.deadline.remaining()),
                        self._http.stream(**call.request()) as response,
                    ):
                        received = await aread_body(
                            response, call.max_response_bytes, call.deadline
                        )
            except httpx.RequestError as exc:
                step = call.failed(exc)
            except (TimeoutError, DeadlinePassed):
                step = call.expired()
            else:
                step = call.answered(response, received)
            if isinstance(step, Wait):
                await async_sleep(step.delay)
            elif isinstance(step, Done):
                return step.result
            else:
                raise step.error


def _raw_method(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """A raw copy's ``method``, typed as what it returns there (one signature per operation)."""
    return cast("Callable[P, APIResponse[T]]", method)


def _async_raw_method(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[APIResponse[T]]]:
    """``_raw_method`` for the async client."""
    return cast("Callable[P, Awaitable[APIResponse[T]]]", method)


class KustomClientWithRawResponse:
    """``KustomClient.with_raw_response``: its operations, with the same arguments, each
    returning an ``APIResponse`` around its result (openai-python's ``with_raw_response``)."""

    def __init__(self, client: KustomClient) -> None:
        raw = client._raw_copy()
        self.create_order = _raw_method(raw.create_order)
        self.get_token = _raw_method(raw.get_token)
        self.cancel_token = _raw_method(raw.cancel_token)


class AsyncKustomClientWithRawResponse:
    """``AsyncKustomClient.with_raw_response``: see KustomClientWithRawResponse."""

    def __init__(self, client: AsyncKustomClient) -> None:
        raw = client._raw_copy()
        self.create_order = _async_raw_method(raw.create_order)
        self.get_token = _async_raw_method(raw.get_token)
        self.cancel_token = _async_raw_method(raw.cancel_token)
