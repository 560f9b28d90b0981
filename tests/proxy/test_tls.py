"""TLS to the upstream: its certificate is verified (an upstream whose certificate no trusted
authority signed gets the client a 502 that says so), and not verifying it takes a flag that
says so loudly: on stderr at the start and the end, in the ready line and in the report."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conformance.exchanges import RAW_A, path
from tests.proxy.helpers import running_proxy

BODY = json.dumps({"payment_method_type": "CARD", "status": "ACTIVE"}).encode()


@pytest.fixture(scope="module")
def tls_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (openssl, from Debian)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607 (openssl from PATH, as .ci/run installs it)
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_an_unverifiable_certificate_is_refused(tls_upstream: str) -> None:
    with running_proxy(tls_upstream) as proxy:
        answer = httpx.get(
            proxy.base_url + path("readCustomerToken"), headers={"Authorization": RAW_A}
        )
        output = proxy.stop()
    assert answer.status_code == 502
    assert "CERTIFICATE_VERIFY_FAILED" in answer.json()["error_messages"][0]
    assert "upstream failure" in output
    assert "TLS NOT VERIFIED" not in output


def test_not_verifying_takes_a_flag_that_says_so_loudly(tls_upstream: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    with running_proxy(
        tls_upstream, ["--insecure-skip-tls-verify", "--report", str(report)]
    ) as proxy:
        answer = httpx.get(
            proxy.base_url + path("readCustomerToken"), headers={"Authorization": RAW_A}
        )
        output = proxy.stop()
        log = proxy.stderr()
    assert answer.status_code == 200
    assert answer.content == BODY
    assert "TLS NOT VERIFIED" in output.splitlines()[0]  # the ready line
    assert (
        log.count(
            "WARNING: --insecure-skip-tls-verify: the upstream's TLS certificate is NOT verified"
        )
        == 2
    )
    assert json.loads(report.read_text())["tls_verified"] is False
