from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Address")


@_attrs_define
class Address:
    """The customer's shipping address. The limits (99 characters, except where a field says otherwise) are Klarna's [A1];
    the texts are the reference page's [K1].

        Attributes:
            attention (str | Unset): An optional "Attn." line. Example: Attn.
            city (str | Unset): The customer's city. Example: London.
            country (str | Unset): The customer's country as ISO 3166 alpha-2 (two letters), e.g. GB, US, DE, SE. Overrides
                the purchase country when they differ. Example: GB.
            email (str | Unset): The customer's email address. Example: test.sam@test.com.
            family_name (str | Unset): The customer's family name. Example: Andersson.
            given_name (str | Unset): The customer's given name. Example: Adam.
            organization_name (str | Unset): The organization's name; for business (B2B) customers only. Example: Example
                Ltd.
            phone (str | Unset): A phone number, preferably a mobile one (5-99 characters). Example: +44795465131.
            postal_code (str | Unset): The customer's postal code, in the format of the Universal Postal Union's addressing
                system, e.g. 12345 or W1G 0PW (max 10 characters). Example: W1G 0PW.
            region (str | Unset): The customer's region or state in ISO 3166-2 form, e.g. OH or NJ. Required when the
                country is US or AU. Example: OH.
            street_address (str | Unset): The street address in the country's format, per the Universal Postal Union's
                addressing system: "33 Cavendish Square" for the UK, US and FR; "De Ruijterkade 7" for the rest of the EU.
                Example: 33 Cavendish Square.
            street_address2 (str | Unset): Second line of the street address. Example: Floor 22 / Flat 2.
            title (str | Unset): The customer's title. Values by country: UK "Mr", "Ms"; DE, AT and de-CH "Herr", "Frau";
                it-CH "Sig.", "Sig.ra"; fr-CH "M", "Mme"; BE and NL "Dhr.", "Mevr." (max 20 characters). Example: Mr..
    """

    attention: str | Unset = UNSET
    city: str | Unset = UNSET
    country: str | Unset = UNSET
    email: str | Unset = UNSET
    family_name: str | Unset = UNSET
    given_name: str | Unset = UNSET
    organization_name: str | Unset = UNSET
    phone: str | Unset = UNSET
    postal_code: str | Unset = UNSET
    region: str | Unset = UNSET
    street_address: str | Unset = UNSET
    street_address2: str | Unset = UNSET
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attention = self.attention

        city = self.city

        country = self.country

        email = self.email

        family_name = self.family_name

        given_name = self.given_name

        organization_name = self.organization_name

        phone = self.phone

        postal_code = self.postal_code

        region = self.region

        street_address = self.street_address

        street_address2 = self.street_address2

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attention is not UNSET:
            field_dict["attention"] = attention
        if city is not UNSET:
            field_dict["city"] = city
        if country is not UNSET:
            field_dict["country"] = country
        if email is not UNSET:
            field_dict["email"] = email
        if family_name is not UNSET:
            field_dict["family_name"] = family_name
        if given_name is not UNSET:
            field_dict["given_name"] = given_name
        if organization_name is not UNSET:
            field_dict["organization_name"] = organization_name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if postal_code is not UNSET:
            field_dict["postal_code"] = postal_code
        if region is not UNSET:
            field_dict["region"] = region
        if street_address is not UNSET:
            field_dict["street_address"] = street_address
        if street_address2 is not UNSET:
            field_dict["street_address2"] = street_address2
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attention = d.pop("attention", UNSET)

        city = d.pop("city", UNSET)

        country = d.pop("country", UNSET)

        email = d.pop("email", UNSET)

        family_name = d.pop("family_name", UNSET)

        given_name = d.pop("given_name", UNSET)

        organization_name = d.pop("organization_name", UNSET)

        phone = d.pop("phone", UNSET)

        postal_code = d.pop("postal_code", UNSET)

        region = d.pop("region", UNSET)

        street_address = d.pop("street_address", UNSET)

        street_address2 = d.pop("street_address2", UNSET)

        title = d.pop("title", UNSET)

        address = cls(
            attention=attention,
            city=city,
            country=country,
            email=email,
            family_name=family_name,
            given_name=given_name,
            organization_name=organization_name,
            phone=phone,
            postal_code=postal_code,
            region=region,
            street_address=street_address,
            street_address2=street_address2,
            title=title,
        )

        address.additional_properties = d
        return address

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
