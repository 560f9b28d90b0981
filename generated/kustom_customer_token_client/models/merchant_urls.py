from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MerchantUrls")


@_attrs_define
class MerchantUrls:
    """The merchant's URLs for this order.

    Attributes:
        confirmation (str): URL of the merchant's confirmation page (max 2000 characters). Example:
            https://www.example.com/confirmation?order_id={order.id}.
        push (str | Unset): URL that Kustom requests when the order is completed; it should differ from the checkout and
            confirmation URLs (max 2000 characters). Example: https://www.example.com/push?order_id={order.id}.
    """

    confirmation: str
    push: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        confirmation = self.confirmation

        push = self.push

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "confirmation": confirmation,
            }
        )
        if push is not UNSET:
            field_dict["push"] = push

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        confirmation = d.pop("confirmation")

        push = d.pop("push", UNSET)

        merchant_urls = cls(
            confirmation=confirmation,
            push=push,
        )

        merchant_urls.additional_properties = d
        return merchant_urls

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
