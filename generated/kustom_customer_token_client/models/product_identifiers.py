from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductIdentifiers")


@_attrs_define
class ProductIdentifiers:
    """Identifiers of the product on an order line.

    Attributes:
        brand (str | Unset): The brand as consumers know it; leave it out when the product has none (max 70 characters
            [A1]) [K1]. Example: shoe-brand.
        category_path (str | Unset): The product's full category path in the merchant's shop, segments separated by ` >
            ` (max 750 characters [A1]) [K1]. Example: Shoes > Running.
        color (str | Unset): Colour shown to the customer (max 64 characters). Example: white.
        global_trade_item_number (str | Unset): The product's Global Trade Item Number (EAN, ISBN, UPC), without dashes
            or spaces where possible (max 50 characters [A1]) [K1]. Example: 4912345678904.
        manufacturer_part_number (str | Unset): The Manufacturer Part Number that, with the brand, identifies the
            product; only one the manufacturer assigned, as specific as possible (max 70 characters [A1]) [K1]. Example:
            AD6654412-334.22.
        size (str | Unset): Size shown to the customer (max 64 characters). Example: small.
    """

    brand: str | Unset = UNSET
    category_path: str | Unset = UNSET
    color: str | Unset = UNSET
    global_trade_item_number: str | Unset = UNSET
    manufacturer_part_number: str | Unset = UNSET
    size: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        brand = self.brand

        category_path = self.category_path

        color = self.color

        global_trade_item_number = self.global_trade_item_number

        manufacturer_part_number = self.manufacturer_part_number

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if brand is not UNSET:
            field_dict["brand"] = brand
        if category_path is not UNSET:
            field_dict["category_path"] = category_path
        if color is not UNSET:
            field_dict["color"] = color
        if global_trade_item_number is not UNSET:
            field_dict["global_trade_item_number"] = global_trade_item_number
        if manufacturer_part_number is not UNSET:
            field_dict["manufacturer_part_number"] = manufacturer_part_number
        if size is not UNSET:
            field_dict["size"] = size

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        brand = d.pop("brand", UNSET)

        category_path = d.pop("category_path", UNSET)

        color = d.pop("color", UNSET)

        global_trade_item_number = d.pop("global_trade_item_number", UNSET)

        manufacturer_part_number = d.pop("manufacturer_part_number", UNSET)

        size = d.pop("size", UNSET)

        product_identifiers = cls(
            brand=brand,
            category_path=category_path,
            color=color,
            global_trade_item_number=global_trade_item_number,
            manufacturer_part_number=manufacturer_part_number,
            size=size,
        )

        product_identifiers.additional_properties = d
        return product_identifiers

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
