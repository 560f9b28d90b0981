"""What the operations return: the generated model, plus what the response headers said."""

from __future__ import annotations

from dataclasses import dataclass

from kustom_customer_token_client.models import (
    AuthorizedPaymentMethod,
    CustomerToken,
    FraudStatus,
    OrderResponse,
)
from kustom_customer_token_client.types import Unset

from kustom_client.call import Answer


@dataclass(frozen=True)
class CreatedOrder:
    """The result of ``create_order``.

    ``replayed`` is True when the server answered from its idempotency record (its replay
    header, constants.REPLAYED_HEADER, says ``true``): the order was placed by an earlier call with the same key,
    not by this one. The order's fields are also readable here directly (``order_id``, ...).
    """

    order: OrderResponse
    replayed: bool
    idempotency_key: str
    correlation_id: str | None

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


def created_order(answer: Answer) -> CreatedOrder:
    """Reads a 200 of createOrder; raises when the body is not an OrderResponse."""
    if not isinstance(answer.body, dict):
        raise TypeError(f"the body is a {type(answer.body).__name__}, not an object")
    assert answer.idempotency_key is not None  # create_order always sends one
    return CreatedOrder(
        order=OrderResponse.from_dict(answer.body),
        replayed=answer.replayed,
        idempotency_key=answer.idempotency_key,
        correlation_id=answer.correlation_id,
    )


@dataclass(frozen=True)
class CancelledToken:
    """The result of ``cancel_token``: Kustom accepted the cancellation (202, no body).

    ``replayed`` is True when the answer came from the idempotency record of an earlier call
    with the same key. Cancelling a token that is already cancelled is accepted as well.
    """

    replayed: bool
    idempotency_key: str
    correlation_id: str | None


def cancelled_token(answer: Answer) -> CancelledToken:
    """Reads a 202 of patchCustomerToken (its body, empty, is not read)."""
    assert answer.idempotency_key is not None  # cancel_token always sends one
    return CancelledToken(
        replayed=answer.replayed,
        idempotency_key=answer.idempotency_key,
        correlation_id=answer.correlation_id,
    )


def read_token(answer: Answer) -> CustomerToken:
    """Reads a 200 of readCustomerToken; raises when the body is not a CustomerToken."""
    if not isinstance(answer.body, dict):
        raise TypeError(f"the body is a {type(answer.body).__name__}, not an object")
    return CustomerToken.from_dict(answer.body)
