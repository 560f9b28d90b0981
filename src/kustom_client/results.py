"""What the operations return: the generated model, plus what the response headers said.

A success body becomes the generated model only when it has the shape the model's annotations
(from the spec) promise: the generated ``from_dict`` checks that required fields are there,
not their types, so a string field given a number would pass unnoticed.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

import attrs
from kustom_customer_token_client import models
from kustom_customer_token_client.models import (
    AuthorizedPaymentMethod,
    CustomerToken,
    FraudStatus,
    OrderResponse,
)
from kustom_customer_token_client.types import Unset

from kustom_client.call import Answer

M = TypeVar("M")


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


@functools.cache
def _annotations(model: Any) -> dict[str, Any]:
    # The models import each other only for type checkers; their module resolves the names.
    return typing.get_type_hints(model, localns=vars(models))


def _fits(value: Any, hint: Any) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(hint))
    if hint is int or hint is float:  # JSON numbers; true and false are not numbers here
        kinds = int if hint is int else (int, float)
        return isinstance(value, kinds) and not isinstance(value, bool)
    # A class, or a generic by its container (additional_properties: dict[str, Any]).
    return isinstance(value, typing.get_origin(hint) or hint)


def _checked(model: M) -> M:
    """``model`` when every field holds what its annotation says; TypeError naming the first
    that does not. Iterative over nested models."""
    pending: list[tuple[Any, str]] = [(model, "")]
    while pending:
        current, where = pending.pop()
        hints = _annotations(current.__class__)
        for field in attrs.fields(type(current)):
            value = getattr(current, field.name)
            if not _fits(value, hints[field.name]):
                raise TypeError(f"{where}{field.name} is of type {type(value).__name__}")
            if attrs.has(type(value)):
                pending.append((value, f"{where}{field.name}."))
    return model


def _json_object(answer: Answer) -> dict[str, Any]:
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
        order=_checked(OrderResponse.from_dict(body)),
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
    return _checked(CustomerToken.from_dict(_json_object(answer)))
