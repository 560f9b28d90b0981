"""``scripts/proxy`` and ``kustom-proxy``: serve the validating proxy in the foreground until
SIGINT or SIGTERM, then print the summary."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from kustom_conformance import Conformance
from kustom_proxy.app import ProxyApp
from kustom_proxy.config import (
    DEFAULT_PORT,
    ProxyConfig,
    ProxyLimits,
    UpstreamError,
    upstream_origin,
)
from kustom_proxy.har import HarWriter
from kustom_proxy.monitor import Monitor
from kustom_proxy.redaction import Pseudonyms
from kustom_proxy.server import ProxyServer, uvicorn_config
from kustom_spec import DEFAULT_SPEC_PATH, SpecNamesError, load_spec

LABEL = "kustom-proxy"
INSECURE_FLAG = "--insecure-skip-tls-verify"
INSECURE_WARNING = (
    f"{LABEL}: WARNING: {INSECURE_FLAG}: the upstream's TLS certificate is NOT verified; "
    "anyone between the proxy and the upstream can read and change the traffic, API keys and "
    "customer tokens included"
)
HOUR = 3600.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A bad flag is one line on stderr and exit 2."""
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def bounded(low: float, high: float, *, whole: bool) -> Callable[[str], float]:
    """An argparse type: a number from ``low`` to ``high`` (whole, or above ``low`` when not)."""

    def parse(text: str) -> float:
        try:
            number = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a {'whole ' if whole else ''}number: {text!r}"
            ) from None
        inside = low <= number <= high if whole else low < number <= high
        if not inside or number != number:  # nan
            raise argparse.ArgumentTypeError(f"must be within {low:g} and {high:g}: {text!r}")
        return number

    return parse


# The limits' flags: (metavar, type, help), by ProxyLimits field.
LIMIT_FLAGS: dict[str, tuple[str, Callable[[str], float], str]] = {
    "max_body_bytes": (
        "BYTES",
        bounded(1024, 64 * 1024 * 1024, whole=True),
        "largest body held and checked; a larger one is forwarded unchanged, reported unchecked",
    ),
    "max_header_bytes": (
        "BYTES",
        bounded(1024, 1024 * 1024, whole=True),
        "largest request line and headers; past it 431 and the connection is closed",
    ),
    "max_connections": (
        "N",
        bounded(1, 100_000, whole=True),
        "open client connections (and upstream connections); past it 503 and close",
    ),
    "header_timeout": (
        "SECONDS",
        bounded(0, HOUR, whole=False),
        "from a request's first byte to the end of its head; then 408 and close",
    ),
    "body_timeout": (
        "SECONDS",
        bounded(0, HOUR, whole=False),
        "from the end of a request's head to the end of its body; then 408 and close",
    ),
    "keep_alive_timeout": (
        "SECONDS",
        bounded(0, HOUR, whole=False),
        "a client connection with no request in progress is closed after this",
    ),
    "upstream_timeout": (
        "SECONDS",
        bounded(0, HOUR, whole=False),
        "for the upstream's answer (to max-body-bytes); then 504 in Kustom's error shape",
    ),
}


