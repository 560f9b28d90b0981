"""The measurements. Each returns plain numbers; run.py puts them side by side."""

from __future__ import annotations

import asyncio
import base64
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
from typing import Any

import httpx

from benchmarks.orders import encoded, realistic_order
from kustom_client import KustomClient
from kustom_devtools.contract_run import run_contract
from kustom_devtools.mock_process import running_mock
from kustom_devtools.prism import running_prism
from kustom_mock import create_app
from kustom_spec import REPO_ROOT

USERNAME, API_KEY = "M-TEST-A", "kco_test_api_merchant_a"
ORDER_PATH = "/customer-token/v1/tokens/tok_active/order"
WRK_SCRIPT = """
wrk.method = "POST"
local f = io.open(os.getenv("KUSTOM_BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. os.getenv("KUSTOM_BENCH_AUTH")
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
            "KUSTOM_BENCH_BODY": str(Path(tmp) / "body.json"),
            "KUSTOM_BENCH_AUTH": base64.b64encode(f"{USERNAME}:{API_KEY}".encode()).decode(),
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


def servers_under_load(seconds: float, rounds: int, connections: int = 16) -> dict[str, list[Load]]:
    """The mock, Prism and the no-op ceiling, all up at once, loaded in turn, ``rounds`` times
    (interleaved, so that the machine's noise falls on all three alike)."""
    body = encoded(realistic_order(10))
    results: dict[str, list[Load]] = {"mock": [], "prism": [], "noop": []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_mock(Path(tmp) / "mock.sqlite3") as mock,
        running_mock(":memory:", module="benchmarks.noop_server") as noop,
        running_prism() as prism,
    ):
        urls = {"mock": mock.base_url, "prism": prism, "noop": noop.base_url}
        for url in urls.values():  # warm up; Prism's first requests can all take over 1 s
            _run_wrk(url + ORDER_PATH, body, 3, connections)
        for _ in range(rounds):
            for name, url in urls.items():
                results[name].append(wrk(url + ORDER_PATH, body, seconds, connections))
    return results


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def large_order_handling(repeat: int) -> dict[str, float]:
    """The mock's handling of a 1000-line order (ASGI call, in process) against json.loads of
    the same body, interleaved."""
    import json

    body = encoded(realistic_order(1000))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(db_path=Path(tmp) / "mock.sqlite3")
        auth = b"Basic " + base64.b64encode(f"{USERNAME}:{API_KEY}".encode())
        scope = {
            "type": "http",
            "method": "POST",
            "path": ORDER_PATH,
            "raw_path": ORDER_PATH.encode(),
            "headers": [
                (b"content-type", b"application/json"),
                (b"authorization", auth),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        loop = asyncio.new_event_loop()
        try:

            def handle() -> None:
                loop.run_until_complete(app(scope, receive, send))

            def parse() -> None:
                json.loads(body)

            handle()
            handles, parses = [], []
            for _ in range(repeat):
                parses.append(_median_time(parse, 1))
                handles.append(_median_time(handle, 1))
        finally:
            loop.close()
            app.store.close()
    if set(statuses) != {200}:
        raise RuntimeError(f"the mock did not accept the 1000-line order: {set(statuses)}")
    return {
        "bytes": len(body),
        "json_loads_ms": statistics.median(parses) * 1e3,
        "handling_ms": statistics.median(handles) * 1e3,
    }


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
                key = {"Klarna-Idempotency-Key": str(uuid.uuid4())}
                response = raw.post(url, content=body, headers=headers | key)
                response.raise_for_status()
                response.json()

            def send_client() -> None:
                kustom.create_order("tok_active", order)

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


def _pytest_wall(env: dict[str, str], depth: str, reports_dir: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = run_contract(env, reports_dir=reports_dir, depth=depth, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"the contract run failed:\n{result.stdout[-2000:]}")
    cases = re.search(r": (\d+) cases", result.stdout)
    return time.perf_counter() - started, cases[1] if cases else "?"


def contract_run(depth: str, rounds: int) -> dict[str, Any]:
    """The contract run's wall time against the same run generating its cases without sending
    them (KUSTOM_CONTRACT_DRY=1): the floor. Each is run ``rounds`` times, interleaved, and the
    fastest kept: on a shared machine a half-minute run is often slowed by others, never sped."""
    fulls: list[float] = []
    drys: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            dry, dry_cases = _pytest_wall({"KUSTOM_CONTRACT_DRY": "1"}, depth, Path(tmp))
            full, cases = _pytest_wall({}, depth, Path(tmp))
            drys.append(dry)
            fulls.append(full)
    return {
        "full_s": min(fulls),
        "dry_s": min(drys),
        "full_runs_s": fulls,
        "dry_runs_s": drys,
        "cases": cases,
        "dry_cases": dry_cases,
    }


def regeneration() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "kustom_devtools.regenerate", "--output", f"{tmp}/client"],
            check=True,
            capture_output=True,
            cwd=REPO_ROOT,
        )
        regenerate = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kustom_devtools.regenerate", "--check"],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )
    return {"regenerate_s": regenerate, "check_s": time.perf_counter() - started}
