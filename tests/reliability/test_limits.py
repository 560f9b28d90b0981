"""The server's limits under attack, over real sockets on loopback (issue 12, items 1, 2 and 10):
header floods, a huge URL, slow and idle connections, a low descriptor limit, a full
connection cap, and bodies past the 413. Each test is bounded in connections, bytes and time."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from kustom_servers.mock_process import RunningMock, running_mock
from tests.mock.helpers import AUTH_A, FULL_ORDER, PATH
from tests.reliability.raw_http import raw_request

ORDER_PATH = PATH.format("tok_active")
MIB = 1024 * 1024


@dataclass
class Ending:
    """How a connection ended from the client's side."""

    status: int | None  # the answer's status, None when closed without one
    body: bytes
    seconds: float  # from the connection's start
    sent: int  # bytes the client managed to send


def address(mock: RunningMock) -> tuple[str, int]:
    parts = urlsplit(mock.base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def read_answer(sock: socket.socket, timeout: float = 5.0) -> tuple[int | None, bytes]:
    """What the server sent until it closed (or ``timeout``), as (status, body)."""
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while chunk := sock.recv(65536):
            data += chunk
    if not data:
        return None, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def stream(
    target: tuple[str, int], head: bytes, chunk: bytes, total: int, timeout: float = 10.0
) -> Ending:
    """Send ``head``, then ``chunk`` after ``chunk`` up to ``total`` bytes, stopping as soon as the
    server answers or closes; then read its answer."""
    started = time.monotonic()
    sent = 0
    with socket.create_connection(target, timeout=timeout) as sock:
        try:
            sock.sendall(head)
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:  # an answer, or the close
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, body = read_answer(sock)
    return Ending(status, body, time.monotonic() - started, sent)


def assert_error_object(body: bytes) -> None:
    error = json.loads(body)
    assert error["error_code"]
    assert error["error_messages"]
    assert error["correlation_id"]


def valid_order(mock: RunningMock) -> httpx.Response:
    return httpx.post(
        mock.base_url + ORDER_PATH,
        json=FULL_ORDER,
        auth=AUTH_A,
        headers={"Connection": "close"},
        timeout=10,
    )


@contextlib.contextmanager
def open_files_at_least(count: int) -> Iterator[None]:
    """This test process may hold ``count`` descriptors (raised if the hard limit allows)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        if hard != resource.RLIM_INFINITY and hard < count:
            pytest.skip(f"this machine's open-file limit ({hard}) is below {count}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# Item 1: the header section and the URL are capped while they are read.


def test_four_128_mb_header_floods_keep_the_mock_under_100_mb(tmp_path: Path) -> None:
    head = f"POST {ORDER_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ".encode()
    with running_mock(tmp_path / "m.sqlite3") as mock:
        endings: list[Ending] = []

        def flood() -> None:
            endings.append(stream(address(mock), head, b"a" * MIB, 128 * MIB))

        threads = [threading.Thread(target=flood) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        peak_kb = proc_status_kb(mock.process.pid, "VmHWM")
        assert valid_order(mock).status_code == 200
    assert len(endings) == 4
    for ending in endings:
        assert ending.status == 431, ending
        assert_error_object(ending.body)
        assert ending.sent < 32 * MIB, "the server kept reading the flood"
    assert peak_kb < 100 * 1024, f"peak RSS {peak_kb} kB"


def test_a_48_mb_url_is_refused_early_and_cheaply(tmp_path: Path) -> None:
    head = b"GET /customer-token/v1/tokens/"
    with running_mock(tmp_path / "m.sqlite3") as mock:
        cpu_before = cpu_seconds(mock.process.pid)
        ending = stream(address(mock), head, b"t" * MIB, 48 * MIB)
        cpu = cpu_seconds(mock.process.pid) - cpu_before
        assert valid_order(mock).status_code == 200
    assert ending.status == 414
    assert_error_object(ending.body)
    assert ending.sent < 32 * MIB  # refused early: by what was read, not by a time
    assert cpu < 0.5, f"{cpu:.2f} s of server CPU for one URL"


# Item 2: header, body and idle timeouts; the connection cap.


def test_200_slow_connections_are_closed_while_requests_are_answered_fast(
    tmp_path: Path,
) -> None:
    """200 connections drip their headers, a byte each every 0.25 s: each gets 408 and is closed
    at the 2 s header timeout, and meanwhile orders are answered in under 50 ms at p99."""
    with running_mock(tmp_path / "m.sqlite3", ["--header-timeout", "2"]) as mock:
        target = address(mock)
        opened: dict[socket.socket, float] = {}
        for _ in range(200):
            sock = socket.create_connection(target, timeout=5)
            sock.sendall(f"POST {ORDER_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ".encode())
            opened[sock] = time.monotonic()
        ended: dict[socket.socket, Ending] = {}
        latencies: list[float] = []
        with httpx.Client(base_url=mock.base_url, auth=AUTH_A, timeout=5) as client:
            for _ in range(3):  # warm up the keep-alive connection
                assert client.post(ORDER_PATH, json=FULL_ORDER).status_code == 200
            # Orders all along, for 1.5 s past the timeout (a fixed window: a few hundred).
            deadline = min(opened.values()) + 3.5
            dripped = 0.0
            while time.monotonic() < deadline:
                still_open = [s for s in opened if s not in ended]
                for sock in select.select(still_open, [], [], 0)[0] if still_open else []:
                    status, _ = read_answer(sock, timeout=1)
                    ended[sock] = Ending(status, b"", time.monotonic() - opened[sock], 0)
                if time.monotonic() - dripped >= 0.25:
                    dripped = time.monotonic()
                    for sock in still_open:
                        if sock not in ended:
                            with contextlib.suppress(OSError):
                                sock.send(b"d")
                for _ in range(10):
                    started = time.perf_counter()
                    response = client.post(ORDER_PATH, json=FULL_ORDER)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200
        for sock in opened:
            sock.close()
    assert len(ended) == 200, f"{200 - len(ended)} slow connections still open after 3.5 s"
    assert {e.status for e in ended.values()} == {408}
    closed_after = sorted(e.seconds for e in ended.values())
    assert closed_after[0] >= 1.9, "closed before the header timeout"
    assert closed_after[-1] < 4, "the dripping kept a connection past the header timeout"
    assert len(latencies) >= 200
    p99 = statistics.quantiles(latencies, n=100)[98]
    assert p99 < 0.050, f"p99 {p99 * 1000:.1f} ms over {len(latencies)} orders"


def test_a_body_that_stalls_gets_408_at_the_body_timeout(tmp_path: Path) -> None:
    with running_mock(tmp_path / "m.sqlite3", ["--body-timeout", "1"]) as mock:
        request = raw_request()
        started = time.monotonic()
        with socket.create_connection(address(mock), timeout=5) as sock:
            sock.sendall(request[:-10])  # all but the body's last 10 bytes, then a drip
            for _ in range(8):
                if select.select([sock], [], [], 0.25)[0]:
                    break
                with contextlib.suppress(OSError):
                    sock.send(b" ")
            status, body = read_answer(sock)
        seconds = time.monotonic() - started
    assert status == 408
    assert_error_object(body)
    assert 0.9 <= seconds < 2


def test_idle_connections_are_closed_at_the_keep_alive_timeout(tmp_path: Path) -> None:
    """A connection that never sends, and one after its answer, are closed after 1 s."""
    with running_mock(tmp_path / "m.sqlite3", ["--keep-alive-timeout", "1"]) as mock:
        started = time.monotonic()
        with socket.create_connection(address(mock), timeout=5) as silent:
            assert read_answer(silent) == (None, b"")
        silent_seconds = time.monotonic() - started
        with socket.create_connection(address(mock), timeout=5) as used:
            used.sendall(raw_request().replace(b"Connection: close\r\n", b""))
            time.sleep(0.2)
            answered = time.monotonic()
            status, _ = read_answer(used)
        after_answer = time.monotonic() - answered
    assert 0.9 <= silent_seconds < 2
    assert status == 200
    assert 0.6 <= after_answer < 2


def test_at_the_cap_new_connections_wait_while_established_ones_are_answered(
    tmp_path: Path,
) -> None:
    """--max-connections 20, all 20 in the middle of a request: a 21st waits (nothing idle to
    close); one of the 20 finishes its request and is answered, then the 21st is served."""
    with running_mock(
        tmp_path / "m.sqlite3", ["--max-connections", "20", "--header-timeout", "30"]
    ) as mock:
        target = address(mock)
        request = raw_request()
        busy = [socket.create_connection(target, timeout=5) for _ in range(20)]
        for sock in busy:
            sock.sendall(request[:40])
        time.sleep(0.3)
        waiting: list[Ending] = []

        def newcomer() -> None:
            started = time.monotonic()
            with socket.create_connection(target, timeout=10) as sock:
                sock.sendall(request)
                status, body = read_answer(sock, timeout=10)
            waiting.append(Ending(status, body, time.monotonic() - started, len(request)))

        thread = threading.Thread(target=newcomer)
        thread.start()
        time.sleep(1.0)
        assert not waiting, "the 21st connection was served past the cap"
        busy[0].sendall(request[40:])
        status, _ = read_answer(busy[0])
        assert status == 200, "an established connection was not answered"
        thread.join(timeout=10)
        for sock in busy:
            sock.close()
    assert waiting
    assert waiting[0].status == 200
    assert 1.0 <= waiting[0].seconds < 3


def test_with_256_descriptors_a_valid_request_is_answered_among_1000_idle_connections(
    tmp_path: Path,
) -> None:
    """The mock under ``prlimit --nofile=256``: 1,000 connections opened and left idle, and
    valid orders sent all along, each on a new connection: every order is answered."""
    with (
        open_files_at_least(2048),
        running_mock(tmp_path / "m.sqlite3", open_files_limit=256) as mock,
    ):
        target = address(mock)
        idle: list[socket.socket] = []
        refused = 0

        def attack() -> None:
            nonlocal refused
            for _ in range(1000):
                try:
                    idle.append(socket.create_connection(target, timeout=5))
                except OSError:
                    refused += 1

        attacker = threading.Thread(target=attack)
        attacker.start()
        statuses = []
        while attacker.is_alive():
            statuses.append(valid_order(mock).status_code)
        attacker.join()
        statuses.append(valid_order(mock).status_code)
        descriptors = len(os.listdir(f"/proc/{mock.process.pid}/fd"))
        for sock in idle:
            sock.close()
        assert mock.process.poll() is None
    assert statuses
    assert set(statuses) == {200}, statuses
    assert len(idle) + refused == 1000
    assert descriptors < 256


# Item 10: a 413 closes the connection without reading the rest; Expect: 100-continue.


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_413_closes_the_connection_instead_of_reading_the_rest(
    tmp_path: Path, framing: str
) -> None:
    """A 512 MiB body: the mock answers 413 past 8 MiB and closes; the client cannot push more
    than the limit and the sockets' buffers."""
    head = raw_request(b"").split(b"\r\n\r\n")[0].replace(b"Content-Length: 0", b"")
    if framing == "chunked":
        head += b"Transfer-Encoding: chunked\r\n\r\n"
        chunk = b"100000\r\n" + b"x" * MIB + b"\r\n"
    else:
        head += f"Content-Length: {512 * MIB}\r\n\r\n".encode()
        chunk = b"x" * MIB
    with running_mock(tmp_path / "m.sqlite3") as mock:
        ending = stream(address(mock), head, chunk, 512 * MIB)
        assert valid_order(mock).status_code == 200
    assert ending.sent < 64 * MIB, "the mock went on reading after its 413"
    assert ending.seconds < 5
    if ending.status is not None:  # the close can reset the connection before it is read
        assert ending.status == 413
        assert_error_object(ending.body)


def test_expect_100_continue_over_the_limit_gets_413_without_sending_the_body(
    tmp_path: Path,
) -> None:
    head = raw_request(b"").replace(
        b"Content-Length: 0", f"Content-Length: {512 * MIB}\r\nExpect: 100-continue".encode()
    )
    with running_mock(tmp_path / "m.sqlite3") as mock:
        started = time.monotonic()
        with socket.create_connection(address(mock), timeout=5) as sock:
            sock.sendall(head)
            status, body = read_answer(sock)  # until the server closes
        seconds = time.monotonic() - started
    assert status == 413, "no final answer before the body (or a 100 Continue first)"
    assert_error_object(body)
    assert seconds < 1, "the mock waited for a body before closing"


def test_an_answer_before_the_body_closes_the_connection(tmp_path: Path) -> None:
    """A 401 to a request whose 512 MiB body is still coming: answered and closed, not drained."""
    head = (
        raw_request(b"")
        .split(b"\r\n\r\n")[0]
        .replace(b"Content-Length: 0", f"Content-Length: {512 * MIB}".encode())
    )
    head = head.replace(b"Authorization: Basic ", b"Authorization: Basic x") + b"\r\n\r\n"
    with running_mock(tmp_path / "m.sqlite3") as mock:
        ending = stream(address(mock), head, b"x" * MIB, 512 * MIB)
    assert ending.sent < 64 * MIB
    assert ending.seconds < 5
    if ending.status is not None:
        assert ending.status == 401
