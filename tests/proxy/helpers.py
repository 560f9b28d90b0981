"""The proxy as a real process for the tests (``running_proxy``: a free loopback port, learnt
from its ready line, its output read as it comes, stopped whatever happens), and requests
through it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kustom_conformance import Request

READY = re.compile(r"listening on (http://\S+) ")


class ProxyDidNotStart(RuntimeError):
    pass


@dataclass
class RunningProxy:
    base_url: str
    process: subprocess.Popen[str]
    stderr_path: Path
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def stop(self) -> str:
        """SIGTERM, wait for the exit; everything it printed on stdout."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        if self.reader is not None:
            self.reader.join(timeout=30)
        return "".join(self.lines)

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_proxy(
    upstream: str,
    flags: Sequence[str] = (),
    *,
    timeout: float = 30.0,
    launcher: Sequence[str] | None = None,
    cwd: Path | None = None,
) -> Iterator[RunningProxy]:
    """``python -m kustom_proxy --upstream UPSTREAM --port 0 FLAGS``, stopped (then killed) on
    exit; ``stop()`` gives its output whole. ``launcher`` replaces ``python -m kustom_proxy``
    (the console script of an installed wheel), run from ``cwd``."""
    with tempfile.NamedTemporaryFile(prefix="kustom-proxy-", suffix=".log", delete=False) as log:
        stderr_path = Path(log.name)
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 (our interpreter and module)
            [
                *(launcher or (sys.executable, "-m", "kustom_proxy")),
                "--upstream",
                upstream,
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                *flags,
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
        )
    ready = threading.Event()
    found: list[str] = []
    proxy = RunningProxy("", process, stderr_path)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # drained as it comes: a full pipe would block the proxy
            proxy.lines.append(line)
            if not ready.is_set() and (match := READY.search(line)):
                found.append(match[1])
                ready.set()
        ready.set()  # it exited without the line

    proxy.reader = threading.Thread(target=read, daemon=True)
    proxy.reader.start()
    try:
        if not ready.wait(timeout) or not found:
            raise ProxyDidNotStart(
                f"no ready line within {timeout:.0f}s (exit {process.poll()}): "
                f"{''.join(proxy.lines)}{stderr_path.read_text()[-2000:]}"
            )
        proxy.base_url = found[0]
        yield proxy
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        proxy.reader.join(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def send(client: httpx.Client, request: Request) -> httpx.Response:
    """``request`` (a kustom_conformance Request, as the conformance tests build them) sent."""
    return client.request(
        request.method, request.path, headers=list(request.headers), content=request.body
    )


def violations(report: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(report.read_text())["violations"]
    return found


def rules(found: list[dict[str, Any]], side: str | None = None) -> list[str]:
    return [v["rule"] for v in found if side is None or v["side"] == side]
