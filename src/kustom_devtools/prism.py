"""Prism's mock of the same spec, on a free loopback port: the contract run must fail against
it (it accepts any credentials), and the benchmarks measure the mock against it."""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from kustom_devtools.paths import REPO_ROOT

PRISM = REPO_ROOT / "node_modules" / ".bin" / "prism"
SPEC = REPO_ROOT / "openapi.yaml"


class PrismDidNotStart(RuntimeError):
    pass


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass


def _stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM to Prism's process group, SIGKILL if it lingers (it may ignore SIGTERM)."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_prism(*, quiet: bool = False) -> Iterator[str]:
    """``quiet``: Prism at its fastest, logging errors only (``-v error``); its per-request log
    lines otherwise halve its rate. Quiet, it prints no ready line: the port is polled."""
    if not PRISM.exists():
        raise PrismDidNotStart("Prism is missing: run scripts/bootstrap")
    port = _free_port()
    env = {**os.environ, "PATH": f"{REPO_ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    verbosity = ["-v", "error"] if quiet else []
    process = subprocess.Popen(  # noqa: S603
        [str(PRISM), "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port), *verbosity],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group: stopping it stops all Prism started
    )
    assert process.stdout is not None
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if quiet:
                if _accepts(port):
                    break
                time.sleep(0.2)
            elif selector.select(0.2) and re.search(
                r"Prism is listening", process.stdout.readline()
            ):
                break
            if process.poll() is not None:
                raise PrismDidNotStart("Prism exited")
        else:
            raise PrismDidNotStart("Prism did not start within 60 s")
        # Prism logs every request: keep reading, or a full pipe would stall it.
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_group(process)
