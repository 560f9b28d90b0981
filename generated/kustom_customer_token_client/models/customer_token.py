from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.token_status import TokenStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_information import CardInformation
    from ..models.direct_debit_information import DirectDebitInformation


T = TypeVar("T", bound="CustomerToken")


@_attrs_define
class CustomerToken:
    """A customer token as read [A1]. Which payment method details are present depends on the token's payment method [K4].

    Attributes:
        payment_method_type (str): The token's payment method, e.g. `INVOICE`, `CARD` or `DIRECT_DEBIT` [A1]. Not
            limited to a list: the vendor publishes none. Example: INVOICE.
        status (TokenStatus): The token's status: active, cancelled or suspended [A1]. A `SUSPENDED` token cannot place
            orders (`TOKEN_SUSPENDED` [K3]); a `CANCELLED` one never again (`TOKEN_CANCELED` [A4, A5]). Example: ACTIVE.
        card (CardInformation | Unset): The card behind a card token [A1].
        direct_debit (DirectDebitInformation | Unset): The bank account behind a direct debit token [A1].
    """

    payment_method_type: str
    status: TokenStatus
    card: CardInformation | Unset = UNSET
    direct_debit: DirectDebitInformation | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        payment_method_type = self.payment_method_type

        status = self.status.value

        card: dict[str, Any] | Unset = UNSET
        if not isinstance(self.card, Unset):
            card = self.card.to_dict()

        direct_debit: dict[str, Any] | Unset = UNSET
        if not isinstance(self.direct_debit, Unset):
            direct_debit = self.direct_debit.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "payment_method_type": payment_method_type,
                "status": status,
            }
        )
        if card is not UNSET:
            field_dict["card"] = card
        if direct_debit is not UNSET:
            field_dict["direct_debit"] = direct_debit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_information import CardInformation  # noqa: PLC0415
        from ..models.direct_debit_information import DirectDebitInformation  # noqa: PLC0415

        d = dict(src_dict)
        payment_method_type = d.pop("payment_method_type")

        status = TokenStatus(d.pop("status"))

        _card = d.pop("card", UNSET)
        card: CardInformation | Unset
        if isinstance(_card, Unset):
            card = UNSET
        else:
            card = CardInformation.from_dict(_card)

        _direct_debit = d.pop("direct_debit", UNSET)
        direct_debit: DirectDebitInformation | Unset
        if isinstance(_direct_debit, Unset):
            direct_debit = UNSET
        else:
            direct_debit = DirectDebitInformation.from_dict(_direct_debit)

        customer_token = cls(
            payment_method_type=payment_method_type,
            status=status,
            card=card,
            direct_debit=direct_debit,
        )

        customer_token.additional_properties = d
        return customer_token

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