def parse_config(argv: Sequence[str] | None) -> ProxyConfig:
    defaults = ProxyLimits()
    parser = _Parser(
        prog="scripts/proxy",
        description="Forward requests to Kustom's Customer Token API (or the mock) unchanged "
        "and hold every exchange to openapi.yaml, both ways: a line per violation, a summary "
        "on exit.",
    )
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the server to forward to, an origin such as https://api.playground.kustom.co",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=bounded(0, 65535, whole=True),
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one, printed in the ready line "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="JSON report, kept current while it runs"
    )
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="every exchange, redacted, as HAR"
    )
    parser.add_argument(
        "--contract-limits",
        action="store_true",
        help="hold requests to this contract's own limits (x-contract-limits) too: for the "
        "project's mock upstream, which enforces them (a live server may not)",
    )
    parser.add_argument(
        INSECURE_FLAG,
        dest="insecure",
        action="store_true",
        help="do not verify the upstream's TLS certificate (says so loudly; never for real keys)",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC_PATH,
        help="OpenAPI document to check against (default: the one bundled with it)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="level of the server's own log on stderr (default: %(default)s)",
    )
    group = parser.add_argument_group("limits")
    for name, (metavar, kind, text) in LIMIT_FLAGS.items():
        group.add_argument(
            "--" + name.replace("_", "-"),
            metavar=metavar,
            type=kind,
            default=getattr(defaults, name),
            help=f"{text} (default: %(default)s)",
        )
    args = parser.parse_args(argv)
    try:
        upstream = upstream_origin(args.upstream)
    except UpstreamError as exc:
        parser.error(str(exc))
    return ProxyConfig(
        upstream=upstream,
        host=args.host,
        port=int(args.port),
        report=args.report,
        record=args.record,
        verify_tls=not args.insecure,
        contract_limits=args.contract_limits,
        spec=args.spec,
        log_level=args.log_level,
        limits=ProxyLimits(**{f.name: getattr(args, f.name) for f in fields(ProxyLimits)}),
    )


def version() -> str:
    try:
        return metadata.version("kustom-mock")
    except metadata.PackageNotFoundError:  # the repository's own environment
        return "dev"


def about(config: ProxyConfig) -> dict[str, Any]:
    return {
        "upstream": config.upstream,
        "tls_verified": config.verify_tls,
        "contract_limits": config.contract_limits,
        "max_body_bytes": config.limits.max_body_bytes,
    }


def bind(host: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"{LABEL}: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        sock.close()
        return None
    sock.listen(1024)  # before the ready line: early connections wait in the backlog
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_config(argv)
    logging.basicConfig(
        level=config.log_level.upper(), format=f"%(asctime)s %(levelname)s {LABEL} %(message)s"
    )
    try:
        spec = load_spec(config.spec)
        conformance = Conformance(spec, contract_limits=config.contract_limits)
    except (OSError, ValueError, SpecNamesError) as exc:
        print(f"{LABEL}: cannot read the spec {config.spec}: {exc}", file=sys.stderr)
        return 2
    try:
        har = HarWriter(config.record, LABEL, version()) if config.record else None
    except OSError as exc:
        print(f"{LABEL}: cannot write {config.record}: {exc.strerror}", file=sys.stderr)
        return 2
    monitor = Monitor(
        conformance,
        about=about(config),
        label=LABEL,
        report_path=config.report,
        har=har,
        pseudonyms=Pseudonyms(conformance),
    )
    try:
        monitor.flush()
    except OSError as exc:
        print(f"{LABEL}: cannot write {config.report}: {exc.strerror}", file=sys.stderr)
        return 2
    sock = bind(config.host, config.port)
    if sock is None:
        return 1
    app = ProxyApp(config, monitor, conformance.names.correlation_id)
    server = ProxyServer(
        uvicorn_config(app, config.limits, conformance.names.correlation_id, config.log_level)
    )
    host, port = sock.getsockname()[:2]
    # The handlers go in before the ready line: a SIGTERM sent the moment a caller sees it
    # still stops the proxy gracefully, with its summary.
    with server.capture_signals():
        if not config.verify_tls:
            print(INSECURE_WARNING, file=sys.stderr, flush=True)
        tls = "" if config.verify_tls else ", TLS NOT VERIFIED"
        # A line that scripts and tests wait for; with --port 0 it is how they learn the port.
        print(
            f"{LABEL} listening on http://{host}:{port} (upstream: {config.upstream}{tls})",
            flush=True,
        )
        try:
            server.run(sockets=[sock])
        finally:
            sock.close()
            print(monitor.close(), flush=True)
            if not config.verify_tls:
                print(INSECURE_WARNING, file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
