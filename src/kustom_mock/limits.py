"""The server's limits on what one client may hold: bytes, time and connections.

Each is a ``scripts/mock`` flag; the server enforces them while it reads (protocol.py,
connections.py), so no request holds more memory or time than they allow before it is refused.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass, fields


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


def positive_number(*, maximum: float) -> Callable[[str], float]:
    """An argparse type: a finite number above 0 and at most ``maximum`` (no nan, no inf)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value) or not 0 < value <= maximum:
            raise argparse.ArgumentTypeError(f"must be above 0 and at most {maximum:g}: {text!r}")
        return value

    return parse


def positive_int(*, maximum: int, minimum: int = 1) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be {minimum} to {maximum}: {text!r}")
        return value

    return parse


# Each limit's flag: --max-url-bytes sets ServerLimits.max_url_bytes, whose default it shows.
FLAGS: dict[str, tuple[str, Callable[[str], float], str]] = {
    "max_url_bytes": (
        "BYTES",
        positive_int(minimum=64, maximum=1024 * 1024),
        "longest request target; past it 414 and the connection is closed",
    ),
    "max_header_bytes": (
        "BYTES",
        positive_int(minimum=1024, maximum=1024 * 1024),
        "largest request line and header section, in bytes as sent; past it 431 and close",
    ),
    "max_headers": (
        "N",
        positive_int(maximum=10_000),
        "most header fields in one request; past it 431 and close",
    ),
    "header_timeout": (
        "SECONDS",
        positive_number(maximum=HOUR),
        "seconds from a request's first byte to the end of its headers; then 408 and close",
    ),
    "body_timeout": (
        "SECONDS",
        positive_number(maximum=HOUR),
        "seconds from the end of the headers to the end of the body; then 408 and close",
    ),
    "keep_alive_timeout": (
        "SECONDS",
        positive_number(maximum=HOUR),
        "seconds a connection may stay open with no request in progress (new or between "
        "requests); then it is closed",
    ),
    "max_connections": (
        "N",
        positive_int(maximum=1_000_000),
        "open connections per process (lowered to fit the open-file limit); at the cap a "
        "new connection closes the longest-idle one, or waits if none is idle",
    ),
}


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits (enforced while reading)")
    for name, (metavar, parse, help_text) in FLAGS.items():
        group.add_argument(
            "--" + name.replace("_", "-"),
            metavar=metavar,
            type=parse,
            default=getattr(DEFAULTS, name),
            help=help_text,
        )


def limits_from_args(args: argparse.Namespace) -> ServerLimits:
    """The limits the flags set (every field of ServerLimits has its flag)."""
    return ServerLimits(**{field.name: getattr(args, field.name) for field in fields(ServerLimits)})
