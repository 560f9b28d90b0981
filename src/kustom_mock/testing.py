"""The mock in a merchant's tests: started as a process of its own, driven through its test
controls (``/_mock/``). The pytest plugin (kustom_mock.pytest_plugin) is made of these; they
need no pytest, so a unittest suite can use them as well:

    with MockProcess.start() as process:
        mock = process.mock
        mock.reset_all()
        ...  # your code against mock.base_url with mock.api_key

A process rather than a thread of the test run: the mock keeps its own event loop, logging and
signals, and nothing a test patches (the clock with freezegun or time-machine, sockets, httpx)
reaches it. It listens on a free port on 127.0.0.1, keeps its state in a folder the caller
gives, and stops with the test run, also when that is killed (``--stop-with-parent``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from kustom_mock.cli import parse_config
from kustom_mock.controls import CONTROL_PREFIX
from kustom_mock.fixtures import load_fixtures
from kustom_spec import load_spec, read_names

__all__ = [
    "KustomMock",
    "MockControlError",
    "MockDidNotStart",
    "MockMerchant",
    "MockProcess",
    "TestMerchant",
]

READY = re.compile(r"listening on (http://\S+)")
START_TIMEOUT = 60.0  # seconds for the ready line: a busy CI machine is slow
STOP_TIMEOUT = 10.0  # seconds after SIGTERM before the mock is killed
CALL_TIMEOUT = 30.0  # seconds for one call to a test control


class MockDidNotStart(RuntimeError):
    """The mock exited or printed no ready line in time; the message ends with its log."""


class MockControlError(Exception):
    """A test control answered with an error, in the API's error shape."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        self.status = status
        self.error_code: str | None = body.get("error_code")
        self.error_messages: list[str] = list(body.get("error_messages") or [])
        self.reason: str | None = body.get("reason")
        self.correlation_id: str | None = body.get("correlation_id")
        detail = "; ".join(self.error_messages) or "no message"
        super().__init__(f"{status} {self.error_code}: {detail}")


@dataclass(frozen=True)
class TestMerchant:
    """A merchant of the mock's fixtures: its id and its test credentials."""

    __test__ = False  # not a test class, for pytest's collection

    merchant_id: str
    username: str
    api_key: str = field(repr=False)


