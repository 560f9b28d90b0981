"""What a proxy is told, read once from its flags (cli.py) into one frozen ``ProxyConfig``: its
upstream, where it listens, what it writes, how strictly it checks, and its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kustom_spec import DEFAULT_SPEC_PATH

DEFAULT_PORT = 4020  # beside the mock's 4010


@dataclass(frozen=True)
class ProxyLimits:
    """What one client may hold, and how long the upstream may take. Memory: at most
    ``max_connections`` exchanges at once, each holding at most ``max_header_bytes`` of head
    and ``max_body_bytes`` of each body (larger bodies are streamed through unchecked)."""

    max_body_bytes: int = 1024 * 1024  # a body held and checked whole; well above real orders
    max_header_bytes: int = 16 * 1024  # request line and headers, as the mock's default
    max_connections: int = 100  # open client connections; past it 503 and close
    header_timeout: float = 10.0  # a request's first byte to the end of its head; then 408
    body_timeout: float = 30.0  # the end of the head to the end of the body; then 408
    keep_alive_timeout: float = 5.0  # a client connection with no request in progress
    upstream_timeout: float = 30.0  # the upstream's whole answer (within max_body_bytes); 504


class UpstreamError(ValueError):
    """The upstream URL cannot be proxied to: says why."""


def upstream_origin(url: str) -> str:
    """``url`` as an origin (``scheme://host[:port]``): http or https, a host, no path, query,
    fragment or credentials (a request's path is the spec's, sent as it came)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamError(f"the upstream must be an http(s) URL with a host, not {url!r}")
    if parts.username is not None or parts.password is not None:
        raise UpstreamError("the upstream URL must not hold credentials")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UpstreamError(
            f"the upstream must be an origin such as https://api.playground.kustom.co, "
            f"without a path: requests keep theirs ({url!r})"
        )
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class ProxyConfig:
    upstream: str  # an origin (upstream_origin)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    report: Path | None = None  # JSON kept current while it runs
    record: Path | None = None  # the exchanges, redacted, as HAR
    verify_tls: bool = True
    # This contract's own limits (x-contract-limits) held against requests too: for the
    # project's mock, which enforces them; a live upstream may accept what only they rule out.
    contract_limits: bool = False
    spec: Path = DEFAULT_SPEC_PATH
    log_level: str = "warning"  # the server's own log, on stderr
    limits: ProxyLimits = field(default_factory=ProxyLimits)
