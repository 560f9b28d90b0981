from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CardInformation")


@_attrs_define
class CardInformation:
    """The card behind a card token [A1].

    Attributes:
        brand (str): The card's brand [A1]. Example: VISA.
        expiry_date (str): The card's expiry as `MM/YYYY` [A1]. Example: 12/2030.
        masked_number (str): The card number with all but the last digits masked [A1]. Example: ************1111.
    """

    brand: str
    expiry_date: str
    masked_number: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        brand = self.brand

        expiry_date = self.expiry_date

        masked_number = self.masked_number

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "brand": brand,
                "expiry_date": expiry_date,
                "masked_number": masked_number,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        brand = d.pop("brand")

        expiry_date = d.pop("expiry_date")

        masked_number = d.pop("masked_number")

        card_information = cls(
            brand=brand,
            expiry_date=expiry_date,
            masked_number=masked_number,
        )

        card_information.additional_properties = d
        return card_information

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
