from enum import StrEnum


class NewTokenStatus(StrEnum):
    CANCELLED = "CANCELLED"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "NewTokenStatus | None":
        """Accept a value this client does not know yet instead of raising.

        The server may add a value (a new payment method, say) before the client is
        regenerated; parsing keeps the raw value so that no response is lost.
        ``member in NewTokenStatus.__members__.values()`` tells a known value.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
