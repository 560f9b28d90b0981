"""Servers that misbehave as real ones sometimes do: they drip their answer a byte at a time,
send a gzip bomb or 50 MB, or answer garbage and JSON nested 100,000 deep. The call ends by its
deadline, reads at most ``max_response_bytes``, and raises only the documented KustomError
subclasses; with the sync and the async client alike.

Time bounds are generous (the deadline plus several seconds) against answers that would take
far longer undisturbed; memory bounds are tracemalloc's peak, far under what the answer
inflates to.
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustom_client import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_JSON_DEPTH,
    APIResponseValidationError,
    APITimeoutError,
    BadRequestError,
    EndpointNotFoundError,
    InternalServerError,
    InvalidArgumentError,
    KustomAPIError,
    KustomClient,
    KustomError,
    ServiceUnavailableError,
)
from kustom_client.reading import parse_json
from tests.client.helpers import KEY_A, OK, TOKEN, operations, outcome, outcomes, small_order
from tests.http_doubles import Reply, ScriptedServer, scripted_server

OK_BYTES = orjson.dumps(OK)
CUSTOMER_TOKEN = {"status": "ACTIVE", "payment_method_type": "CARD"}
DEEP = b"[" * 100_000 + b"]" * 100_000
# Seconds between two dripped bytes: the answers below take 14 s or more to arrive whole.
DRIP = 0.2
# A call that ends before this did not wait for a dripped answer (its body alone, dripped):
# the bound is what the answer takes whole, not a speed, so a busy machine has the room.
DRIPPED_WHOLE = DRIP * len(OK_BYTES)
# tracemalloc's peak during a call against an answer that inflates to 50 or 400 MB.
MEMORY_BOUND = 16 * 1024 * 1024


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = run()
    return result, time.monotonic() - started


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """A single gzip member of 400 MB of zeros (398 KiB), compressed a block at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(400)]
    return b"".join([*parts, compressor.flush()])


KINDS = ["sync", "async"]


# The deadline


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, OK, drip_body=DRIP),
        Reply(200, OK, drip_head=DRIP),
        Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, drip_body=DRIP),
    ],
    ids=["drips its body", "drips its status line and headers", "drips a 503"],
)
def test_a_dripping_server_cannot_hold_a_call_past_its_deadline(
    server: ScriptedServer, kind: str, reply: Reply
) -> None:
    server.always(reply)
    error, elapsed = timed(
        lambda: outcome(kind, server, "create_order", timeout=2, deadline=1.0, max_retries=2)
    )
    assert type(error) is APITimeoutError, repr(error)
    assert "the call's deadline of 1 s passed" in str(error)
    assert elapsed < DRIPPED_WHOLE
    assert len(server.requests) == 1  # no retry once the deadline has passed


@pytest.mark.parametrize("kind", KINDS)
def test_the_deadline_spans_every_attempt(server: ScriptedServer, kind: str) -> None:
    """Each attempt is slow but within its timeout; together they pass the deadline."""
    server.always(Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, {"retry-after-ms": "1"}))
    server.then(*[Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, delay=0.6)] * 2)
    error = outcome(kind, server, "get_token", timeout=5, deadline=1.0, max_retries=5)
    assert isinstance(error, APITimeoutError | ServiceUnavailableError), repr(error)
    assert len(server.requests) < 6  # the retries allowed cut short: the deadline, not a time


def test_a_wait_past_the_deadline_is_not_waited(
    server: ScriptedServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server.always(Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, {"Retry-After": "5"}))
    caplog.set_level("INFO", logger="kustom")
    with KustomClient(KEY_A, base_url=server.base_url, deadline=3) as kustom:
        with pytest.raises(ServiceUnavailableError):
            kustom.get_token(TOKEN)
        assert waits == []
        assert len(server.requests) == 1
        line = caplog.records[-1].getMessage()
        assert "giving up (the call's deadline leaves" in line
        assert "not enough for a 5.00 s wait" in line
        # A later deadline, per call, lets it wait as asked.
        server.then(Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, {"Retry-After": "5"}))
        server.always(Reply(200, CUSTOMER_TOKEN))
        assert kustom.get_token(TOKEN, deadline=30).status == "ACTIVE"
    assert waits == [5.0]


