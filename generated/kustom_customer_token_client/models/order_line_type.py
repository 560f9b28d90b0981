from enum import StrEnum


class OrderLineType(StrEnum):
    DIGITAL = "digital"
    DISCOUNT = "discount"
    GIFT_CARD = "gift_card"
    PHYSICAL = "physical"
    SALES_TAX = "sales_tax"
    SHIPPING_FEE = "shipping_fee"
    STORE_CREDIT = "store_credit"
    SURCHARGE = "surcharge"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "OrderLineType | None":
        """Accept a value this client does not know yet instead of raising.

        The server may add a value (a new payment method, say) before the client is
        regenerated; parsing keeps the raw value so that no response is lost.
        ``member in OrderLineType.__members__.values()`` tells a known value.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
