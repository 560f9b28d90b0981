"""What the operations return: the generated model, plus what the response headers said, and
the raw answer behind ``with_raw_response``.

Every result has ``replayed``, ``correlation_id`` and ``rate_limit``, read from the headers
the same way for all three operations. A success body becomes the generated model only when it
has the shape the model's annotations (from the spec) promise (``checked``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx
from kustom_customer_token_client.models import (
    AuthorizedPaymentMethod,
    CardInformation,
    CustomerToken,
    DirectDebitInformation,
    FraudStatus,
    OrderResponse,
    TokenStatus,
)
from kustom_customer_token_client.types import Unset

from kustom_client.call import Answer, Operation
from kustom_client.checked import checked
from kustom_client.constants import CORRELATION_HEADER
from kustom_client.headers import NO_RATE_LIMIT, RateLimit

T = TypeVar("T")


@dataclass(frozen=True)
class CreatedOrder:
    """The result of ``create_order``.

    ``replayed`` is True when the server answered from its idempotency record (its replay
    header, constants.REPLAYED_HEADER, says ``true``): the order was placed by an earlier call
    with the same key, not by this one. The order's fields are also readable here directly
    (``order_id``, ...).
    """

    order: OrderResponse
    replayed: bool
    idempotency_key: str
    correlation_id: str | None
    rate_limit: RateLimit = NO_RATE_LIMIT

    @property
    def order_id(self) -> str:
        return self.order.order_id

    @property
    def fraud_status(self) -> FraudStatus:
        return self.order.fraud_status

    @property
    def redirect_url(self) -> str:
        return self.order.redirect_url

    @property
    def authorized_payment_method(self) -> AuthorizedPaymentMethod | Unset:
        return self.order.authorized_payment_method


@dataclass(frozen=True)
class RetrievedToken:
    """The result of ``get_token``: the generated ``CustomerToken`` as ``token``, its fields
    also readable here directly (``status``, ``payment_method_type``, ``card``,
    ``direct_debit``).

    A read sends no idempotency key, so ``replayed`` is False unless a server says otherwise.
    """

    token: CustomerToken
    replayed: bool
    correlation_id: str | None
    rate_limit: RateLimit = NO_RATE_LIMIT

    @property
    def status(self) -> TokenStatus:
        return self.token.status

    @property
    def payment_method_type(self) -> str:
        return self.token.payment_method_type

    @property
    def card(self) -> CardInformation | Unset:
        return self.token.card

    @property
    def direct_debit(self) -> DirectDebitInformation | Unset:
        return self.token.direct_debit


@dataclass(frozen=True)
class CancelledToken:
    """The result of ``cancel_token``: Kustom accepted the cancellation (202, no body).

    ``replayed`` is True when the answer came from the idempotency record of an earlier call
    with the same key. Cancelling a token that is already cancelled is accepted as well.
    """

    replayed: bool
    idempotency_key: str
    correlation_id: str | None
    rate_limit: RateLimit = NO_RATE_LIMIT


def _json_object(answer: Answer) -> dict[str, object]:
    """The body as a JSON object; raises saying why it is not one."""
    if answer.problem is not None:
        raise ValueError(answer.problem)
    if not isinstance(answer.body, dict):
        raise TypeError(f"the body is a {type(answer.body).__name__}, not an object")
    return answer.body


def created_order(answer: Answer) -> CreatedOrder:
    """Reads a 200 of createOrder; raises when the body is not an OrderResponse."""
    body = _json_object(answer)
    assert answer.idempotency_key is not None  # create_order always sends one
    return CreatedOrder(
        order=checked(OrderResponse.from_dict(body)),
        replayed=answer.replayed,
        idempotency_key=answer.idempotency_key,
        correlation_id=answer.correlation_id,
        rate_limit=answer.rate_limit,
    )


def retrieved_token(answer: Answer) -> RetrievedToken:
    """Reads a 200 of readCustomerToken; raises when the body is not a CustomerToken."""
    return RetrievedToken(
        token=checked(CustomerToken.from_dict(_json_object(answer))),
        replayed=answer.replayed,
        correlation_id=answer.correlation_id,
        rate_limit=answer.rate_limit,
    )


def cancelled_token(answer: Answer) -> CancelledToken:
    """Reads a 202 of patchCustomerToken (its body, empty, is not read)."""
    assert answer.idempotency_key is not None  # cancel_token always sends one
    return CancelledToken(
        replayed=answer.replayed,
        idempotency_key=answer.idempotency_key,
        correlation_id=answer.correlation_id,
        rate_limit=answer.rate_limit,
    )


@dataclass(frozen=True)
class APIResponse(Generic[T]):
    """The raw answer of a successful call made through ``with_raw_response``, as
    openai-python's: ``status_code``, ``headers`` and ``content``, and ``parse()`` for what the
    call returns otherwise.

    Unlike openai-python's, the body has been read, checked and parsed during the call (which
    raises as it always does), so ``parse()`` cannot fail. It holds no request and no
    ``httpx.Response`` (they carry the Authorization header): ``headers`` are the answer's, with
    the call's secrets masked as in errors.
    """

    status_code: int
    headers: httpx.Headers
    content: bytes = field(repr=False)  # the body as read (decompressed), at most the size cap
    retries_taken: int  # attempts before the one that answered; 0 without a retry
    parsed: T

    def parse(self) -> T:
        """What the operation returns without ``with_raw_response``."""
        return self.parsed

    @property
    def correlation_id(self) -> str | None:
        """The answer's correlation id header (masked like every header here)."""
        value: str | None = self.headers.get(CORRELATION_HEADER)
        return value

    @property
    def request_id(self) -> str | None:
        """The correlation id, under the name other SDKs use."""
        return self.correlation_id


def _raw(parse: Callable[[Answer], T], answer: Answer) -> APIResponse[T]:
    return APIResponse(
        status_code=answer.status_code,
        headers=answer.headers,
        content=answer.content,
        retries_taken=answer.attempts - 1,
        parsed=parse(answer),
    )


def raw_operation(operation: Operation[T]) -> Operation[APIResponse[T]]:
    """``operation``, its success read into an APIResponse around what it returns."""
    parse = operation.parse
    return Operation(
        method=operation.method,
        path_template=operation.path_template,
        customer_token=operation.customer_token,
        parse=lambda answer: _raw(parse, answer),
        success_status=operation.success_status,
        content=operation.content,
        idempotency_key=operation.idempotency_key,
        unknown_token_code=operation.unknown_token_code,
    )
