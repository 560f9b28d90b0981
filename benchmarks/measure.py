"""The measurements. Each returns plain numbers; run.py puts them side by side."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import uvloop

from benchmarks.orders import encoded, realistic_order
from kustom_client import KustomClient, OrderParam
from kustom_client.auth import Credentials
from kustom_contract.config import default_processes
from kustom_contract.in_subprocess import run_command
from kustom_contract.target import MOCK_API_KEY, MOCK_APPROVING_TOKENS, MOCK_USERNAME
from kustom_mock import MockConfig, StoreConfig, create_app
from kustom_servers.mock_process import running_mock
from kustom_servers.postgres import running_postgres
from kustom_servers.prism import running_prism
from kustom_spec import REPO_ROOT, load_spec, read_names

SPEC = load_spec()
NAMES = read_names(SPEC)
USERNAME, API_KEY, TOKEN = MOCK_USERNAME, MOCK_API_KEY, MOCK_APPROVING_TOKENS[0]
AUTHORIZATION = Credentials(API_KEY, USERNAME).authorization
ORDER_PATH = SPEC.operation("createOrder").path.replace("{customerToken}", TOKEN)
READ_PATH = SPEC.operation("readCustomerToken").path.replace("{customerToken}", TOKEN)
WRK_SCRIPT = """
wrk.method = "POST"
local f = io.open(os.getenv("WRK_BODY_FILE"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("WRK_AUTHORIZATION")
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:  # wrk prints "-nanus" when no request completed
        raise ValueError(f"wrk reported no latency ({value!r}): did any request complete?")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _run_wrk(url: str, body: bytes, seconds: float, connections: int) -> str:
    """Fixed concurrency, bounded duration, one wrk thread (the other core serves)."""
    wrk_path = shutil.which("wrk")
    if wrk_path is None:
        raise RuntimeError(
            "wrk is missing (apt-get install wrk; scripts/bench installs it as root)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "body.json").write_bytes(body)
        (Path(tmp) / "post.lua").write_text(WRK_SCRIPT)
        env = {
            **os.environ,
            "WRK_BODY_FILE": str(Path(tmp) / "body.json"),
            "WRK_AUTHORIZATION": AUTHORIZATION,
        }
        return subprocess.run(  # noqa: S603
            [
                wrk_path,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(Path(tmp) / "post.lua"),
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=seconds + 30,
        ).stdout


def wrk(url: str, body: bytes, seconds: float, connections: int) -> Load:
    return parse_wrk(_run_wrk(url, body, seconds, connections))


def parse_wrk(out: str) -> Load:
    """Requests per second, p50, p99 and the non-2xx count from ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    # Anchored to the line: "+/- Stdev" columns such as "73.50%" must not match "50%".
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.MULTILINE)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Load(rps, p50, p99, int(non_2xx[1]) if non_2xx else 0)


def servers_under_load(seconds: float, rounds: int, connections: int = 32) -> dict[str, list[Load]]:
    """Every server up at once, loaded in turn, ``rounds`` times (interleaved, so that the
    machine's noise falls on all alike): the mock on SQLite (with its test controls and
    without) and on PostgreSQL (one process, and two with ``--workers 2``), Prism at its
    fastest (no per-request log) and the no-op ceiling. A run with any non-2xx answer is an
    error: a benchmark of refusals would flatter."""
    body = encoded(realistic_order(10))
    results: dict[str, list[Load]] = {}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        postgres = stack.enter_context(running_postgres())
        urls = {"mock": stack.enter_context(running_mock(tmp / "mock.sqlite3")).base_url}
        # The default mock keeps each order's body for the test controls; this one does not.
        controls_off = running_mock(tmp / "controls-off.sqlite3", ["--no-test-controls"])
        urls["mock --no-test-controls"] = stack.enter_context(controls_off).base_url
        workers = running_mock(tmp / "workers.sqlite3", ["--workers", "2"])
        urls["mock --workers 2"] = stack.enter_context(workers).base_url
        urls["mock on PostgreSQL"] = stack.enter_context(
            running_mock(postgres.new_database())
        ).base_url
        pg_workers = running_mock(postgres.new_database(), ["--workers", "2"])
        urls["mock on PostgreSQL --workers 2"] = stack.enter_context(pg_workers).base_url
        urls["prism"] = stack.enter_context(running_prism(quiet=True))
        urls["noop"] = stack.enter_context(
            running_mock(":memory:", module="benchmarks.noop_server")
        ).base_url
        for url in urls.values():  # warm up; Prism's first requests can all take over 1 s
            _run_wrk(url + ORDER_PATH, body, 3, connections)
        for _ in range(rounds):
            for name, url in urls.items():
                load = wrk(url + ORDER_PATH, body, seconds, connections)
                if load.non_2xx:
                    raise RuntimeError(f"{name} answered {load.non_2xx} requests with non-2xx")
                results.setdefault(name, []).append(load)
    return results


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


class InProcessMock:
    """The mock as an ASGI app called in process with one order's bytes, as uvicorn calls it
    (no access log: logging is not configured here)."""

    def __init__(
        self, db: Path | str, body: bytes, *, method: str = "POST", path: str = ORDER_PATH
    ) -> None:
        self.app = create_app(MockConfig(store=StoreConfig(str(db))))
        self.scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "http_version": "1.1",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"content-type", b"application/json"),
                (b"authorization", AUTHORIZATION.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        self.body = body
        self.statuses: set[int] = set()
        self.loop = asyncio.new_event_loop()

    async def _receive(self) -> dict[str, Any]:
        return {"type": "http.request", "body": self.body, "more_body": False}

    async def _send(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            self.statuses.add(message["status"])

    async def call(self) -> None:
        await self.app(self.scope, self._receive, self._send)

    def handle(self) -> None:
        self.loop.run_until_complete(self.call())

    def close(self) -> None:
        self.loop.close()
        self.app.store.close()
        if self.statuses != {200}:
            raise RuntimeError(f"the mock did not accept the order: {self.statuses}")


def large_order_handling(repeat: int) -> dict[str, float]:
    """The mock's handling of a 1000-line order (ASGI call, in process) against json.loads of
    the same body, interleaved."""
    import json

    body = encoded(realistic_order(1000))
    with tempfile.TemporaryDirectory() as tmp:
        mock = InProcessMock(Path(tmp) / "mock.sqlite3", body)
        try:

            def parse() -> None:
                json.loads(body)

            mock.handle()
            handles, parses = [], []
            for _ in range(repeat):
                parses.append(_median_time(parse, 1))
                handles.append(_median_time(mock.handle, 1))
        finally:
            mock.close()
    return {
        "bytes": len(body),
        "json_loads_ms": statistics.median(parses) * 1e3,
        "handling_ms": statistics.median(handles) * 1e3,
    }


def small_order_handling(calls: int, profile_to: Path | None = None) -> dict[str, float]:
    """A valid 10-line order through the mock in process (SQLite file, each order committed):
    the median of ``calls`` single calls in microseconds (a per-call median: a shared
    machine's stalls hit a few calls, not the middle), and a profile of as many calls more
    written to ``profile_to`` (pyinstrument; where the time goes)."""
    body = encoded(realistic_order(10))
    with tempfile.TemporaryDirectory() as tmp:
        mock = InProcessMock(Path(tmp) / "mock.sqlite3", body)
        try:
            for _ in range(500):  # warm up: statement cache, page cache, caches in the app
                mock.handle()
            samples = []
            clock = time.perf_counter
            for _ in range(calls):
                started = clock()
                mock.handle()
                samples.append(clock() - started)
            if profile_to is not None:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0001)
                with profiler:
                    for _ in range(calls):
                        mock.handle()
                text = profiler.output_text(unicode=False, color=False)
                # Paths relative to the repository: no machine's directories in the results.
                profile_to.write_text(text.replace(f"{REPO_ROOT}/", ""), encoding="utf-8")
        finally:
            mock.close()
    samples.sort()
    return {
        "bytes": len(body),
        "median_us": statistics.median(samples) * 1e6,
        "p90_us": samples[int(len(samples) * 0.9)] * 1e6,
        "calls": calls,
    }


def postgres_order_handling(
    calls: int, concurrency: int = 32, profile_to: Path | None = None
) -> dict[str, float]:
    """Valid 10-line orders through the mock on PostgreSQL in process (no HTTP): ``concurrency``
    ASGI calls in flight at once on one event loop (uvloop, as served), each order committed on
    a throwaway server over loopback TCP. Orders per second, and this process's CPU per order
    (the driver's and the mock's work, not the server's); then a profile of as many calls more
    (pyinstrument), written to ``profile_to``: where the mock's time on PostgreSQL goes."""
    body = encoded(realistic_order(10))
    with running_postgres() as postgres:
        mock = InProcessMock(postgres.new_database(), body)
        mock.loop.close()
        mock.loop = uvloop.new_event_loop()

        async def orders(count: int) -> None:
            async def one_after_another() -> None:
                for _ in range(count // concurrency):
                    await mock.call()

            await asyncio.gather(*(one_after_another() for _ in range(concurrency)))

        try:
            mock.loop.run_until_complete(orders(concurrency * 20))  # warm up: connections
            started, cpu = time.perf_counter(), time.process_time()
            mock.loop.run_until_complete(orders(calls))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profile_to is not None:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0001, async_mode="disabled")
                with profiler:
                    mock.loop.run_until_complete(orders(calls))
                text = profiler.output_text(unicode=False, color=False)
                profile_to.write_text(text.replace(f"{REPO_ROOT}/", ""), encoding="utf-8")
        finally:
            mock.close()
    done = calls // concurrency * concurrency
    return {"orders_per_s": done / wall, "cpu_us": cpu / done * 1e6, "calls": done}


def read_against_order(calls: int) -> dict[str, float]:
    """A token read against a 10-line order, in process on one SQLite file, interleaved in
    rounds of 100 calls: per-call medians in microseconds."""
    body = encoded(realistic_order(10))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mock.sqlite3"
        order = InProcessMock(db, body)
        read = InProcessMock(db, b"", method="GET", path=READ_PATH)
        samples: dict[str, list[float]] = {"order": [], "read": []}
        clock = time.perf_counter
        try:
            for _ in range(300):  # warm up both
                order.handle()
                read.handle()
            for _ in range(max(1, calls // 100)):
                for name, mock in (("order", order), ("read", read)):
                    for _ in range(100):
                        started = clock()
                        mock.handle()
                        samples[name].append(clock() - started)
        finally:
            order.close()
            read.close()
    return {f"{name}_us": statistics.median(values) * 1e6 for name, values in samples.items()}


def client_overhead(repeat: int) -> dict[str, float]:
    """A 1000-line order through KustomClient against raw httpx posting the same JSON bytes."""
    order = realistic_order(1000)
    body = encoded(order)
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_mock(Path(tmp) / "mock.sqlite3", ["--log-level", "warning"]) as mock,
    ):
        auth = httpx.BasicAuth(USERNAME, API_KEY)
        with (
            httpx.Client(auth=auth, timeout=30) as raw,
            KustomClient(API_KEY, username=USERNAME, base_url=mock.base_url) as kustom,
        ):
            url = mock.base_url + ORDER_PATH
            headers = {"Content-Type": "application/json"}

            def send_raw() -> None:
                # The same request the client sends: its bytes and a fresh idempotency key.
                key = {NAMES.idempotency_key: str(uuid.uuid4())}
                response = raw.post(url, content=body, headers=headers | key)
                response.raise_for_status()
                response.json()

            def send_client() -> None:
                kustom.create_order(TOKEN, cast("OrderParam", order))  # the builder's, as a dict

            send_raw()
            send_client()
            raws, clients = [], []
            for _ in range(repeat):
                raws.append(_median_time(send_raw, 1))
                clients.append(_median_time(send_client, 1))
    return {
        "raw_httpx_ms": statistics.median(raws) * 1e3,
        "client_ms": statistics.median(clients) * 1e3,
    }


def _run_wall(env: dict[str, str], depth: str, reports_dir: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = run_command(env, reports_dir=reports_dir, depth=depth, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"the contract run failed:\n{result.stdout[-2000:]}")
    cases = re.search(r"^Contract run against .*: (\d+) cases$", result.stdout, re.M)
    return time.perf_counter() - started, cases[1] if cases else "?"


SERIAL = {"KUSTOM_CONTRACT_PROCESSES": "1"}


def contract_run(depth: str, rounds: int) -> dict[str, Any]:
    """scripts/contract-test's wall time, serial (KUSTOM_CONTRACT_PROCESSES=1) against the same
    run generating its cases without sending them (KUSTOM_CONTRACT_DRY=1, serial too: the
    floor), and spread over the machine's processes (its default) against the serial run.
    Each is run ``rounds`` times, interleaved, and the fastest kept: on a shared machine a
    minute-long run is often slowed by others, never sped."""
    runs: dict[str, list[float]] = {"serial": [], "dry": [], "spread": []}
    cases: dict[str, str] = {}
    envs = {"dry": {**SERIAL, "KUSTOM_CONTRACT_DRY": "1"}, "serial": SERIAL, "spread": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for name, env in envs.items():
                seconds, cases[name] = _run_wall(env, depth, Path(tmp))
                runs[name].append(seconds)
    return {
        "full_s": min(runs["serial"]),
        "dry_s": min(runs["dry"]),
        "spread_s": min(runs["spread"]),
        "processes": default_processes(),
        "full_runs_s": runs["serial"],
        "dry_runs_s": runs["dry"],
        "spread_runs_s": runs["spread"],
        "cases": cases["serial"],
        "dry_cases": cases["dry"],
        "spread_cases": cases["spread"],
    }


def regeneration() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "kustom_release.regenerate", "--output", f"{tmp}/client"],
            check=True,
            capture_output=True,
            cwd=REPO_ROOT,
        )
        regenerate = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kustom_release.regenerate", "--check"],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )
    return {"regenerate_s": regenerate, "check_s": time.perf_counter() - started}
