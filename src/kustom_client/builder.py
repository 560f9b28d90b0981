"""Build order lines, discount lines, addresses and orders whose amounts add up: the commonest
integration error.

Every field is an explicit keyword argument, so a misspelt one is a TypeError at the call and
editors complete them. Totals and taxes come from the same rules the server enforces
(kustom_rules); the results are the generated models, ready to send. An order whose totals
would be negative is refused here (OrderValidationError), not by the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from kustom_customer_token_client.models import (
    Address,
    Attachment,
    MerchantUrls,
    OrderLine,
    OrderLineType,
    OrderRequest,
    ProductIdentifiers,
    Subscription,
)

from kustom_client.errors import OrderValidationError
from kustom_client.params import (
    AddressParam,
    AttachmentParam,
    MerchantUrlsParam,
    OrderLineTypeParam,
    ProductIdentifiersParam,
    SubscriptionParam,
)
from kustom_rules import (
    NEGATIVE_LINE_TYPES,
    RuleViolation,
    expected_line_tax,
    expected_line_total,
)

LineType = OrderLineType | OrderLineTypeParam
# Kustom's discounts guide: a discount, a gift card or store credit as its own line with
# negative amounts (a gift card at 0% tax).
NegativeLineType = Literal["discount", "gift_card", "store_credit"]


def _check_amount(label: str, value: object, *, positive: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (1 if positive else 0):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"{label} must be {kind} integer, not {value!r}")
    return value


def _as_dict(value: Any) -> Any:
    """A generated model as JSON data; mappings as they are."""
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that were given (None means omitted, as in the JSON)."""
    return {name: value for name, value in fields.items() if value is not None}


def build_order_line(
    name: str,
    *,
    quantity: int,
    unit_price: int,
    tax_rate: int = 0,
    total_discount_amount: int = 0,
    type: LineType | None = None,  # the field's name in the JSON
    reference: str | None = None,
    quantity_unit: str | None = None,
    image_url: str | None = None,
    product_url: str | None = None,
    merchant_data: str | None = None,
    product_identifiers: ProductIdentifiers | ProductIdentifiersParam | None = None,
    subscription: Subscription | SubscriptionParam | None = None,
) -> OrderLine:
    """An order line with ``total_amount`` and ``total_tax_amount`` computed.

    Amounts are integers in minor units, ``tax_rate`` has two implicit decimals (2000 = 20%).
    Raises ValueError for negative amounts or a discount above the line's price; a negative
    line (a discount or a gift card) is ``build_discount_line``'s.
    """
    _check_amount("quantity", quantity)
    _check_amount("unit_price", unit_price)
    _check_amount("tax_rate", tax_rate)
    _check_amount("total_discount_amount", total_discount_amount)
    total = expected_line_total(quantity, unit_price, total_discount_amount)
    if total < 0:
        raise ValueError(
            f"total_discount_amount {total_discount_amount} is more than quantity x unit_price"
        )
    line = _present(
        type=None if type is None else str(type),
        reference=reference,
        quantity_unit=quantity_unit,
        image_url=image_url,
        product_url=product_url,
        merchant_data=merchant_data,
        product_identifiers=None if product_identifiers is None else _as_dict(product_identifiers),
        subscription=None if subscription is None else _as_dict(subscription),
    )
    line |= {
        "name": name,
        "quantity": quantity,
        "unit_price": unit_price,
        "tax_rate": tax_rate,
        "total_discount_amount": total_discount_amount,
        "total_amount": total,
        "total_tax_amount": expected_line_tax(total, tax_rate),
    }
    return OrderLine.from_dict(line)


def build_discount_line(
    name: str = "Discount",
    *,
    amount: int,
    tax_rate: int = 0,
    type: NegativeLineType = "discount",  # the field's name in the JSON
    reference: str | None = None,
    merchant_data: str | None = None,
) -> OrderLine:
    """A line that takes ``amount`` (minor units, positive) off the order, as Kustom's discounts
    guide sends it: quantity 1 and negative ``unit_price``, ``total_amount`` and
    ``total_tax_amount``.

    ``tax_rate`` is the rate of the goods discounted (1000 off goods at 25% VAT carries -200
    tax); gift cards and store credit are 0%, the default.
    """
    _check_amount("amount", amount, positive=True)
    _check_amount("tax_rate", tax_rate)
    if type not in NEGATIVE_LINE_TYPES:
        raise ValueError(f"type must be one of {sorted(NEGATIVE_LINE_TYPES)}, not {type!r}")
    line = _present(reference=reference, merchant_data=merchant_data) | {
        "type": type,
        "name": name,
        "quantity": 1,
        "unit_price": -amount,
        "tax_rate": tax_rate,
        "total_amount": -amount,
        "total_tax_amount": expected_line_tax(-amount, tax_rate),
    }
    return OrderLine.from_dict(line)


def build_address(
    *,
    given_name: str | None = None,
    family_name: str | None = None,
    organization_name: str | None = None,
    attention: str | None = None,
    title: str | None = None,
    street_address: str | None = None,
    street_address2: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    region: str | None = None,
    country: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Address:
    """A shipping address. ``region`` is required for the US and Australia (rule 6)."""
    return Address.from_dict(
        _present(
            given_name=given_name,
            family_name=family_name,
            organization_name=organization_name,
            attention=attention,
            title=title,
            street_address=street_address,
            street_address2=street_address2,
            postal_code=postal_code,
            city=city,
            region=region,
            country=country,
            email=email,
            phone=phone,
        )
    )


def build_order(
    lines: Sequence[OrderLine],
    *,
    purchase_currency: str,
    merchant_reference1: str | None = None,
    merchant_reference2: str | None = None,
    merchant_data: str | None = None,
    merchant_urls: MerchantUrls | MerchantUrlsParam | None = None,
    shipping_address: Address | AddressParam | None = None,
    attachment: Attachment | AttachmentParam | None = None,
    auto_capture: bool | None = None,
) -> OrderRequest:
    """An order with ``order_amount`` and ``order_tax_amount`` summed from its lines.

    Raises OrderValidationError when either sum is negative (discount lines taking off more
    than the goods), which the schema's ``minimum: 0`` refuses: ``Bad value: order_amount``.
    """
    if not lines:
        raise ValueError("an order needs at least one line")
    line_dicts = [line.to_dict() for line in lines]
    amount = sum(line["total_amount"] for line in line_dicts)
    tax = sum(line.get("total_tax_amount", 0) for line in line_dicts)
    negative = [
        RuleViolation(
            field, f"{field} would be {total}: the discount lines take off more than the goods"
        )
        for field, total in (("order_amount", amount), ("order_tax_amount", tax))
        if total < 0
    ]
    if negative:
        raise OrderValidationError(negative)
    order = _present(
        merchant_reference1=merchant_reference1,
        merchant_reference2=merchant_reference2,
        merchant_data=merchant_data,
        merchant_urls=None if merchant_urls is None else _as_dict(merchant_urls),
        shipping_address=None if shipping_address is None else _as_dict(shipping_address),
        attachment=None if attachment is None else _as_dict(attachment),
        auto_capture=auto_capture,
    ) | {
        "purchase_currency": purchase_currency,
        "order_lines": line_dicts,
        "order_amount": amount,
        "order_tax_amount": tax,
    }
    return OrderRequest.from_dict(order)
