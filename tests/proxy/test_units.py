"""The proxy's parts in process: hop-by-hop headers, bounded decoding, the upstream's origin,
masks that stand in a URL's path, a HAR file valid after every entry and read back as written,
and a report whose memory is bounded whatever the traffic."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

import pytest

from kustom_conformance import Request, Response
from kustom_proxy.config import UpstreamError, upstream_origin
from kustom_proxy.har import HarWriter, NotHeld, entry, read_har
from kustom_proxy.monitor import MAX_KEPT, Monitor
from kustom_proxy.observed import Observed
from kustom_proxy.redaction import PathSafeMasker
from kustom_proxy.wire import decoded, end_to_end
from tests.conformance.exchanges import CONFORMANCE, answer, order, placed


def test_hop_by_hop_headers_and_the_ones_connection_names_are_dropped() -> None:
    headers = [
        (b"Connection", b"keep-alive, X-Hop"),
        (b"X-Hop", b"1"),
        (b"Keep-Alive", b"timeout=5"),
        (b"Transfer-Encoding", b"chunked"),
        (b"Upgrade", b"h2c"),
        (b"X-End", b"2"),
        (b"Content-Type", b"application/json"),
    ]
    assert end_to_end(headers) == [(b"X-End", b"2"), (b"Content-Type", b"application/json")]
    assert end_to_end(headers, frozenset({b"x-end"})) == [(b"Content-Type", b"application/json")]


def test_content_codings_are_undone_within_the_limit() -> None:
    body = b'{"status": "ACTIVE"}'
    assert decoded(body, None, 100) == body
    assert decoded(gzip.compress(body), "gzip", 100) == body
    assert decoded(zlib.compress(body), "deflate", 100) == body
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decoded(raw_deflate.compress(body) + raw_deflate.flush(), "deflate", 100) == body
    assert decoded(gzip.compress(gzip.compress(body)), "gzip, gzip", 100) == body
    bomb = gzip.compress(b"\0" * 10_000_000)  # 10 MB from about 10 kB
    assert decoded(bomb, "gzip", 1024 * 1024) is None
    assert decoded(gzip.compress(body)[:-8], "gzip", 100) is None  # cut short
    assert decoded(body, "br", 100) is None  # a coding it does not decode


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.playground.kustom.co", "https://api.playground.kustom.co"),
        ("https://api.playground.kustom.co/", "https://api.playground.kustom.co"),
        ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
    ],
)
def test_the_upstream_is_an_origin(url: str, origin: str) -> None:
    assert upstream_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["https://x.test/v1", "https://x.test/?q=1", "ftp://x.test", "https://u:p@x.test", "x"]
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(UpstreamError):
        upstream_origin(url)


def test_a_mask_stands_in_a_path_segment() -> None:
    masker = PathSafeMasker(key=b"k" * 32)
    for token in ("%2F?#x", "a/b c", "tok_active", "é?/"):
        mask = masker.mask(token)
        assert not set(mask) & set("?/# %")
        assert mask == masker.mask(token)
    assert masker.mask("tok_active") != PathSafeMasker(key=b"j" * 32).mask("tok_active")


def observed(number: int, request: Request, response: Response) -> Observed:
    return Observed(1_700_000_000.0 + number, 0.25, "https://x.test", request, response, "OK")


def test_a_har_file_is_valid_after_each_entry_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    writer = HarWriter(path, "test", "1")
    sent = [observed(1, order(), placed()), observed(2, order(raw=b"\xff\xfe"), placed("o-2"))]
    for number, item in enumerate(sent, start=1):
        writer.add(entry(item, item.request.body, item.response.body))
        assert len(json.loads(path.read_text())["log"]["entries"]) == number
    unheld = observed(3, order(), placed())
    writer.add(entry(unheld, NotHeld("too big"), unheld.response.body))
    writer.close()
    back = read_har(path)
    for original, read in zip(sent, back[:2], strict=True):
        assert read.request == original.request  # a body that is not UTF-8 too (base64)
        assert read.response == original.response
        assert read.started == original.started
        assert read.duration == original.duration
    assert back[2].unchecked == "too big"
    assert not back[2].request_held


def test_the_report_keeps_the_first_violations_and_counts_the_rest(tmp_path: Path) -> None:
    out = io.StringIO()
    monitor = Monitor(CONFORMANCE, about={}, label="t", out=out, report_path=tmp_path / "r.json")
    for number in range(MAX_KEPT + 5):
        monitor.observe(observed(number, order(auth=None), placed()))
    summary = monitor.close()
    report = json.loads((tmp_path / "r.json").read_text())
    # Each exchange: no credentials (the client), yet accepted (the server).
    assert report["by_rule"] == {
        "client request.credentials": MAX_KEPT + 5,
        "server response.refusal": MAX_KEPT + 5,
    }
    assert len(report["violations"]) == MAX_KEPT
    assert report["violations_left_out"] == MAX_KEPT + 10
    assert out.getvalue().count("\n") == 2 * (MAX_KEPT + 5)  # every line, as it happened
    assert f"{MAX_KEPT + 5} exchanges" in summary


def test_a_line_cannot_be_forged_by_the_traffic() -> None:
    out = io.StringIO()
    monitor = Monitor(CONFORMANCE, about={}, label="t", out=out)
    body = {"error_code": "X", "error_messages": ["x"], "correlation_id": "c\n#9 server breaks"}
    monitor.observe(observed(1, order(auth=None), answer(418, body)))
    lines = out.getvalue().splitlines()
    assert all(line.startswith("#1 ") for line in lines)
    assert "c\\x0a#9 server breaks" in out.getvalue()
