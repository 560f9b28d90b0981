"""Which server the contract run and scripts/probe talk to: the project's mock (default) or
one named by the environment.

KUSTOM_BASE_URL names a running server; KUSTOM_API_KEY, KUSTOM_CUSTOMER_TOKEN (a token that
can place orders) and optionally KUSTOM_USERNAME come with it. A second merchant's credentials
(KUSTOM_SECOND_API_KEY, optionally KUSTOM_SECOND_USERNAME and KUSTOM_SECOND_CUSTOMER_TOKEN, a
token of its own) let the run provoke the refusals that need one: another merchant's token, an
idempotency key used by two merchants. A server off this machine is
only contacted when KUSTOM_LIVE=1 says so too: a stray variable must not send live traffic.
Cancelling burns a real token, so against KUSTOM_BASE_URL the status change is tested only
with KUSTOM_ALLOW_CANCEL=1 and a token meant to be cancelled (KUSTOM_CANCEL_TOKEN).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kustom_contract.errors import TargetError

MOCK_USERNAME = "M-TEST-A-4f2c"
MOCK_API_KEY = "kco_test_api_merchant_a"
# Tokens of the mock's default test data (docs/mock.md, "Test data") that cases draw from.
MOCK_APPROVING_TOKENS = ("tok_active", "tok_card", "tok_pending")
MOCK_REFUSING_TOKENS = (
    "tok_suspended",
    "tok_cancelled",
    "tok_merchant_b",
    "tok_declined",
    "tok_unknown",
)
FRESH_PREFIX = "tok_fresh_"  # the mock's family of tokens that exist from their first use
# Against any other server, some cases use a token that cannot exist (404 is documented), so
# that the refusals are held to the spec too; it can charge no one.
UNKNOWN_TOKEN = "kustom-contract-no-such-token"  # noqa: S105 (a token that cannot exist)
DEFAULT_LIVE_RATE_LIMIT = "10/s"  # Klarna's playground allows 50/s per operation (openapi.yaml)
MOCK_SECOND_USERNAME = "M-TEST-B-9d1e"  # merchant B of the mock's test data
MOCK_SECOND_API_KEY = "kco_test_api_merchant_b"
MOCK_SECOND_TOKEN = "tok_merchant_b"  # noqa: S105 (public test data)
_RATE = re.compile(r"^[1-9][0-9]*/[smh]$")


@dataclass(frozen=True)
class SecondMerchant:
    """Another merchant of the same target: its credentials, and a token of its own if known."""

    username: str
    api_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Target:
    base_url: str | None  # None: spawn the project's mock
    username: str  # empty: only the API key alone is sent
    api_key: str = field(repr=False)
    approving_tokens: tuple[str, ...] = field(repr=False)
    refusing_tokens: tuple[str, ...] = field(default=(), repr=False)
    cancel_token: str | None = field(default=None, repr=False)  # live: the one token to cancel
    rate_limit: str | None = None  # Schemathesis' "N/s"; None: as fast as it goes
    currency: str | None = None  # live: a purchase currency the token can use
    second: SecondMerchant | None = None  # another merchant of the target, if known

    @property
    def is_mock(self) -> bool:
        return self.base_url is None

    @property
    def is_local(self) -> bool:
        """The spawned mock or a server on this machine's loopback."""
        return self.base_url is None or _is_loopback(self.base_url)

    @property
    def can_cancel(self) -> bool:
        """Whether status changes may be sent: always to the mock (fresh tokens), to another
        server only with a token given for it."""
        return self.is_mock or self.cancel_token is not None

    def describe(self) -> str:
        return "the project's mock (spawned)" if self.base_url is None else self.base_url


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rate_limit(env: dict[str, str], *, loopback: bool) -> str | None:
    """A server off this machine is held to the playground-friendly default unless told
    otherwise; one on this machine's loopback (a mock, a server under development) is not
    rate-limited unless asked."""
    value = env.get("KUSTOM_RATE_LIMIT", "off" if loopback else DEFAULT_LIVE_RATE_LIMIT).strip()
    if value == "off":
        return None
    if not _RATE.match(value):
        raise TargetError(f"KUSTOM_RATE_LIMIT must be like 10/s, 300/m or off, not {value!r}")
    return value


