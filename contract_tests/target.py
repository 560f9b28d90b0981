"""Which server the contract run talks to: the project's mock (default) or one named by env.

KUSTOM_BASE_URL names a running server; KUSTOM_USERNAME, KUSTOM_API_KEY and
KUSTOM_CUSTOMER_TOKEN (a token that can place orders) come with it. A server off this machine
is only contacted when KUSTOM_LIVE=1 says so too: a stray variable must not send live traffic.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MOCK_USERNAME = "M-TEST-A"
MOCK_API_KEY = "kco_test_api_merchant_a"
# Tokens of the mock's default test data (README, "Test data") that positive cases draw from.
MOCK_APPROVING_TOKENS = ("tok_active", "tok_card", "tok_pending")
MOCK_REFUSING_TOKENS = (
    "tok_suspended",
    "tok_cancelled",
    "tok_merchant_b",
    "tok_declined",
    "tok_unknown",
)


class TargetError(RuntimeError):
    """The environment names a target that cannot be used as it stands."""


@dataclass(frozen=True)
class Target:
    base_url: str | None  # None: spawn the project's mock
    username: str
    api_key: str = field(repr=False)
    approving_tokens: tuple[str, ...]
    refusing_tokens: tuple[str, ...] = ()

    @property
    def is_mock(self) -> bool:
        return self.base_url is None

    @property
    def is_local(self) -> bool:
        """The spawned mock or a server on this machine's loopback."""
        return self.base_url is None or _is_loopback(self.base_url)

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


def target_from_env(env: dict[str, str] | None = None) -> Target:
    env = dict(os.environ if env is None else env)
    base_url = env.get("KUSTOM_BASE_URL", "").strip()
    if not base_url:
        return Target(
            None, MOCK_USERNAME, MOCK_API_KEY, MOCK_APPROVING_TOKENS, MOCK_REFUSING_TOKENS
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
    return Target(
        base_url.rstrip("/"),
        env.get("KUSTOM_USERNAME", "").strip(),
        env["KUSTOM_API_KEY"].strip(),
        (env["KUSTOM_CUSTOMER_TOKEN"].strip(),),
    )
