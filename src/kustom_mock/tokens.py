"""Customer tokens as the mock keeps them: fixture tokens, the fresh family, and how a token
is shown in a log line.

Owner and status are state (in the store, shared by every process on the database); what a
token is (payment method, outcome) comes from the fixtures, or for a fresh token from here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kustom_mock.fixtures import Fixtures, TokenProfile

CANCELLED = "CANCELLED"  # the status a cancel sets, for good

# Any tok_fresh_<suffix> exists as an ACTIVE card token from its first use by a merchant, so
# that tests can cancel tokens without spoiling the fixed ones (docs/mock.md, "Test data").
FRESH_TOKEN = re.compile(r"tok_fresh_[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class TokenState:
    """A token as stored: who owns it and its status."""

    token: str = field(repr=False)
    merchant_id: str
    status: str


@dataclass(frozen=True)
class OwnedToken:
    """A known token as an operation sees it: its state (owner, status) and what it is."""

    state: TokenState
    profile: TokenProfile


def fresh_profile(token: str) -> TokenProfile:
    """A fresh token is a VISA card whose last digits come from its name (stable per name)."""
    last4 = int.from_bytes(hashlib.sha256(token.encode()).digest()[:4], "big") % 10000
    return TokenProfile(
        payment_method_type="CARD",
        payment_method={"type": "card"},
        card={"brand": "VISA", "expiry_date": "12/2030", "masked_number": f"{'*' * 12}{last4:04d}"},
    )


def is_fresh(token: str) -> bool:
    return FRESH_TOKEN.fullmatch(token) is not None


def profile_of(fixtures: Fixtures, token: str) -> TokenProfile | None:
    fixture = fixtures.tokens.get(token)
    if fixture is not None:
        return fixture.profile
    return fresh_profile(token) if is_fresh(token) else None


def redact(token: str) -> str:
    """Enough of a token to correlate log lines, not to charge anyone: a prefix and a hash."""
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    prefix = "".join(c if c.isalnum() or c == "_" else "?" for c in token[:6])
    return f"{prefix}…#{digest}"
