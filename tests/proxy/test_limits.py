"""What one client may hold at the proxy, as at the mock's server: a head of bounded size that
arrives in time, a body that arrives in time, a connection that is closed when idle (from the
start), and no more connections than the cap. Each refusal is in Kustom's error shape and
closes the connection; the process's own flags are checked as they are read."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from kustom_spec import REPO_ROOT
from tests.conformance.exchanges import NAMES
from tests.http_doubles import scripted_server
from tests.proxy.helpers import RunningProxy, running_proxy


@pytest.fixture(scope="module")
def quick() -> Iterator[RunningProxy]:
    """A proxy with short deadlines, in front of a scripted server that answers 200."""
    flags = ["--header-timeout", "0.5", "--body-timeout", "0.5", "--keep-alive-timeout", "0.5"]
    with scripted_server() as upstream, running_proxy(upstream.base_url, flags) as proxy:
        yield proxy


def connect(proxy: RunningProxy) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", int(proxy.base_url.rsplit(":", 1)[1])))
    sock.settimeout(30)  # a bound on a test that fails, never a wait the test relies on
    return sock


def until_closed(sock: socket.socket) -> bytes:
    """Everything the proxy sends until it closes the connection."""
    found = b""
    while data := sock.recv(65536):
        found += data
    sock.close()
    return found


def refusal(answer: bytes, status: int) -> dict[str, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    assert b"connection: close" in head.lower()
    parsed: dict[str, object] = json.loads(body)
    assert f"{NAMES.correlation_id.lower()}: {parsed['correlation_id']}".encode() in head.lower()
    messages = parsed["error_messages"]
    assert isinstance(messages, list)
    assert messages[0].startswith("kustom-proxy: ")
    return parsed


@pytest.mark.parametrize("whole", [True, False], ids=["in-one-write", "dripped"])
def test_a_head_over_the_limit_gets_431_and_the_connection_closed(
    quick: RunningProxy, whole: bool
) -> None:
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    sock = connect(quick)
    if whole:
        sock.sendall(head)
    else:  # in pieces that each leave the head incomplete
        for start in range(0, len(head), 4096):
            sock.sendall(head[start : start + 4096])
    answer = until_closed(sock)
    assert refusal(answer, 431)["error_code"] == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def test_a_malformed_request_gets_400_in_kustoms_shape(quick: RunningProxy) -> None:
    sock = connect(quick)
    sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    assert refusal(until_closed(sock), 400)["error_code"] == "BAD_REQUEST"


def test_a_head_that_does_not_come_in_time_gets_408(quick: RunningProxy) -> None:
    sock = connect(quick)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    body = refusal(until_closed(sock), 408)
    assert body["error_code"] == "REQUEST_TIMEOUT"
    assert "head did not come within 0.5 s" in str(body["error_messages"])


def test_a_body_that_does_not_come_in_time_gets_408(quick: RunningProxy) -> None:
    sock = connect(quick)
    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
    body = refusal(until_closed(sock), 408)
    assert "body did not come within 0.5 s" in str(body["error_messages"])


def test_a_connection_that_sends_nothing_is_closed(quick: RunningProxy) -> None:
    assert until_closed(connect(quick)) == b""


def test_past_the_cap_a_connection_gets_503_and_a_freed_one_is_served() -> None:
    with (
        scripted_server() as upstream,
        running_proxy(upstream.base_url, ["--max-connections", "2"]) as proxy,
    ):
        first, second = connect(proxy), connect(proxy)
        third = connect(proxy)
        body = refusal(until_closed(third), 503)
        assert body["error_code"] == "SERVICE_UNAVAILABLE"
        first.close()
        second.sendall(b"GET /anything HTTP/1.1\r\nHost: x\r\n\r\n")
        assert second.recv(65536).startswith(b"HTTP/1.1 200 ")
        second.close()


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--upstream", "https://api.playground.kustom.co/v1"], "without a path"),
        (["--upstream", "ftp://example.com"], "http(s) URL"),
        (["--upstream", "https://user:secret@example.com"], "must not hold credentials"),
        (["--upstream", "http://127.0.0.1:1", "--max-body-bytes", "10"], "must be within"),
        (["--upstream", "http://127.0.0.1:1", "--upstream-timeout", "nan"], "must be within"),
        (["--upstream", "http://127.0.0.1:1", "--port", "70000"], "must be within"),
        ([], "--upstream"),
    ],
)
def test_a_bad_flag_is_one_line_and_exit_2(flags: list[str], said: str) -> None:
    done = subprocess.run(  # noqa: S603 (our interpreter and module)
        [sys.executable, "-m", "kustom_proxy", *flags],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert said in done.stderr
    assert "secret" not in done.stderr
