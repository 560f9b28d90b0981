"""An order given as a dict, typed: a ``TypedDict`` for the request schema and each object in
it, so that a type checker refuses a misspelt key, a missing required one or a value of the
wrong type where ``create_order`` or the builder takes a dict.

Written by hand, as the generated models are generated: tests/client/test_params.py holds each
to its schema in openapi.yaml (every property a key and no other, the required ones required,
the types and enums the schema's), so they cannot drift from the spec.
"""

# No ``from __future__ import annotations`` here: with string annotations, Python 3.11's
# TypedDict cannot see Required[...] and lists every key as optional in __required_keys__.
from typing import Literal, Required, TypedDict

# OrderLineType's values, in the schema's order.
OrderLineTypeParam = Literal[
    "physical",
    "discount",
    "shipping_fee",
    "sales_tax",
    "digital",
    "gift_card",
    "store_credit",
    "surcharge",
]
SubscriptionIntervalParam = Literal["DAY", "WEEK", "MONTH", "YEAR"]


class ProductIdentifiersParam(TypedDict, total=False):
    """ProductIdentifiers."""

    brand: str
    category_path: str
    color: str
    global_trade_item_number: str
    manufacturer_part_number: str
    size: str


class SubscriptionParam(TypedDict):
    """Subscription."""

    name: str
    interval: SubscriptionIntervalParam
    interval_count: int


class OrderLineParam(TypedDict, total=False):
    """OrderLine."""

    image_url: str
    merchant_data: str
    name: Required[str]
    product_identifiers: ProductIdentifiersParam
    product_url: str
    quantity: Required[int]
    quantity_unit: str
    reference: str
    subscription: SubscriptionParam
    tax_rate: int
    total_amount: Required[int]
    total_discount_amount: int
    total_tax_amount: int
    type: OrderLineTypeParam
    unit_price: Required[int]


class MerchantUrlsParam(TypedDict, total=False):
    """MerchantUrls."""

    confirmation: Required[str]
    push: str


class AttachmentParam(TypedDict):
    """Attachment: ``body`` is a JSON object serialized as a string (rule 5)."""

    body: str
    content_type: str


class AddressParam(TypedDict, total=False):
    """Address: ``region`` is required for the US and Australia (rule 6)."""

    attention: str
    city: str
    country: str
    email: str
    family_name: str
    given_name: str
    organization_name: str
    phone: str
    postal_code: str
    region: str
    street_address: str
    street_address2: str
    title: str


class OrderParam(TypedDict, total=False):
    """OrderRequest: what ``create_order`` takes as a dict."""

    attachment: AttachmentParam
    auto_capture: bool
    merchant_data: str
    merchant_reference1: str
    merchant_reference2: str
    merchant_urls: MerchantUrlsParam
    order_amount: Required[int]
    order_lines: Required[list[OrderLineParam]]
    order_tax_amount: int
    purchase_currency: Required[str]
    shipping_address: AddressParam
