"""``kustom-mock`` (installed) and ``scripts/mock`` (this repository): serve the mock in the
foreground with uvicorn until SIGINT or SIGTERM.

Without ``--db`` the mock keeps its state where ``KUSTOM_MOCK_DB`` says (``scripts/mock`` sets
it to the repository's ``.state/mock.sqlite3``), else in a SQLite file in a temporary
directory of its own, named in the ready line and deleted at exit: a consumer's test run starts
from the fixtures and leaves nothing in the directory it was started from.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import NoReturn, get_args

import uvicorn

from kustom_mock.app import ASGIApp, MockApp, create_app
from kustom_mock.behaviour import Behaviour
from kustom_mock.config import LogLevel, MockConfig, ServerConfig, StoreConfig
from kustom_mock.fixtures import FixtureError
from kustom_mock.limits import HOUR, LIMIT_FLAGS, Bound, ServerLimits, above_zero
from kustom_mock.server import MockServer, supervise
from kustom_mock.store import StoreError, safe_label
from kustom_spec import SpecNamesError

PROG = "kustom-mock"
# The flags' defaults are MockConfig's, but for --db: served, the mock keeps its state in a file,
# KUSTOM_MOCK_DB's or (TEMPORARY_DB) one in a temporary directory made at start.
DB_VARIABLE = "KUSTOM_MOCK_DB"
TEMPORARY_DB = ""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each flag's default said once: argparse's ``(default: ...)`` suffix only where it says
    something true. A None default means "not set" (the help text says what then), and an
    on/off flag is off unless given."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.nargs == 0:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A bad flag is one line on stderr and exit 2 (argparse adds its usage first)."""
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def number(bound: Bound) -> Callable[[str], float]:
    """An argparse type: the flag's text read within ``bound`` (a refusal names the flag)."""

    def parse(text: str) -> float:
        try:
            return bound.read(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def parse_config(argv: Sequence[str] | None) -> MockConfig:
    """The configuration the flags describe, checked: a bad flag is one line and exit 2."""
    defaults = MockConfig()
    parser = _Parser(
        prog=PROG,
        description="Serve the stateful mock of Kustom's Customer Token API (openapi.yaml).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--host", default=defaults.server.host, help="address to listen on")
    parser.add_argument(
        "--port",
        type=number(Bound(0, 65535)),
        default=defaults.server.port,
        help="port to listen on; 0 picks a free one",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="where token states, orders and idempotency records live: a SQLite file, :memory:, "
        "or a PostgreSQL URL (postgresql://user@host/db) shared by several mocks (default: "
        f"${DB_VARIABLE} if set, else mock.sqlite3 in a temporary directory named in the ready "
        "line and deleted at exit)",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="YAML file of merchants and tokens, instead of the bundled ones "
        "(default: kustom_mock/default_fixtures.yaml)",
    )
    parser.add_argument(
        "--spec", type=Path, default=defaults.spec, help="OpenAPI document to serve"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="start from the fixtures again: forget the database's token states, orders and "
        "idempotency records",
    )
    parser.add_argument(
        "--retention-hours",
        type=number(above_zero(24 * 365)),
        default=defaults.store.retention_seconds / HOUR,
        help="how long an idempotency key's response is replayed (hours, up to a year)",
    )
    parser.add_argument(
        "--store-timeout",
        type=number(above_zero(300)),
        default=defaults.store.timeout_seconds,
        metavar="SECONDS",
        help="how long a request may wait for the database (a lock, a slow or unreachable "
        "server) before it is answered 503, told to retry a second later (up to 300)",
    )
    parser.add_argument(
        "--rate-limit",
        type=number(Bound(1, 1_000_000)),
        default=defaults.rate_limit,
        metavar="N",
        help="allow N requests per second per merchant and operation, then 429 with "
        "the spec's rate-limit headers (default: no limit)",
    )
    parser.add_argument(
        "--fsync",
        action="store_true",
        help="fsync the database (SQLite synchronous=NORMAL) so that it also survives an OS "
        "crash or a power cut; without it, it survives a crash or kill -9 of the mock",
    )
    parser.add_argument(
        "--workers",
        type=number(Bound(1, 64)),
        default=defaults.server.workers,
        metavar="N",
        help="serve from N processes on one port, sharing the database (not :memory:)",
    )
    parser.add_argument(
        "--no-test-controls",
        action="store_true",
        help="turn the test controls under /_mock/ off (orders read back, faults, the clock, "
        "the reset): for a shared sandbox whose tenants share a test merchant",
    )
    parser.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop when the process that started the mock exits (a test fixture's mock "
        "outlives no killed test run)",
    )
    parser.add_argument(
        "--log-level",
        default=defaults.server.log_level,
        choices=get_args(LogLevel),
        help="log level",
    )
    limits = parser.add_argument_group("limits (enforced while reading)")
    for name, flag in LIMIT_FLAGS.items():
        limits.add_argument(
            "--" + name.replace("_", "-"),
            metavar=flag.metavar,
            type=number(flag.bound),
            default=getattr(defaults.server.limits, name),
            help=flag.help,
        )
    args = parser.parse_args(argv)
    if args.db is None:
        args.db = os.environ.get(DB_VARIABLE) or TEMPORARY_DB
    if args.workers > 1 and args.db == ":memory:":
        parser.error(
            f"--workers {args.workers} needs a database file the processes can share, "
            "not --db :memory:"
        )
    return MockConfig(
        spec=args.spec,
        fixtures=args.fixtures,
        rate_limit=args.rate_limit,
        test_controls=not args.no_test_controls,
        store=StoreConfig(
            db=args.db,
            fsync=args.fsync,
            reset=args.reset,
            retention_seconds=args.retention_hours * HOUR,
            timeout_seconds=args.store_timeout,
        ),
        server=ServerConfig(
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            parent_pid=os.getppid() if args.stop_with_parent else None,
            # Every field of ServerLimits has its flag (LIMIT_FLAGS).
            limits=ServerLimits(**{f.name: getattr(args, f.name) for f in fields(ServerLimits)}),
        ),
    )


def build_app(config: MockConfig, behaviour: Behaviour | None = None) -> MockApp | None:
    """The app ``config`` describes, or None after printing why it cannot be built.
    ``behaviour``: as for create_app (a server that takes a step differently)."""
    try:
        return create_app(config, behaviour=behaviour)
    except (FixtureError, StoreError, SpecNamesError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
    except OSError as exc:
        print(
            f"{PROG}: cannot open {exc.filename or config.spec}: {exc.strerror}",
            file=sys.stderr,
        )
    return None


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: only localhost is known to stay on the machine
        return host == "localhost"


def bind(server: ServerConfig) -> socket.socket | None:
    """The listening socket for --host/--port, or None after printing why not."""
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it, headers and body go out in two segments and delayed ACK adds 40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((server.host, server.port))
    except OSError as exc:
        print(
            f"{PROG}: cannot listen on {server.host}:{server.port}: {exc.strerror}",
            file=sys.stderr,
        )
        sock.close()
        return None
    sock.listen(2048)  # before the ready line: early connections wait in the backlog
    return sock


def announce(sock: socket.socket, config: MockConfig, label: str) -> None:
    # A line that scripts and tests wait for; with --port 0 it is how they learn the port.
    host, port = sock.getsockname()[:2]
    print(
        f"{label} listening on http://{host}:{port} (db: {safe_label(config.store.db)})",
        flush=True,
    )


def server_for(app: ASGIApp, server: ServerConfig, parent_pid: int | None = None) -> MockServer:
    config = uvicorn.Config(
        app,
        log_level=server.log_level,
        access_log=False,  # the app writes its own access line, without credentials or bodies
        log_config=None,  # keep the format set in main() for uvicorn's lines too
        server_header=False,
        lifespan="on",
        loop="uvloop",
        ws="none",  # no WebSocket: an Upgrade header is an ordinary request
        proxy_headers=False,  # the mock is reached directly; X-Forwarded-* change nothing
    )
    # The protocol's own answers (400, 408, 413, ...) carry the correlation header as the
    # app's spec names it; another ASGI app (benchmarks' ceiling) gets the bundled spec's.
    correlation_header = app.correlation_header if isinstance(app, MockApp) else None
    return MockServer(
        config, server.limits, parent_pid=parent_pid, correlation_header=correlation_header
    )


def serve(app: ASGIApp, config: MockConfig, label: str = "kustom-mock") -> int:
    """Listen on --host/--port, print the ready line, serve until SIGINT or SIGTERM."""
    sock = bind(config.server)
    if sock is None:
        return 1
    server = server_for(app, config.server, parent_pid=config.server.parent_pid)
    # The handlers go in before the ready line: a SIGTERM sent the moment a caller sees it
    # still stops the server gracefully, with exit 0, rather than killing it by the signal.
    with server.capture_signals():
        announce(sock, config, label)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
    return 0


def serve_workers(app: MockApp, config: MockConfig, label: str = "kustom-mock") -> int:
    """--workers N: the ready line once, then N processes forked from this one (the app built
    here once, its spec compiled and its database prepared), accepting on the same socket, each
    opening its own connections to the database when it first needs them. A worker that stops
    is replaced, with a growing pause while replacements keep stopping (server.supervise)."""
    sock = bind(config.server)
    if sock is None:
        return 1
    app.store.close()  # no connection, and no thread, crosses the fork

    def run_worker(parent_pid: int) -> int:
        try:
            server_for(app, config.server, parent_pid=parent_pid).run(sockets=[sock])
        finally:
            app.store.close()
        return 0

    try:
        return supervise(
            config.server.workers,
            run_worker,
            ready=lambda: announce(sock, config, label),
            parent_pid=config.server.parent_pid,
        )
    finally:
        sock.close()


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
        stream=sys.stderr,
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    behaviour: Behaviour | None = None,
    label: str = "kustom-mock",
) -> int:
    """kustom-mock and scripts/mock. ``behaviour`` and ``label``: for a server built on the
    mock (a kustom_mock.Behaviour of its own, named so in the ready line), with every flag of
    the mock's."""
    config = parse_config(argv)
    configure_logging(config.server.log_level)
    if config.store.db != TEMPORARY_DB:
        return _serve(config, behaviour, label)
    with tempfile.TemporaryDirectory(prefix="kustom-mock-") as directory:
        db = str(Path(directory) / "mock.sqlite3")
        return _serve(replace(config, store=replace(config.store, db=db)), behaviour, label)


def _serve(config: MockConfig, behaviour: Behaviour | None, label: str) -> int:
    app = build_app(config, behaviour)  # bad setup fails here, once, before any worker
    if app is None:
        return 2
    if config.test_controls and not is_loopback(config.server.host):
        logging.getLogger("kustom_mock.server").warning(
            "the test controls (/_mock/) are on while listening on %s: clients that share a "
            "test merchant can read its orders, arm faults and reset it for one another; "
            "--no-test-controls turns them off",
            config.server.host,
        )
    try:
        if config.server.workers > 1:
            return serve_workers(app, config, label)
        return serve(app, config, label)
    finally:
        app.store.close()


if __name__ == "__main__":
    sys.exit(main())
