from enum import StrEnum


class KnownErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    BAD_VALUE = "BAD_VALUE"
    IDEMPOTENCY_KEY_CONFLICT = "IDEMPOTENCY_KEY_CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    PAYMENT_METHOD_FAILED = "PAYMENT_METHOD_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TOKEN_CANCELED = "TOKEN_CANCELED"
    TOKEN_FORBIDDEN = "TOKEN_FORBIDDEN"
    TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND"
    TOKEN_SUSPENDED = "TOKEN_SUSPENDED"
    UNAUTHORIZED = "UNAUTHORIZED"
    UNAVAILABLE_PAYMENT_METHOD = "UNAVAILABLE_PAYMENT_METHOD"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "KnownErrorCode | None":
        """Accept a value this client does not know yet instead of raising.

        The server may add a value (a new payment method, say) before the client is
        regenerated; parsing keeps the raw value so that no response is lost.
        ``member in KnownErrorCode.__members__.values()`` tells a known value.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member
