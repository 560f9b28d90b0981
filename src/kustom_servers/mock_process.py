"""Run the mock as a real process on a free loopback port, and stop it whatever happens."""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kustom_servers.errors import ServerUnavailable

READY = re.compile(r"listening on (http://\S+)")


class MockDidNotStart(ServerUnavailable):
    pass


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (a mock's workers, a database's backends),
    from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
            if int(stat.read_text().rpartition(")")[2].split()[1]) == parent:
                children.append(int(stat.parent.name))
    return children


@dataclass
class RunningMock:
    base_url: str
    process: subprocess.Popen[str]
    log_path: Path
    ready_line: str

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_for_ready(process: subprocess.Popen[str], timeout: float) -> str:
    """The ready line, once printed."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.1):
            line = process.stdout.readline()
            if not line:
                break
            if READY.search(line):
                return line.strip()
        if process.poll() is not None:
            break
    raise MockDidNotStart(f"the mock did not start within {timeout:.0f}s (exit {process.poll()})")


@contextmanager
def running_mock(
    db: Path | str | None = ":memory:",
    extra_args: Sequence[str] = (),
    *,
    timeout: float = 30.0,
    stop_signal: int = signal.SIGTERM,
    module: str = "kustom_mock",
    launcher: Sequence[str] | None = None,
    cwd: Path | None = None,
    open_files_limit: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[RunningMock]:
    """``python -m <module> --host 127.0.0.1 --port 0 --db DB``, stopped (then killed) on
    exit; ``db`` None: no ``--db`` (the mock's default).

    ``module`` is the mock, or any module that takes scripts/mock's flags and prints its ready
    line (a server built on the mock, the benchmarks' no-op endpoint).
    ``launcher`` replaces ``python -m <module>``: the mock installed elsewhere (its console
    script in another virtual environment), run from ``cwd``. ``open_files_limit``: start it
    under ``prlimit --nofile=N`` (util-linux), as a host with a low descriptor limit would.
    ``env``: its environment (this process's by default).
    """
    with tempfile.NamedTemporaryFile(prefix="kustom-mock-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
    prefix = [] if open_files_limit is None else ["prlimit", f"--nofile={open_files_limit}", "--"]
    cmd = [
        *prefix,
        *(launcher or (sys.executable, "-m", module)),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *(() if db is None else ("--db", str(db))),
    ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            [*cmd, *extra_args],
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
        )
    try:
        try:
            ready = _wait_for_ready(process, timeout)
        except MockDidNotStart as exc:
            raise MockDidNotStart(f"{exc}\n{log_path.read_text()[-2000:]}") from None
        url = READY.search(ready)
        assert url is not None
        yield RunningMock(url[1], process, log_path, ready)
    finally:
        if process.poll() is None:
            process.send_signal(stop_signal)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