def test_the_sync_client_bounds_reads_through_an_environment_proxy(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy httpx mounts from HTTP_PROXY reads through the deadline too: here the proxy
    itself drips its headers."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    server.always(Reply(200, CUSTOMER_TOKEN, drip_head=DRIP))
    with KustomClient(KEY_A, base_url="http://kustom.invalid", max_retries=0) as kustom:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            kustom.get_token(TOKEN, deadline=1)
        assert time.monotonic() - started < DRIPPED_WHOLE
    assert server.requests[0].path.startswith("http://kustom.invalid/")  # it went by the proxy


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), True, "10"])
def test_a_deadline_must_be_seconds_or_none(server: ScriptedServer, value: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^deadline: "):
        KustomClient(KEY_A, base_url=server.base_url, deadline=value)  # type: ignore[arg-type]
    with (
        KustomClient(KEY_A, base_url=server.base_url) as kustom,
        pytest.raises(InvalidArgumentError, match=r"^deadline: ") as raised,
    ):
        kustom.cancel_token(TOKEN, deadline=value, idempotency_key="k-deadline")  # type: ignore[arg-type]
    assert raised.value.idempotency_key == "k-deadline"
    assert server.requests == []


def test_the_defaults() -> None:
    kustom = KustomClient(KEY_A, base_url="http://kustom.invalid")
    assert (kustom.deadline, DEFAULT_DEADLINE) == (120.0, 120.0)
    assert (kustom.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES) == (1024 * 1024,) * 2
    kustom.close()


# The size cap


def tracemalloc_peak(run: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", ["gzip bomb", "50 MB"])
def test_a_huge_answer_is_refused_within_the_cap(
    server: ScriptedServer, gzip_bomb: bytes, kind: str, body: str
) -> None:
    if body == "gzip bomb":
        server.always(Reply(200, gzip_bomb, {"Content-Encoding": "gzip"}))
    else:
        server.always(Reply(200, b"x" * 65536, repeat=800))
    error, peak = tracemalloc_peak(lambda: outcome(kind, server, "create_order"))
    assert type(error) is APIResponseValidationError, repr(error)
    assert "larger than max_response_bytes (1048576 bytes)" in error.problem
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class", "requests"),
    [
        (503, ServiceUnavailableError, 3),
        (500, InternalServerError, 3),
        (404, EndpointNotFoundError, 1),
    ],
)
def test_a_huge_error_answer_raises_its_status_class(
    server: ScriptedServer,
    waits: list[float],
    gzip_bomb: bytes,
    status: int,
    error_class: type[KustomAPIError],
    requests: int,
) -> None:
    """An error whose body cannot be read is still an error of its status: a 5xx retried."""
    server.always(Reply(status, gzip_bomb, {"Content-Encoding": "gzip"}))
    error, peak = tracemalloc_peak(lambda: outcome("sync", server, "get_token"))
    assert type(error) is error_class, repr(error)
    assert error.error_code is None
    assert len(error.body) <= 2000
    assert len(server.requests) == requests
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("kind", KINDS)
def test_the_cap_is_configurable_and_counts_decoded_bytes(
    server: ScriptedServer, kind: str
) -> None:
    server.always(Reply(200, gzip.compress(OK_BYTES), {"Content-Encoding": "gzip"}))
    created = outcome(kind, server, "create_order", max_response_bytes=len(OK_BYTES))
    assert created.order_id == "o-1"
    error = outcome(kind, server, "create_order", max_response_bytes=len(OK_BYTES) - 1)
    assert type(error) is APIResponseValidationError
    assert f"max_response_bytes ({len(OK_BYTES) - 1} bytes)" in error.problem
    assert {r.headers["Accept-Encoding"] for r in server.requests} == {"gzip, deflate"}


@pytest.mark.parametrize("value", [0, -1, 1.5, True, None])
def test_the_cap_must_be_a_positive_integer(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^max_response_bytes: "):
        KustomClient(KEY_A, base_url="http://kustom.invalid", max_response_bytes=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "encoding", "problem"),
    [
        (zlib.compress(OK_BYTES), "deflate", None),
        (gzip.compress(OK_BYTES), "x-gzip", None),
        (OK_BYTES, "identity", None),
        (OK_BYTES, "br", "Content-Encoding 'br' is not one the client asks for"),
        (gzip.compress(gzip.compress(OK_BYTES)), "gzip, gzip", "is not one the client asks"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\xff" * 32, "gzip", "is corrupt"),
        (gzip.compress(OK_BYTES)[:-12], "gzip", "the compressed body ends early"),
        (gzip.compress(OK_BYTES) * 2, "gzip", "followed by more data"),
    ],
    # Named, not by their bytes: a gzip header holds the time it was made, and every worker of
    # a spread suite (pytest-xdist) must collect the same tests.
    ids=["deflate", "x-gzip", "identity", "br", "gzip twice", "corrupt", "cut", "trailing"],
)
def test_content_encodings(
    server: ScriptedServer, body: bytes, encoding: str, problem: str | None
) -> None:
    server.always(Reply(200, body, {"Content-Encoding": encoding}))
    result = outcome("sync", server, "create_order")
    if problem is None:
        assert result.order_id == "o-1"
    else:
        assert type(result) is APIResponseValidationError
        assert problem in result.problem


# Parse failures


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", ["create_order", "get_token", "cancel_token"])
@pytest.mark.parametrize(
    ("status", "error_class"),
    [(200, APIResponseValidationError), (400, BadRequestError), (404, EndpointNotFoundError)],
)
def test_nesting_too_deep_is_a_documented_error(
    server: ScriptedServer,
    waits: list[float],
    kind: str,
    operation: str,
    status: int,
    error_class: type[KustomAPIError],
) -> None:
    server.always(Reply(status, DEEP))
    error = outcome(kind, server, operation)
    assert type(error) is error_class, repr(error)
    if status == 200 and operation != "cancel_token":  # a cancel expects 202
        assert isinstance(error, APIResponseValidationError)
        assert "not readable JSON (depth limit exceeded" in error.problem
    assert error.body == DEEP[:2000].decode()
    str(error), repr(error), repr(vars(error))  # none raises RecursionError


def test_a_deep_but_parseable_error_body_is_read(server: ScriptedServer) -> None:
    """1000 levels is within orjson's limit, but past what repr() can show: refused as well."""
    nested = "[" * 1000 + "]" * 1000
    server.always(
        Reply(400, f'{{"error_code": "BAD_VALUE", "error_messages": [{nested}]}}'.encode())
    )
    error = outcome("sync", server, "create_order")
    assert type(error) is BadRequestError
    assert error.error_code is None  # the body could not be read
    str(error), repr(error), repr(vars(error))


def test_json_as_deep_as_the_client_reads() -> None:
    deepest = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(deepest.encode()) is not None
    deeper = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(ValueError, match="nests deeper than 254 levels"):
        parse_json(deeper.encode())
    with pytest.raises(ValueError, match="nests deeper"):
        parse_json(b'{"a": ' * 300 + b"1" + b"}" * 300)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (["o-1"], "TypeError: the body is a list, not an object"),
        ({"order_id": "o-1", "redirect_url": "x"}, "KeyError: 'fraud_status'"),
        (OK | {"order_id": 5}, "TypeError: order_id is of type int"),
        (OK | {"redirect_url": None}, "TypeError: redirect_url is of type NoneType"),
        (
            OK | {"authorized_payment_method": {"type": "INVOICE", "number_of_days": "14"}},
            "TypeError: authorized_payment_method.number_of_days is of type str",
        ),
    ],
)
def test_a_success_of_another_shape_is_refused(
    server: ScriptedServer, body: Any, problem: str
) -> None:
    server.always(Reply(200, body))
    error = outcome("sync", server, "create_order")
    assert type(error) is APIResponseValidationError
    assert error.problem == problem


