from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.known_error_code import KnownErrorCode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.authorized_payment_method import AuthorizedPaymentMethod


T = TypeVar("T", bound="ErrorDetails")


@_attrs_define
class ErrorDetails:
    """Why a request failed [A1, A9]. `error_messages` names each field at fault, as in `Bad value:
    order_lines[1].total_amount` [K8].

        Attributes:
            authorized_payment_method (AuthorizedPaymentMethod | Unset): The payment method the order was authorized with.
            correlation_id (str | Unset): The id of the request in the server's logs; also sent as the `Klarna-Correlation-
                Id` header. Example: 6a3f1c5e-7b9d-4e2f-8a0c-2d4f6b8e0a13.
            error_code (KnownErrorCode | str | Unset): What went wrong [A9]: one of `KnownErrorCode`'s values, or another
                string. The enum is open (any string is valid), so a generated client types the known codes and still parses a
                code added later, and adding one is not a breaking change. Each response lists the codes it can carry (`x-error-
                codes`). Example: BAD_VALUE.
            error_messages (list[str] | Unset): Human-readable details, one per problem. Example: ['Bad value:
                order_lines[1].total_amount'].
            fraud_status (str | Unset): The fraud status, where the failure has one. Example: REJECTED.
            reason (str | Unset): A further reason, where the server gives one. Example: The purchase was declined.
    """

    authorized_payment_method: AuthorizedPaymentMethod | Unset = UNSET
    correlation_id: str | Unset = UNSET
    error_code: KnownErrorCode | str | Unset = UNSET
    error_messages: list[str] | Unset = UNSET
    fraud_status: str | Unset = UNSET
    reason: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorized_payment_method: dict[str, Any] | Unset = UNSET
        if not isinstance(self.authorized_payment_method, Unset):
            authorized_payment_method = self.authorized_payment_method.to_dict()

        correlation_id = self.correlation_id

        error_code: str | Unset
        if isinstance(self.error_code, Unset):
            error_code = UNSET
        elif isinstance(self.error_code, KnownErrorCode):
            error_code = self.error_code.value
        else:
            error_code = self.error_code

        error_messages: list[str] | Unset = UNSET
        if not isinstance(self.error_messages, Unset):
            error_messages = self.error_messages

        fraud_status = self.fraud_status

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if authorized_payment_method is not UNSET:
            field_dict["authorized_payment_method"] = authorized_payment_method
        if correlation_id is not UNSET:
            field_dict["correlation_id"] = correlation_id
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if error_messages is not UNSET:
            field_dict["error_messages"] = error_messages
        if fraud_status is not UNSET:
            field_dict["fraud_status"] = fraud_status
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.authorized_payment_method import AuthorizedPaymentMethod  # noqa: PLC0415

        d = dict(src_dict)
        _authorized_payment_method = d.pop("authorized_payment_method", UNSET)
        authorized_payment_method: AuthorizedPaymentMethod | Unset
        if isinstance(_authorized_payment_method, Unset):
            authorized_payment_method = UNSET
        else:
            authorized_payment_method = AuthorizedPaymentMethod.from_dict(_authorized_payment_method)

        correlation_id = d.pop("correlation_id", UNSET)

        def _parse_error_code(data: object) -> KnownErrorCode | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                error_code_type_0 = KnownErrorCode(data)

                return error_code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KnownErrorCode | str | Unset, data)

        error_code = _parse_error_code(d.pop("error_code", UNSET))

        error_messages = cast(list[str], d.pop("error_messages", UNSET))

        fraud_status = d.pop("fraud_status", UNSET)

        reason = d.pop("reason", UNSET)

        error_details = cls(
            authorized_payment_method=authorized_payment_method,
            correlation_id=correlation_id,
            error_code=error_code,
            error_messages=error_messages,
            fraud_status=fraud_status,
            reason=reason,
        )

        error_details.additional_properties = d
        return error_details

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