def target_from_env(env: dict[str, str] | None = None) -> Target:
    env = dict(os.environ if env is None else env)
    base_url = env.get("KUSTOM_BASE_URL", "").strip()
    if not base_url:
        return Target(
            None,
            MOCK_USERNAME,
            MOCK_API_KEY,
            MOCK_APPROVING_TOKENS,
            MOCK_REFUSING_TOKENS,
            second=SecondMerchant(MOCK_SECOND_USERNAME, MOCK_SECOND_API_KEY, MOCK_SECOND_TOKEN),
        )
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).hostname:
        raise TargetError(f"KUSTOM_BASE_URL is not an http(s) URL: {base_url!r}")
    missing = [
        name
        for name in ("KUSTOM_API_KEY", "KUSTOM_CUSTOMER_TOKEN")
        if not env.get(name, "").strip()
    ]
    if missing:
        raise TargetError(f"KUSTOM_BASE_URL is set, so {' and '.join(missing)} must be set too")
    if not _is_loopback(base_url) and env.get("KUSTOM_LIVE") != "1":
        raise TargetError(
            f"{base_url} is not on this machine: set KUSTOM_LIVE=1 to send it real requests"
        )
    cancel_token = env.get("KUSTOM_CANCEL_TOKEN", "").strip() or None
    allow_cancel = env.get("KUSTOM_ALLOW_CANCEL") == "1"
    if allow_cancel != (cancel_token is not None):
        raise TargetError(
            "cancelling burns a real token: set KUSTOM_ALLOW_CANCEL=1 and KUSTOM_CANCEL_TOKEN "
            "(a token meant to be cancelled) together, or neither"
        )
    order_token = env["KUSTOM_CUSTOMER_TOKEN"].strip()
    if cancel_token == order_token:
        raise TargetError("KUSTOM_CANCEL_TOKEN must not be KUSTOM_CUSTOMER_TOKEN")
    return Target(
        base_url.rstrip("/"),
        env.get("KUSTOM_USERNAME", "").strip(),
        env["KUSTOM_API_KEY"].strip(),
        (order_token,),
        (UNKNOWN_TOKEN,),
        cancel_token=cancel_token,
        rate_limit=_rate_limit(env, loopback=_is_loopback(base_url)),
        currency=env.get("KUSTOM_PURCHASE_CURRENCY", "").strip().upper() or None,
        second=_second_merchant(env, order_token, cancel_token),
    )


def _second_merchant(
    env: dict[str, str], order_token: str, cancel_token: str | None
) -> SecondMerchant | None:
    """KUSTOM_SECOND_API_KEY (with KUSTOM_SECOND_USERNAME and KUSTOM_SECOND_CUSTOMER_TOKEN
    optional), or None when it is unset."""
    key = env.get("KUSTOM_SECOND_API_KEY", "").strip()
    username = env.get("KUSTOM_SECOND_USERNAME", "").strip()
    token = env.get("KUSTOM_SECOND_CUSTOMER_TOKEN", "").strip() or None
    if not key:
        if username or token:
            raise TargetError(
                "KUSTOM_SECOND_USERNAME and KUSTOM_SECOND_CUSTOMER_TOKEN need "
                "KUSTOM_SECOND_API_KEY (the second merchant's key)"
            )
        return None
    if key == env["KUSTOM_API_KEY"].strip():
        raise TargetError("KUSTOM_SECOND_API_KEY must be another merchant's, not KUSTOM_API_KEY")
    if token is not None and token in (order_token, cancel_token):
        raise TargetError("KUSTOM_SECOND_CUSTOMER_TOKEN must be the second merchant's own token")
    return SecondMerchant(username, key, token)
