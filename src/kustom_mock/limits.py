"""The server's limits on what one client may hold: bytes, time and connections, and the range
each numeric flag of ``scripts/mock`` is read within.

Each limit is a ``scripts/mock`` flag (``LIMIT_FLAGS`` describes them; kustom_mock.cli turns
them into arguments); the server enforces them while it reads (protocol.py, connections.py), so
no request holds more memory or time than they allow before it is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerLimits:
    max_url_bytes: int = 8 * 1024  # nginx's default for one header line
    max_header_bytes: int = 16 * 1024  # request line and headers as sent; h11's and Node's default
    max_headers: int = 100
    header_timeout: float = 10.0  # a request's first byte to the end of its headers
    body_timeout: float = 30.0  # the end of the headers to the end of the body (8 MiB at most)
    keep_alive_timeout: float = 5.0  # a connection with no request in progress
    max_connections: int = 1000  # per process; lowered to fit the open-file limit


DEFAULTS = ServerLimits()
HOUR = 3600.0


@dataclass(frozen=True)
class Bound:
    """The values a numeric flag accepts: whole numbers from ``low`` to ``high``, or (``whole``
    False: a duration, a period) finite numbers above ``low`` and at most ``high``. Every range
    of the mock's flags is checked here, as the flag is read."""

    low: float
    high: float
    whole: bool = True

    def read(self, text: str) -> float:
        """The number ``text`` says, or a ValueError that says why it is refused."""
        if self.whole:
            try:
                number: float = int(text)
            except ValueError:
                raise ValueError(f"not a whole number: {text!r}") from None
            if not self.low <= number <= self.high:
                raise ValueError(f"must be {self.low:.0f} to {self.high:.0f}: {text!r}")
            return number
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"not a number: {text!r}") from None
        if not math.isfinite(number) or not self.low < number <= self.high:  # nan, inf
            raise ValueError(f"must be above {self.low:g} and at most {self.high:g}: {text!r}")
        return number


def above_zero(high: float) -> Bound:
    return Bound(0, high, whole=False)


@dataclass(frozen=True)
class LimitFlag:
    """How a field of ServerLimits is set: ``--max-url-bytes BYTES`` sets ``max_url_bytes``."""

    metavar: str
    bound: Bound
    help: str


LIMIT_FLAGS: dict[str, LimitFlag] = {
    "max_url_bytes": LimitFlag(
        "BYTES",
        Bound(64, 1024 * 1024),
        "longest request target; past it 414 and the connection is closed",
    ),
    "max_header_bytes": LimitFlag(
        "BYTES",
        Bound(1024, 1024 * 1024),
        "largest request line and header section, in bytes as sent; past it 431 and close",
    ),
    "max_headers": LimitFlag(
        "N",
        Bound(1, 10_000),
        "most header fields in one request; past it 431 and close",
    ),
    "header_timeout": LimitFlag(
        "SECONDS",
        above_zero(HOUR),
        "seconds from a request's first byte to the end of its headers; then 408 and close",
    ),
    "body_timeout": LimitFlag(
        "SECONDS",
        above_zero(HOUR),
        "seconds from the end of the headers to the end of the body; then 408 and close",
    ),
    "keep_alive_timeout": LimitFlag(
        "SECONDS",
        above_zero(HOUR),
        "seconds a connection may stay open with no request in progress (new or between "
        "requests); then it is closed",
    ),
    "max_connections": LimitFlag(
        "N",
        Bound(1, 1_000_000),
        "open connections per process (lowered to fit the open-file limit); at the cap a "
        "new connection closes the longest-idle one, or waits if none is idle",
    ),
}
