"""The mock's configuration: one frozen object, passed whole.

``scripts/mock`` reads its flags into a ``MockConfig`` once (kustom_mock.cli, where every range
is checked as the flag is read); code builds one with these defaults and overrides what it
needs, ``MockConfig(store=StoreConfig("mock.sqlite3"), rate_limit=10)``, or
``dataclasses.replace``. ``create_app(config)`` builds the app from it; the server and the
supervisor take ``config.server``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kustom_mock.limits import ServerLimits
from kustom_spec import DEFAULT_SPEC_PATH

LogLevel = Literal["debug", "info", "warning", "error"]


@dataclass(frozen=True)
class StoreConfig:
    """Where token states, orders and idempotency records live, and for how long
    (kustom_mock.store)."""

    # A SQLite file, ":memory:" or a postgresql:// URL. In code nothing is kept unless asked;
    # scripts/mock's --db keeps a file by default.
    db: str = ":memory:"
    fsync: bool = False  # survive an OS crash or a power cut too, not only a crash of the mock
    reset: bool = False  # forget every token state, order and idempotency record at start
    # How long a key's answer is replayed (Klarna keeps a key 24 hours, openapi.yaml); orders
    # and records older than this are purged.
    retention_seconds: float = 24 * 3600.0
    # How long a request may wait for the store (a lock, a busy or unreachable server) before
    # it is answered 503, told when to retry; PostgreSQL's connect, statement, lock and idle
    # transaction timeouts are set from it too.
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class ServerConfig:
    """How the app is served (kustom_mock.cli, kustom_mock.server)."""

    host: str = "127.0.0.1"
    port: int = 4010  # 0: a free one, printed in the ready line
    workers: int = 1  # processes forked on the one socket, each with its own store connection
    log_level: LogLevel = "info"
    limits: ServerLimits = field(default_factory=ServerLimits)
    # Stop when this process is no longer the parent (``--stop-with-parent``: a test run that
    # started the mock was killed); None: serve on.
    parent_pid: int | None = None


@dataclass(frozen=True)
class MockConfig:
    """Everything the mock is started with."""

    spec: Path = DEFAULT_SPEC_PATH  # whose schemas, header names and auth scheme are served
    fixtures: Path | None = None  # merchants and tokens; None: kustom_mock/default_fixtures.yaml
    rate_limit: int | None = None  # requests per second per merchant and operation; None: off
    # The test controls under /_mock/ (kustom_mock.controls); off for a sandbox whose tenants
    # share a test merchant (--no-test-controls).
    test_controls: bool = True
    store: StoreConfig = field(default_factory=StoreConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
