"""Client settings from the arguments, else the environment, checked when the client is made.

A bad base URL found at construction is one clear error naming it, instead of a request that
fails after every retry as a connection error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from kustom_client.auth import Credentials
from kustom_client.constants import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_USERNAME,
    PRODUCTION_BASE_URL,
)
from kustom_client.errors import InvalidArgumentError


@dataclass(frozen=True)
class Settings:
    credentials: Credentials
    base_url: str  # without a trailing slash


def check_base_url(url: str) -> str:
    """The URL without its trailing slash, or InvalidArgumentError naming it."""
    if not isinstance(url, str):
        raise InvalidArgumentError("base_url", f"must be a string, not {type(url).__name__}")
    try:
        parsed = httpx.URL(url)
        port = urlsplit(url).port  # urllib, unlike httpx, refuses a port past 65535
    except (httpx.InvalidURL, ValueError) as exc:
        problem = f"is not a URL ({exc})"
    else:
        if parsed.scheme not in ("http", "https"):
            problem = "needs the scheme http:// or https://"
        elif not parsed.host:
            problem = "has no host"
        elif any(char.isspace() or char == "%" for char in urlsplit(url).netloc):
            problem = "has a space or an escape in its host"
        elif port == 0:
            problem = "has port 0"
        elif parsed.userinfo:
            # Named without them: the message may reach a log.
            masked = str(parsed.copy_with(username="***", password=None))
            raise InvalidArgumentError(
                "base_url", f"{masked!r} must not hold credentials (pass api_key and username)"
            )
        elif parsed.query or parsed.fragment:
            problem = "must not have a query or a fragment"
        else:
            return url.rstrip("/")
    raise InvalidArgumentError("base_url", f"{url!r} {problem}")


def resolve(
    api_key: str | None,
    username: str | None,
    base_url: str | None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Arguments win; an omitted one (None) is read from KUSTOM_API_KEY, KUSTOM_USERNAME,
    KUSTOM_BASE_URL. An empty variable counts as unset; ``username=""`` sends the key alone
    even when KUSTOM_USERNAME is set."""
    env = os.environ if environ is None else environ
    if api_key is None:
        api_key = env.get(ENV_API_KEY) or None
    if api_key is None:
        raise InvalidArgumentError(
            "api_key", f"is required: pass api_key= or set {ENV_API_KEY} (the merchant's API key)"
        )
    if username is None:
        username = env.get(ENV_USERNAME) or None
    if base_url is None:
        base_url = env.get(ENV_BASE_URL) or PRODUCTION_BASE_URL
    return Settings(
        credentials=Credentials(api_key, username or None),
        base_url=check_base_url(base_url),
    )
