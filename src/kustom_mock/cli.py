"""``scripts/mock``: serve the mock in the foreground with uvicorn until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import uvicorn

from kustom_mock.app import ASGIApp, MockApp, create_app
from kustom_mock.fixtures import FixtureError
from kustom_mock.protocol import KustomHttpToolsProtocol
from kustom_mock.settings import DEFAULT_RETENTION_SECONDS, Settings
from kustom_mock.store import StoreError, safe_label
from kustom_spec import DEFAULT_SPEC_PATH

DEFAULT_DB = Path(".state") / "mock.sqlite3"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Shut down gracefully on SIGINT/SIGTERM, then exit 0 (uvicorn would re-raise them)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.handle_exit)
        yield


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/mock",
        description="Serve the stateful mock of Kustom's Customer Token API (openapi.yaml).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=4010, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--db", default=str(DEFAULT_DB), help="SQLite file for orders and idempotency (or :memory:)"
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help="YAML file of merchants and tokens (replaces the defaults)",
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
        "X-Ratelimit-* and Retry-After (default: no limit)",
    )
    parser.add_argument(
        "--fsync",
        action="store_true",
        help="fsync the database (SQLite synchronous=NORMAL) so that it also survives an OS "
        "crash or a power cut; without it, it survives a crash or kill -9 of the mock",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0-65535")
    return args


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


def positive_int(*, maximum: int) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be 1 to {maximum}: {text!r}")
        return value

    return parse


def build_app(args: argparse.Namespace) -> MockApp | None:
    """The app the arguments describe, or None after printing why it cannot be built."""
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
        )
    except (FixtureError, StoreError) as exc:
        print(f"scripts/mock: {exc}", file=sys.stderr)
    except OSError as exc:
        print(
            f"scripts/mock: cannot open {exc.filename or args.spec}: {exc.strerror}",
            file=sys.stderr,
        )
    return None


def serve(app: ASGIApp, args: argparse.Namespace, label: str = "kustom-mock") -> int:
    """Listen on --host/--port, print the ready line, serve until SIGINT or SIGTERM."""
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
        return 1
    sock.listen(2048)  # before the ready line: early connections wait in the backlog
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=False,  # the app writes its own access line, without credentials or bodies
        log_config=None,  # keep the format set in main() for uvicorn's lines too
        server_header=False,
        lifespan="on",
        http=KustomHttpToolsProtocol,  # httptools, with Kustom's error object on a malformed request
        loop="uvloop",
    )
    # A line that scripts and tests wait for; with --port 0 it is how they learn the port.
    print(f"{label} listening on http://{host}:{port} (db: {safe_label(args.db)})", flush=True)
    try:
        _Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.log_level)
    app = build_app(args)
    if app is None:
        return 2
    try:
        return serve(app, args)
    finally:
        app.store.close()


if __name__ == "__main__":
    sys.exit(main())
