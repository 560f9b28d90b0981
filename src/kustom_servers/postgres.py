"""A throwaway PostgreSQL server: Debian's ``postgresql`` package, a cluster in a temporary
directory, listening on 127.0.0.1 on a free port (and on a unix socket in the same directory),
stopped and deleted on exit.

Tooling, like the mock and Prism as processes (mock_process.py, prism.py): scripts/bench
measures the mock on it (benchmarks/measure.py), and the tests of the mock's PostgreSQL store
start one (tests/mock/conftest.py). The product never imports it.

PostgreSQL refuses to run as root: as root the server runs as the package's ``postgres`` user
(``runuser``), in a directory handed to that user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from kustom_servers.errors import ServerUnavailable
from kustom_servers.mock_process import child_pids
from kustom_servers.ports import free_port

PG_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "kustom"
START_TIMEOUT_SECONDS = 60


class PostgresUnavailable(ServerUnavailable):
    """No PostgreSQL server can be run here; the message says why and what to install."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    socket_dir: Path
    bin_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.socket_dir / "data"

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE``: ``immediate`` is a crash (no checkpoint; the next start
        replays the log), ``fast`` a clean stop that ends every session."""
        self._pg_ctl("stop", "-m", mode)

    def start(self) -> None:
        """Start it again on the same port and data (after ``stop``); returns once it accepts."""
        self._pg_ctl("start", "-o", _server_options(self.port, self.socket_dir))

    def pause(self) -> None:
        """SIGSTOP the server and every backend: connections stay open, nothing is answered.
        The postmaster first, so that no backend is forked after the children were listed
        (one forked meanwhile would go on answering its connection)."""
        postmaster = self._postmaster()
        os.kill(postmaster, signal.SIGSTOP)
        stopped: set[int] = set()
        while fresh := set(child_pids(postmaster)) - stopped:
            for pid in fresh:
                os.kill(pid, signal.SIGSTOP)
            stopped |= fresh

    def resume(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)

    def _postmaster(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def _pids(self) -> list[int]:
        """The postmaster (first line of postmaster.pid) and its children."""
        postmaster = self._postmaster()
        return [postmaster, *child_pids(postmaster)]

    def _pg_ctl(self, command: str, *options: str) -> None:
        pg_ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *options]
        pg_ctl += [
            "-l",
            str(self.socket_dir / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
        ]
        subprocess.run(  # noqa: S603
            _as_server_user([*pg_ctl, command]),
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_SECONDS + 10,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL (each test gets its own)."""
        name = f"mock_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def find_bin_dir() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    if not PG_ROOT.is_dir():
        return None
    versions = sorted(
        (p for p in PG_ROOT.iterdir() if (p / "bin" / "pg_ctl").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    return versions[-1] / "bin" if versions else None


def install_if_root() -> None:
    """Install Debian's package when missing, as root with apt-get (as .ci/run does)."""
    if find_bin_dir() is not None:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed and this is not root with apt-get: "
            "apt-get install postgresql"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "postgresql"],
    ):
        subprocess.run(command, check=True, capture_output=True, env=env, timeout=600)  # noqa: S603
    if find_bin_dir() is None:
        raise PostgresUnavailable("apt-get installed postgresql, but no pg_ctl was found")


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _server_options(port: int, root: Path) -> str:
    return f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"


def _start(bin_dir: Path, root: Path) -> int:
    """initdb and pg_ctl start in ``root``; the port it listens on."""
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8"]
    # trust: the server listens on loopback and a socket in a private directory only.
    initdb += ["--auth=trust", "--no-sync"]
    port = free_port()
    start = [
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        _server_options(port, root),
        "-l",
        str(root / "server.log"),
    ]
    start += ["-w", "-t", str(START_TIMEOUT_SECONDS), "start"]
    try:
        for command in (initdb, start):
            subprocess.run(  # noqa: S603
                _as_server_user(command),
                check=True,
                capture_output=True,
                timeout=START_TIMEOUT_SECONDS + 10,
            )
    except subprocess.CalledProcessError as exc:
        log = root / "server.log"
        detail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        stderr = exc.stderr.decode(errors="replace")[-1500:]
        raise PostgresUnavailable(f"PostgreSQL did not start: {stderr}{detail}") from None
    return port


@contextmanager
def running_postgres(*, install: bool = True) -> Iterator[PostgresServer]:
    """A started server; stopped (immediately: it holds nothing worth keeping) and deleted on
    exit. ``install``: install the package first when missing and root."""
    if install:
        install_if_root()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL is not installed: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="kustom-pg-"))
    try:
        port = _start(bin_dir, root)
        try:
            server = PostgresServer("127.0.0.1", port, root, bin_dir)
            yield server
        finally:
            with contextlib.suppress(OSError, ValueError, IndexError):
                server.resume()  # a test that paused it and failed: a stopped server cannot stop
            stop = [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w"]
            subprocess.run(  # noqa: S603
                _as_server_user([*stop, "stop"]), check=False, capture_output=True, timeout=60
            )
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(root)