def test_a_value_the_client_does_not_know_yet_is_kept(server: ScriptedServer) -> None:
    server.always(Reply(200, OK | {"fraud_status": "REVIEW"}))
    assert outcome("sync", server, "create_order").fraud_status == "REVIEW"


GARBAGE = [
    b"",
    b"<html>502 Bad Gateway</html>",
    b"\xff\xfe{\x00}\x00",  # not UTF-8
    b'{"order_id": "o-1"',  # cut short
    b"NaN",
    b'"just a string"',
    b"[1, 2, 3]",
    b'{"error_code": 7, "error_messages": {"not": "a list"}, "correlation_id": []}',
    b'{"order_id": 5, "redirect_url": null, "fraud_status": "MAYBE"}',
    b'{"status": 3, "payment_method_type": ["CARD"]}',
    b'{"order_id": "o-1", "redirect_url": "x", "fraud_status": "ACCEPTED", "extra": 1e999}',
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (200, APIResponseValidationError),
        (400, BadRequestError),
        (502, InternalServerError),
        (503, ServiceUnavailableError),
    ],
)
def test_garbage_raises_the_documented_class(
    server: ScriptedServer,
    waits: list[float],
    kind: str,
    body: bytes,
    status: int,
    error_class: type[KustomAPIError],
) -> None:
    server.always(Reply(status, body))
    for error in outcomes(kind, server, ["create_order", "get_token"]):
        assert type(error) is error_class, repr(error)
        str(error), repr(error), repr(vars(error))


