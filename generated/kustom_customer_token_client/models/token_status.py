from enum import StrEnum


class TokenStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"
    SUSPENDED = "SUSPENDED"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "TokenStatus | None":
        """Accept a value this client does not know yet instead of raising.

        The server may add a value (a new payment method, say) before the client is
        regenerated; parsing keeps the raw value so that no response is lost.
        ``member in TokenStatus.__members__.values()`` tells a known value.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
