from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_line_type import OrderLineType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.product_identifiers import ProductIdentifiers
    from ..models.subscription import Subscription


T = TypeVar("T", bound="OrderLine")


@_attrs_define
class OrderLine:
    """One line of the order.

    Attributes:
        name (str): Name of the item, as the customer will see it [K1] (1-255 characters [A1]). Example: Running shoe.
        quantity (int): How many units of the item; non-negative [K1]. Example: 1.
        total_amount (int): Total of the line in minor units, tax and discount included; at most 100000000 [K1]. Must
            equal `quantity` × `unit_price` − `total_discount_amount` (rule 1; `2500` is 25 euros). Negative only on
            discount, gift-card and store-credit lines (rule 7). Example: 2500.
        unit_price (int): Price of one unit in minor units, tax included, discount excluded; at most 100000000 [K1].
            Negative only on discount, gift-card and store-credit lines (rule 7). Example: 2500.
        image_url (str | Unset): URL of an image of the item, used in Kustom's messages to the customer (max 1024
            characters). At least 250x250 px is recommended (650x650 px or more looks best); below 50x50 px it is not shown,
            and the file must not exceed 12 MB. Example: https://www.exampleobjects.com/logo.png.
        merchant_data (str | Unset): Free text about the line, passed through untouched (max 255 characters). Example: {
            "customer_account_info":[{"unique_account_identifier":"test@gmail.com","account_registration_date":"2017-02-
            13T10:49:20Z","account_last_modified":"2019-03-13T11:45:27Z"}]}.
        product_identifiers (ProductIdentifiers | Unset): Identifiers of the product on an order line.
        product_url (str | Unset): URL of the item in the merchant's shop, used in Kustom's messages to the customer
            (max 1024 characters). Example: https://.../AD6654412.html.
        quantity_unit (str | Unset): Unit of the quantity, such as `kg` or `pcs` (1-8 characters). Example: pcs.
        reference (str | Unset): Article number, SKU or similar, as the customer sees it (max 256 characters). Example:
            AD6654412.
        subscription (Subscription | Unset): Marks the line as a subscription and gives its cadence.
        tax_rate (int | Unset): Tax rate of the line with two implicit decimals (`1900` is 19%); non-negative [K1].
            Example: 1900.
        total_discount_amount (int | Unset): Discount on the line in minor units, tax included; non-negative (`500` is 5
            euros). Example: 500.
        total_tax_amount (int | Unset): Tax of the line in minor units. Must lie within ±1 of `total_amount` −
            `total_amount` × 10000 / (10000 + `tax_rate`) (rule 2) [K1]; negative on a discount line [K1, K6] (rule 7).
            Example: 475.
        type_ (OrderLineType | Unset): What kind of item the line is. Example: physical.
    """

    name: str
    quantity: int
    total_amount: int
    unit_price: int
    image_url: str | Unset = UNSET
    merchant_data: str | Unset = UNSET
    product_identifiers: ProductIdentifiers | Unset = UNSET
    product_url: str | Unset = UNSET
    quantity_unit: str | Unset = UNSET
    reference: str | Unset = UNSET
    subscription: Subscription | Unset = UNSET
    tax_rate: int | Unset = UNSET
    total_discount_amount: int | Unset = UNSET
    total_tax_amount: int | Unset = UNSET
    type_: OrderLineType | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        quantity = self.quantity

        total_amount = self.total_amount

        unit_price = self.unit_price

        image_url = self.image_url

        merchant_data = self.merchant_data

        product_identifiers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.product_identifiers, Unset):
            product_identifiers = self.product_identifiers.to_dict()

        product_url = self.product_url

        quantity_unit = self.quantity_unit

        reference = self.reference

        subscription: dict[str, Any] | Unset = UNSET
        if not isinstance(self.subscription, Unset):
            subscription = self.subscription.to_dict()

        tax_rate = self.tax_rate

        total_discount_amount = self.total_discount_amount

        total_tax_amount = self.total_tax_amount

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "quantity": quantity,
                "total_amount": total_amount,
                "unit_price": unit_price,
            }
        )
        if image_url is not UNSET:
            field_dict["image_url"] = image_url
        if merchant_data is not UNSET:
            field_dict["merchant_data"] = merchant_data
        if product_identifiers is not UNSET:
            field_dict["product_identifiers"] = product_identifiers
        if product_url is not UNSET:
            field_dict["product_url"] = product_url
        if quantity_unit is not UNSET:
            field_dict["quantity_unit"] = quantity_unit
        if reference is not UNSET:
            field_dict["reference"] = reference
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate
        if total_discount_amount is not UNSET:
            field_dict["total_discount_amount"] = total_discount_amount
        if total_tax_amount is not UNSET:
            field_dict["total_tax_amount"] = total_tax_amount
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.product_identifiers import ProductIdentifiers  # noqa: PLC0415
        from ..models.subscription import Subscription  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        quantity = d.pop("quantity")

        total_amount = d.pop("total_amount")

        unit_price = d.pop("unit_price")

        image_url = d.pop("image_url", UNSET)

        merchant_data = d.pop("merchant_data", UNSET)

        _product_identifiers = d.pop("product_identifiers", UNSET)
        product_identifiers: ProductIdentifiers | Unset
        if isinstance(_product_identifiers, Unset):
            product_identifiers = UNSET
        else:
            product_identifiers = ProductIdentifiers.from_dict(_product_identifiers)

        product_url = d.pop("product_url", UNSET)

        quantity_unit = d.pop("quantity_unit", UNSET)

        reference = d.pop("reference", UNSET)

        _subscription = d.pop("subscription", UNSET)
        subscription: Subscription | Unset
        if isinstance(_subscription, Unset):
            subscription = UNSET
        else:
            subscription = Subscription.from_dict(_subscription)

        tax_rate = d.pop("tax_rate", UNSET)

        total_discount_amount = d.pop("total_discount_amount", UNSET)

        total_tax_amount = d.pop("total_tax_amount", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: OrderLineType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = OrderLineType(_type_)

        order_line = cls(
            name=name,
            quantity=quantity,
            total_amount=total_amount,
            unit_price=unit_price,
            image_url=image_url,
            merchant_data=merchant_data,
            product_identifiers=product_identifiers,
            product_url=product_url,
            quantity_unit=quantity_unit,
            reference=reference,
            subscription=subscription,
            tax_rate=tax_rate,
            total_discount_amount=total_discount_amount,
            total_tax_amount=total_tax_amount,
            type_=type_,
        )

        order_line.additional_properties = d
        return order_line

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