STATUSES = st.sampled_from([200, 202, 400, 401, 403, 404, 409, 418, 429, 500, 503])


@pytest.fixture(scope="module")
def shared_client() -> Iterator[tuple[ScriptedServer, KustomClient]]:
    with (
        scripted_server() as running,
        KustomClient(KEY_A, base_url=running.base_url, max_retries=0) as kustom,
    ):
        yield running, kustom


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=STATUSES,
    body=st.binary(max_size=64)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["error_code", "error_messages", "order_id", "status", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=10,
    ).map(lambda value: json.dumps(value).encode()),  # NaN and integers past 64 bits too
    operation=st.sampled_from(["create_order", "get_token", "cancel_token"]),
)
def test_whatever_the_server_answers_only_documented_errors(
    shared_client: tuple[ScriptedServer, KustomClient], status: int, body: bytes, operation: str
) -> None:
    server, kustom = shared_client
    server.always(Reply(status, body))
    try:
        result = operations(kustom)[operation]()
    except Exception as error:
        result = error
    if isinstance(result, BaseException):
        assert isinstance(result, KustomError), repr(result)
        assert type(result).__module__ == "kustom_client.errors"
        str(result), repr(result), repr(vars(result))
        if status // 100 == 2:
            assert type(result) is APIResponseValidationError
        else:
            assert isinstance(result, KustomAPIError)
            assert result.status_code == status
    else:
        assert status == {"cancel_token": 202}.get(operation, 200)


def test_an_http_client_passed_in_is_bounded_between_chunks(server: ScriptedServer) -> None:
    """With your own httpx.Client the deadline is checked between chunks of the body (its
    headers are bounded by your client's timeouts: docs/client.md)."""
    server.always(Reply(200, OK, drip_body=DRIP))
    with KustomClient(
        KEY_A, base_url=server.base_url, http_client=httpx.Client(timeout=2), max_retries=0
    ) as kustom:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="deadline of 1 s passed"):
            kustom.create_order(TOKEN, small_order(), deadline=1)
        assert time.monotonic() - started < DRIPPED_WHOLE
