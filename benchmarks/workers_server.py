"""Until ``scripts/mock --workers N`` lands on this branch: the mock served the way that flag
serves it, for the benchmark's "--workers 2" row. One listening socket, bound before the ready
line; N forked processes, each building its own app (and so its own database connection)
after the fork and accepting on the shared socket with the mock's uvicorn settings.

``python -m benchmarks.workers_server --workers N`` then the mock's flags.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys

import uvicorn

from kustom_mock.cli import build_app, configure_logging, parse_args
from kustom_mock.protocol import KustomHttpToolsProtocol
from kustom_mock.store import safe_label


def _worker(args: argparse.Namespace, sock: socket.socket) -> int:
    app = build_app(args)
    if app is None:
        return 2
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=False,
        log_config=None,
        server_header=False,
        lifespan="on",
        http=KustomHttpToolsProtocol,
        loop="uvloop",
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        app.store.close()
    return 0


def main(argv: list[str]) -> int:
    front = argparse.ArgumentParser(add_help=False)
    front.add_argument("--workers", type=int, default=2)
    known, rest = front.parse_known_args(argv)
    args = parse_args(rest)
    configure_logging(args.log_level)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    print(f"kustom-mock listening on http://{host}:{port} (db: {safe_label(args.db)})", flush=True)
    children = []
    for _ in range(known.workers):
        pid = os.fork()
        if pid == 0:  # the child serves until its SIGTERM
            os._exit(_worker(args, sock))
        children.append(pid)

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    for child in children:
        _, code = os.waitpid(child, 0)
        code = os.waitstatus_to_exitcode(code)
        # uvicorn re-raises the SIGTERM it shut down on: that is a clean stop here.
        status = status or (0 if code == -signal.SIGTERM else code)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