class MockMerchant:
    """The mock at ``base_url`` as one merchant sees it: its credentials, and the test controls
    acting for it (each call sends its credentials, so nothing here reaches another merchant)."""

    def __init__(self, base_url: str, merchant: TestMerchant, auth_scheme: str) -> None:
        self.base_url = base_url
        self.merchant_id = merchant.merchant_id
        self.username = merchant.username
        self.api_key = merchant.api_key
        parts = urllib.parse.urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._authorization = f"{auth_scheme} {merchant.api_key}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, merchant_id={self.merchant_id!r})"

    @property
    def environ(self) -> dict[str, str]:
        """The variables the client layer reads its settings from, for this merchant
        (``monkeypatch.setenv`` each, or pass them to a subprocess)."""
        return {
            "KUSTOM_BASE_URL": self.base_url,
            "KUSTOM_API_KEY": self.api_key,
            "KUSTOM_USERNAME": self.username,
        }

    def orders(self, customer_token: str | None = None, *, limit: int | None = None) -> list[Any]:
        """The merchant's orders, newest first, each as received (GET /_mock/orders)."""
        query = {"customer_token": customer_token, "limit": limit}
        return cast(list[Any], self._call("GET", "orders", query=query)["orders"])

    def tokens(self, customer_token: str | None = None, *, limit: int | None = None) -> list[Any]:
        """The merchant's token states, by name (GET /_mock/tokens)."""
        query = {"customer_token": customer_token, "limit": limit}
        return cast(list[Any], self._call("GET", "tokens", query=query)["tokens"])

    def arm_fault(
        self,
        operation: str,
        kind: str,
        *,
        count: int = 1,
        customer_token: str | None = None,
        status: int | None = None,
        ms: int | None = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        """Arm a fault for the merchant's next ``count`` requests to ``operation`` (an
        operationId) and returns it as armed (POST /_mock/faults; docs/mock.md, "Faults")."""
        given = {
            "operation": operation,
            "kind": kind,
            "count": count,
            "customer_token": customer_token,
            "status": status,
            "ms": ms,
            "retry_after": retry_after,
        }
        body = {name: value for name, value in given.items() if value is not None}
        return cast(dict[str, Any], self._call("POST", "faults", body=body))

    def faults(self) -> list[Any]:
        """The merchant's armed faults, the first to act first (GET /_mock/faults)."""
        return cast(list[Any], self._call("GET", "faults")["faults"])

    def disarm_faults(self) -> int:
        """Disarm every fault of the merchant; how many there were (DELETE /_mock/faults)."""
        return int(self._call("DELETE", "faults")["disarmed"])

    def advance_clock(self, seconds: float) -> float:
        """Move the merchant's clock ``seconds`` forward; how far ahead it is now
        (POST /_mock/clock)."""
        body = {"advance_seconds": seconds}
        return float(self._call("POST", "clock", body=body)["offset_seconds"])

    def clock_offset(self) -> float:
        """How far the merchant's clock is ahead, in seconds (GET /_mock/clock)."""
        return float(self._call("GET", "clock")["offset_seconds"])

    def reset(self) -> None:
        """Start the merchant from the fixtures again (POST /_mock/reset)."""
        self._call("POST", "reset")

    def _call(
        self,
        method: str,
        control: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        target = CONTROL_PREFIX + control
        given = {name: value for name, value in (query or {}).items() if value is not None}
        if given:
            target += "?" + urllib.parse.urlencode(given)
        headers = {"Authorization": self._authorization}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self._host, self._port, timeout=CALL_TIMEOUT)
        try:
            connection.request(method, target, body=data, headers=headers)
            answer = connection.getresponse()
            raw = answer.read()
        finally:
            connection.close()
        parsed = json.loads(raw) if raw else None
        if answer.status >= 400:
            raise MockControlError(answer.status, parsed if isinstance(parsed, dict) else {})
        return parsed


class KustomMock(MockMerchant):
    """The mock as the ``kustom_mock`` fixture gives it: the first merchant of its fixtures
    (``M-TEST-A`` by default) and its controls, and every merchant by ``merchant(id)``."""

    def __init__(self, base_url: str, merchants: Sequence[TestMerchant], auth_scheme: str) -> None:
        super().__init__(base_url, merchants[0], auth_scheme)
        self.merchants = {m.merchant_id: MockMerchant(base_url, m, auth_scheme) for m in merchants}

    def merchant(self, merchant_id: str) -> MockMerchant:
        """Another merchant of the fixtures, with its credentials and controls."""
        try:
            return self.merchants[merchant_id]
        except KeyError:
            known = ", ".join(self.merchants)
            raise KeyError(f"no merchant {merchant_id!r} in the fixtures (only {known})") from None

    def reset_all(self) -> None:
        """Start every merchant of the fixtures from them again."""
        for merchant in self.merchants.values():
            merchant.reset()


@dataclass
class MockProcess:
    """A running mock: its process, its log, and the KustomMock to drive it by."""

    process: subprocess.Popen[str]
    mock: KustomMock
    log_path: Path

    @classmethod
    @contextmanager
    def start(
        cls, args: Sequence[str] = (), directory: Path | None = None
    ) -> Iterator[MockProcess]:
        """``python -m kustom_mock`` on a free port on 127.0.0.1 with its state and its log in
        ``directory`` (a temporary folder, deleted after, when None) and ``args`` (kustom-mock's
        flags; they win over these), once its ready line is printed; stopped on leaving.
        Flags kustom-mock refuses: ValueError (its message printed on stderr)."""
        try:
            config = parse_config([*args])
        except SystemExit:
            raise ValueError(f"kustom-mock refuses these flags: {' '.join(args)}") from None
        if not config.test_controls:
            raise ValueError("the mock's test controls are needed: drop --no-test-controls")
        spec = load_spec(config.spec)
        fixtures = load_fixtures(config.fixtures, spec)
        merchants = [
            TestMerchant(m.merchant_id, m.username, m.api_key)
            for m in fixtures.merchants_by_key.values()
        ]
        with contextlib.ExitStack() as stack:
            if directory is None:
                directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            log_path = directory / "mock.log"
            own = ["--host", "127.0.0.1", "--port", "0", "--stop-with-parent"]
            own += ["--db", str(directory / "mock.sqlite3")]
            with log_path.open("w") as log:
                process = subprocess.Popen(  # noqa: S603 (this interpreter, the mock's flags)
                    [sys.executable, "-m", "kustom_mock", *own, *args],
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            stack.callback(_stop, process)
            base_url = _ready(process, log_path)
            mock = KustomMock(base_url, merchants, read_names(spec).auth_scheme)
            yield cls(process, mock, log_path)


def _ready(process: subprocess.Popen[str], log_path: Path) -> str:
    """The base URL of the ready line, once printed; MockDidNotStart if it is not in time."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = process.stdout.readline()
                if not line:
                    break
                ready = READY.search(line)
                if ready:
                    return ready[1]
            elif process.poll() is not None:
                break
    log = log_path.read_text(errors="replace")[-2000:] if log_path.is_file() else ""
    raise MockDidNotStart(
        f"the mock did not start within {START_TIMEOUT:.0f} s (exit {process.poll()}): {log}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    if process.stdout is not None:
        process.stdout.close()
