from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Attachment")


@_attrs_define
class Attachment:
    """Extra merchant data (EMD) sent with the order.

    Attributes:
        body (str): The extra merchant data: a JSON object serialized as a string. Its keys are described in the extra
            merchant data documentation linked from the reference page [K1]. Example: {"customer_account_info":[{"unique_acc
            ount_identifier":"test@gmail.com","account_registration_date":"2017-02-
            13T10:49:20Z","account_last_modified":"2019-03-13T11:45:27Z"}]}.
        content_type (str): Content type of `body`, usually `application/vnd.klarna.internal.emd-v2+json`. Example:
            application/vnd.klarna.internal.emd-v2+json.
    """

    body: str
    content_type: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        content_type = self.content_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "body": body,
                "content_type": content_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        body = d.pop("body")

        content_type = d.pop("content_type")

        attachment = cls(
            body=body,
            content_type=content_type,
        )

        attachment.additional_properties = d
        return attachment

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
