"""``scripts/mock``: serve the mock in the foreground with uvicorn until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import uvicorn

from kustom_mock.app import ASGIApp, MockApp, create_app
from kustom_mock.behaviour import Behaviour
from kustom_mock.fixtures import FixtureError
from kustom_mock.limits import (
    ServerLimits,
    add_limit_arguments,
    limits_from_args,
    positive_int,
    positive_number,
)
from kustom_mock.server import MockServer, supervise
from kustom_mock.settings import DEFAULT_RETENTION_SECONDS, Settings
from kustom_mock.store import StoreError, safe_label
from kustom_spec import DEFAULT_SPEC_PATH, SpecNamesError

DEFAULT_DB = Path(".state") / "mock.sqlite3"


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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog="scripts/mock",
        description="Serve the stateful mock of Kustom's Customer Token API (openapi.yaml).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=4010, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--db",
        default=str(DEFAULT_DB),
        help="where token states, orders and idempotency records live: a SQLite file, :memory:, "
        "or a PostgreSQL URL (postgresql://user@host/db) shared by several mocks",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="YAML file of merchants and tokens, instead of the bundled ones "
        "(default: kustom_mock/default_fixtures.yaml)",
    )
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC_PATH, help="OpenAPI document to serve"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="start from the fixtures again: forget the database's token states, orders and "
        "idempotency records",
    )
    parser.add_argument(
        "--retention-hours",
        type=positive_number(maximum=24 * 365),
        default=DEFAULT_RETENTION_SECONDS / 3600,
        help="how long an idempotency key's response is replayed (hours, up to a year)",
    )
    parser.add_argument(
        "--rate-limit",
        type=positive_int(maximum=1_000_000),
        default=None,
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
        type=positive_int(maximum=64),
        default=1,
        metavar="N",
        help="serve from N processes on one port, sharing the database (not :memory:)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level",
    )
    add_limit_arguments(parser)
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0-65535")
    return args


def build_app(args: argparse.Namespace, behaviour: Behaviour | None = None) -> MockApp | None:
    """The app the arguments describe, or None after printing why it cannot be built.
    ``behaviour``: as for create_app (a server that takes a step differently)."""
    try:
        return create_app(
            spec_path=args.spec,
            db_path=args.db,
            fixtures_path=args.fixtures,
            settings=Settings(
                retention_seconds=args.retention_hours * 3600, rate_limit=args.rate_limit
            ),
            fsync=args.fsync,
            reset=args.reset,
            behaviour=behaviour,
        )
    except (FixtureError, StoreError, SpecNamesError) as exc:
        print(f"scripts/mock: {exc}", file=sys.stderr)
    except OSError as exc:
        print(
            f"scripts/mock: cannot open {exc.filename or args.spec}: {exc.strerror}",
            file=sys.stderr,
        )
    return None


def bind(args: argparse.Namespace) -> socket.socket | None:
    """The listening socket for --host/--port, or None after printing why not."""
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it, headers and body go out in two segments and delayed ACK adds 40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(
            f"scripts/mock: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        sock.close()
        return None
    sock.listen(2048)  # before the ready line: early connections wait in the backlog
    return sock


def announce(sock: socket.socket, args: argparse.Namespace, label: str) -> None:
    # A line that scripts and tests wait for; with --port 0 it is how they learn the port.
    host, port = sock.getsockname()[:2]
    print(f"{label} listening on http://{host}:{port} (db: {safe_label(args.db)})", flush=True)


def server_for(app: ASGIApp, args: argparse.Namespace, parent_pid: int | None = None) -> MockServer:
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=False,  # the app writes its own access line, without credentials or bodies
        log_config=None,  # keep the format set in main() for uvicorn's lines too
        server_header=False,
        lifespan="on",
        loop="uvloop",
        ws="none",  # no WebSocket: an Upgrade header is an ordinary request
        proxy_headers=False,  # the mock is reached directly; X-Forwarded-* change nothing
    )
    limits: ServerLimits = limits_from_args(args)
    # The protocol's own answers (400, 408, 413, ...) carry the correlation header as the
    # app's spec names it; another ASGI app (benchmarks' ceiling) gets the bundled spec's.
    correlation_header = app.correlation_header if isinstance(app, MockApp) else None
    return MockServer(config, limits, parent_pid=parent_pid, correlation_header=correlation_header)


def serve(app: ASGIApp, args: argparse.Namespace, label: str = "kustom-mock") -> int:
    """Listen on --host/--port, print the ready line, serve until SIGINT or SIGTERM."""
    sock = bind(args)
    if sock is None:
        return 1
    server = server_for(app, args)
    # The handlers go in before the ready line: a SIGTERM sent the moment a caller sees it
    # still stops the server gracefully, with exit 0, rather than killing it by the signal.
    with server.capture_signals():
        announce(sock, args, label)
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
    return 0


def serve_workers(
    args: argparse.Namespace, label: str = "kustom-mock", behaviour: Behaviour | None = None
) -> int:
    """--workers N: the ready line once, then N processes accepting on the same socket, each
    with its own connection to the database (opened after the fork; --reset done already)."""
    sock = bind(args)
    if sock is None:
        return 1
    worker_args = argparse.Namespace(**{**vars(args), "reset": False})

    def run_worker(parent_pid: int) -> int:
        app = build_app(worker_args, behaviour)
        if app is None:
            return 2
        try:
            server_for(app, args, parent_pid=parent_pid).run(sockets=[sock])
        finally:
            app.store.close()
        return 0

    try:
        return supervise(args.workers, run_worker, ready=lambda: announce(sock, args, label))
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
    """scripts/mock. ``behaviour`` and ``label``: for a server built on the mock (a
    kustom_mock.Behaviour of its own, named so in the ready line), with every flag of the mock's."""
    args = parse_args(argv)
    configure_logging(args.log_level)
    if args.workers > 1 and args.db == ":memory:":
        print(
            f"scripts/mock: --workers {args.workers} needs a database file the processes can "
            "share, not --db :memory:",
            file=sys.stderr,
        )
        return 2
    app = build_app(args, behaviour)  # also when forking workers: bad flags fail here, once
    if app is None:
        return 2
    if args.workers > 1:
        app.store.close()
        return serve_workers(args, label, behaviour)
    try:
        return serve(app, args, label)
    finally:
        app.store.close()


if __name__ == "__main__":
    sys.exit(main())
