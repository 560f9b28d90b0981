from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address import Address
    from ..models.attachment import Attachment
    from ..models.merchant_urls import MerchantUrls
    from ..models.order_line import OrderLine


T = TypeVar("T", bound="OrderRequest")


@_attrs_define
class OrderRequest:
    """An order to place with a customer token [K1].

    Attributes:
        order_amount (int): Total amount of the order in minor units, tax and discounts included; non-negative [K1].
            Must equal the sum of the lines' `total_amount` (rule 3). Klarna's document asks for at least 1 [A1]; this
            contract follows Kustom's page and allows 0. Example: 10699.
        order_lines (list[OrderLine]): The order's lines: at most 1000 [K1], at least one [A1].
        purchase_currency (str): ISO 4217 currency of the purchase [K1], three letters [A1]. Example: GBP.
        attachment (Attachment | Unset): Extra merchant data (EMD) sent with the order.
        auto_capture (bool | Unset): Let the merchant have the order captured automatically [K1]. When not given, the
            server takes `false` [K3, A1]. (Said here rather than as a `default`: generators such as openapi-typescript make
            a property with a `default` required in the request type.)
        merchant_data (str | Unset): Free text passed through untouched (max 6000 characters). Example:
            {"order_specific":[{"substore":"Women's Fashion","product_name":"Women Sweatshirt"}]}.
        merchant_reference1 (str | Unset): The merchant's own order number or other reference; when set it is shown on
            the confirmation page as "order number" (max 255 characters). Example: ON4711.
        merchant_reference2 (str | Unset): A second merchant reference (max 255 characters). Example: ON4711.
        merchant_urls (MerchantUrls | Unset): The merchant's URLs for this order.
        order_tax_amount (int | Unset): Total tax of the order in minor units; non-negative [K1]. When given, it must
            equal the sum of the lines' `total_tax_amount` within ± the number of lines (rule 4). Optional as on Kustom's
            page [K1]; Klarna's document requires it [A1]. Example: 1783.
        shipping_address (Address | Unset): The customer's shipping address. The limits (99 characters, except where a
            field says otherwise) are Klarna's [A1]; the texts are the reference page's [K1].
    """

    order_amount: int
    order_lines: list[OrderLine]
    purchase_currency: str
    attachment: Attachment | Unset = UNSET
    auto_capture: bool | Unset = UNSET
    merchant_data: str | Unset = UNSET
    merchant_reference1: str | Unset = UNSET
    merchant_reference2: str | Unset = UNSET
    merchant_urls: MerchantUrls | Unset = UNSET
    order_tax_amount: int | Unset = UNSET
    shipping_address: Address | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_amount = self.order_amount

        order_lines = []
        for order_lines_item_data in self.order_lines:
            order_lines_item = order_lines_item_data.to_dict()
            order_lines.append(order_lines_item)

        purchase_currency = self.purchase_currency

        attachment: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attachment, Unset):
            attachment = self.attachment.to_dict()

        auto_capture = self.auto_capture

        merchant_data = self.merchant_data

        merchant_reference1 = self.merchant_reference1

        merchant_reference2 = self.merchant_reference2

        merchant_urls: dict[str, Any] | Unset = UNSET
        if not isinstance(self.merchant_urls, Unset):
            merchant_urls = self.merchant_urls.to_dict()

        order_tax_amount = self.order_tax_amount

        shipping_address: dict[str, Any] | Unset = UNSET
        if not isinstance(self.shipping_address, Unset):
            shipping_address = self.shipping_address.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "order_amount": order_amount,
                "order_lines": order_lines,
                "purchase_currency": purchase_currency,
            }
        )
        if attachment is not UNSET:
            field_dict["attachment"] = attachment
        if auto_capture is not UNSET:
            field_dict["auto_capture"] = auto_capture
        if merchant_data is not UNSET:
            field_dict["merchant_data"] = merchant_data
        if merchant_reference1 is not UNSET:
            field_dict["merchant_reference1"] = merchant_reference1
        if merchant_reference2 is not UNSET:
            field_dict["merchant_reference2"] = merchant_reference2
        if merchant_urls is not UNSET:
            field_dict["merchant_urls"] = merchant_urls
        if order_tax_amount is not UNSET:
            field_dict["order_tax_amount"] = order_tax_amount
        if shipping_address is not UNSET:
            field_dict["shipping_address"] = shipping_address

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.address import Address  # noqa: PLC0415
        from ..models.attachment import Attachment  # noqa: PLC0415
        from ..models.merchant_urls import MerchantUrls  # noqa: PLC0415
        from ..models.order_line import OrderLine  # noqa: PLC0415

        d = dict(src_dict)
        order_amount = d.pop("order_amount")

        order_lines = []
        _order_lines = d.pop("order_lines")
        for order_lines_item_data in _order_lines:
            order_lines_item = OrderLine.from_dict(order_lines_item_data)

            order_lines.append(order_lines_item)

        purchase_currency = d.pop("purchase_currency")

        _attachment = d.pop("attachment", UNSET)
        attachment: Attachment | Unset
        if isinstance(_attachment, Unset):
            attachment = UNSET
        else:
            attachment = Attachment.from_dict(_attachment)

        auto_capture = d.pop("auto_capture", UNSET)

        merchant_data = d.pop("merchant_data", UNSET)

        merchant_reference1 = d.pop("merchant_reference1", UNSET)

        merchant_reference2 = d.pop("merchant_reference2", UNSET)

        _merchant_urls = d.pop("merchant_urls", UNSET)
        merchant_urls: MerchantUrls | Unset
        if isinstance(_merchant_urls, Unset):
            merchant_urls = UNSET
        else:
            merchant_urls = MerchantUrls.from_dict(_merchant_urls)

        order_tax_amount = d.pop("order_tax_amount", UNSET)

        _shipping_address = d.pop("shipping_address", UNSET)
        shipping_address: Address | Unset
        if isinstance(_shipping_address, Unset):
            shipping_address = UNSET
        else:
            shipping_address = Address.from_dict(_shipping_address)

        order_request = cls(
            order_amount=order_amount,
            order_lines=order_lines,
            purchase_currency=purchase_currency,
            attachment=attachment,
            auto_capture=auto_capture,
            merchant_data=merchant_data,
            merchant_reference1=merchant_reference1,
            merchant_reference2=merchant_reference2,
            merchant_urls=merchant_urls,
            order_tax_amount=order_tax_amount,
            shipping_address=shipping_address,
        )

        order_request.additional_properties = d
        return order_request

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
