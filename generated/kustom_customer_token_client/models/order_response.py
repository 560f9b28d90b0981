from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fraud_status import FraudStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.authorized_payment_method import AuthorizedPaymentMethod


T = TypeVar("T", bound="OrderResponse")


@_attrs_define
class OrderResponse:
    """The order that was created.

    Attributes:
        fraud_status (FraudStatus): Fraud status of the order [K1]. `ACCEPTED`: the order can be captured. `PENDING`:
            wait for Kustom's notification at the push URL that the order was approved before capturing it. Example:
            ACCEPTED.
        order_id (str): Unique id of the order, used in every later order management call. Example:
            f3392f8b-6116-4073-ab96-e330819e2c07.
        redirect_url (str): A Kustom URL to send the customer to after the order is placed. Kustom sets a cookie in the
            customer's browser and sends them on to the merchant's confirmation URL. Optional for the merchant, but it
            improves the returning customer's experience. Example:
            https://credit.klarna.com/v1/sessions/0b1d9815-165e-42e2-8867-35bc03789e00/redirect.
        authorized_payment_method (AuthorizedPaymentMethod | Unset): The payment method the order was authorized with.
    """

    fraud_status: FraudStatus
    order_id: str
    redirect_url: str
    authorized_payment_method: AuthorizedPaymentMethod | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fraud_status = self.fraud_status.value

        order_id = self.order_id

        redirect_url = self.redirect_url

        authorized_payment_method: dict[str, Any] | Unset = UNSET
        if not isinstance(self.authorized_payment_method, Unset):
            authorized_payment_method = self.authorized_payment_method.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fraud_status": fraud_status,
                "order_id": order_id,
                "redirect_url": redirect_url,
            }
        )
        if authorized_payment_method is not UNSET:
            field_dict["authorized_payment_method"] = authorized_payment_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.authorized_payment_method import AuthorizedPaymentMethod  # noqa: PLC0415

        d = dict(src_dict)
        fraud_status = FraudStatus(d.pop("fraud_status"))

        order_id = d.pop("order_id")

        redirect_url = d.pop("redirect_url")

        _authorized_payment_method = d.pop("authorized_payment_method", UNSET)
        authorized_payment_method: AuthorizedPaymentMethod | Unset
        if isinstance(_authorized_payment_method, Unset):
            authorized_payment_method = UNSET
        else:
            authorized_payment_method = AuthorizedPaymentMethod.from_dict(_authorized_payment_method)

        order_response = cls(
            fraud_status=fraud_status,
            order_id=order_id,
            redirect_url=redirect_url,
            authorized_payment_method=authorized_payment_method,
        )

        order_response.additional_properties = d
        return order_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
