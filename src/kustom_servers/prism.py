"""Prism's mock of the same spec, on a free loopback port: the contract run must fail against
it (it accepts any credentials), and the benchmarks measure the mock against it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from kustom_servers.errors import ServerUnavailable
from kustom_servers.ports import free_port
from kustom_spec import REPO_ROOT

PRISM = REPO_ROOT / "node_modules" / ".bin" / "prism"
SPEC = REPO_ROOT / "openapi.yaml"


class PrismDidNotStart(ServerUnavailable):
    pass


def _watch(stream: IO[str], listening: threading.Event) -> None:
    for line in stream:
        if not listening.is_set() and re.search(r"Prism is listening", line):
            listening.set()


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
    port = free_port()
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
    listening = threading.Event()
    # One reader for the whole life of the process: it spots the ready line and then drains
    # the log (a full pipe would stall Prism). A selector on the pipe would miss lines that
    # an earlier readline() already pulled into the file's buffer.
    threading.Thread(target=_watch, args=(process.stdout, listening), daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        # Quiet (-v error), Prism prints no ready line: its port is polled instead.
        while not (_accepts(port) if quiet else listening.wait(0.2)):
            if quiet:
                time.sleep(0.2)
            if process.poll() is not None:
                raise PrismDidNotStart("Prism exited")
            if time.monotonic() > deadline:
                raise PrismDidNotStart("Prism did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_group(process)
