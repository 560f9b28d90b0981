"""No secret reaches an exception or a log line; the ``kustom`` logger says what each attempt
got and what the client does next, and is silent unless asked (KUSTOM_LOG)."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from kustom_client import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncKustomClient,
    AuthenticationError,
    KustomClient,
    KustomError,
    NotFoundError,
    configure_logging,
)
from kustom_redact import Masker
from kustom_spec import REPO_ROOT
from tests.client.helpers import KEY_A, OK, USERNAME_A, small_order
from tests.http_doubles import Reply, ScriptedServer

TOKEN = "tok_secret_4711"
PAIR = base64.b64encode(f"{USERNAME_A}:{KEY_A}".encode()).decode()
SECRETS = (KEY_A, PAIR, TOKEN)


def chain(error: BaseException) -> Iterator[BaseException]:
    """The exception and everything reachable through __cause__ and __context__."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        yield current
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


def assert_nothing_secret(error: KustomError) -> None:
    for link in chain(error):
        assert not isinstance(link, httpx.HTTPError), "an httpx error (it holds the request)"
        for value in vars(link).values():
            assert not isinstance(value, httpx.Request | httpx.Response)
    text = "".join(traceback.format_exception(error)) + repr(error) + repr(vars(error))
    for secret in (KEY_A, PAIR):
        assert secret not in text


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def raise_from(kustom: KustomClient) -> KustomError:
    with pytest.raises(KustomError) as raised:
        kustom.create_order(TOKEN, small_order(), max_retries=1)
    return raised.value


def test_connection_errors_keep_no_request(waits: list[float]) -> None:
    with KustomClient(
        KEY_A, username=USERNAME_A, base_url=f"http://127.0.0.1:{unused_port()}"
    ) as kustom:
        error = raise_from(kustom)
    assert isinstance(error, APIConnectionError)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert TOKEN not in str(error)
    assert_nothing_secret(error)


def test_timeouts_keep_no_request(server: ScriptedServer, waits: list[float]) -> None:
    server.always(Reply(200, OK, delay=0.3))
    with KustomClient(KEY_A, username=USERNAME_A, base_url=server.base_url, timeout=0.05) as kustom:
        error = raise_from(kustom)
    assert isinstance(error, APITimeoutError)
    assert_nothing_secret(error)


@pytest.mark.parametrize(
    ("reply", "error_class"),
    [
        (
            Reply(401, {"error_code": "UNAUTHORIZED", "error_messages": ["Invalid credentials"]}),
            AuthenticationError,
        ),
        (Reply(200, b"not json"), APIResponseValidationError),
    ],
)
def test_answers_keep_no_request(
    server: ScriptedServer, reply: Reply, error_class: type[KustomError]
) -> None:
    server.always(reply)
    with KustomClient(KEY_A, username=USERNAME_A, base_url=server.base_url) as kustom:
        error = raise_from(kustom)
    assert isinstance(error, error_class)
    assert_nothing_secret(error)


def test_a_raw_key_never_shows_either(server: ScriptedServer) -> None:
    server.always(Reply(401, {"error_code": "UNAUTHORIZED", "error_messages": ["no"]}))
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        error = raise_from(kustom)
    assert KEY_A not in "".join(traceback.format_exception(error)) + repr(vars(error))


def test_log_lines_per_attempt(
    server: ScriptedServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server.then(
        Reply(
            503,
            {"error_code": "SERVICE_UNAVAILABLE", "error_messages": ["x"]},
            {"Retry-After": "2"},
        ),
        Reply(drop=True),
    )
    server.always(Reply(200, OK))
    caplog.set_level(logging.INFO, logger="kustom")
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        kustom.create_order(TOKEN, small_order(), idempotency_key="k-log")
    lines = [r.getMessage() for r in caplog.records if r.name == "kustom"]
    path = "POST /customer-token/v1/tokens/***/order"
    assert lines == [
        f"{path} attempt 1 of 3: 503 SERVICE_UNAVAILABLE; retrying in 2.00 s "
        "(status 503, as the server asked)",
        f"{path} attempt 2 of 3: RemoteProtocolError; retrying in {waits[1]:.2f} s "
        "(RemoteProtocolError)",
        f"{path} attempt 3 of 3: 200; done",
    ]


def test_log_lines_when_giving_up(
    server: ScriptedServer, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server.then(Reply(409, {"error_code": "IDEMPOTENCY_KEY_CONFLICT"}))
    server.always(Reply(429, {"error_code": "RATE_LIMITED"}, {"Retry-After": "3600"}))
    caplog.set_level(logging.INFO, logger="kustom")
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        for _ in range(2):
            with pytest.raises(KustomError):
                kustom.create_order(TOKEN, small_order())
    lines = [r.getMessage().split(": ", 1)[1] for r in caplog.records if r.name == "kustom"]
    assert lines == [
        "409 IDEMPOTENCY_KEY_CONFLICT; giving up (status 409 is not retried)",
        "429 RATE_LIMITED; giving up (the server asked to wait 3600 s, more than the 60 s maximum)",
    ]


def test_debug_adds_a_line_before_each_attempt(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.always(Reply(200, OK))
    caplog.set_level(logging.DEBUG, logger="kustom")
    with KustomClient(KEY_A, username=USERNAME_A, base_url=server.base_url) as kustom:
        kustom.create_order(TOKEN, small_order(), idempotency_key="k-debug")
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("attempt 1 of 3: sending" in m and "idempotency key k-debug" in m for m in debug)
    everything = "\n".join(r.getMessage() for r in caplog.records if r.name == "kustom")
    for secret in SECRETS:
        assert secret not in everything


def test_httpx_request_line_masks_the_token(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.always(Reply(200, OK))
    caplog.set_level(logging.INFO, logger="httpx")
    with KustomClient(KEY_A, base_url=server.base_url) as kustom:
        kustom.create_order(TOKEN, small_order())
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    masked = f"/customer-token/v1/tokens/{Masker().mask(TOKEN)}/order"
    assert any(masked in line for line in lines), lines
    assert not any(TOKEN in line for line in lines)


def test_configure_logging_levels() -> None:
    kustom_logger = logging.getLogger("kustom")
    try:
        configure_logging({"KUSTOM_LOG": "debug"})
        assert kustom_logger.level == logging.DEBUG
        configure_logging({"KUSTOM_LOG": "INFO"})
        assert kustom_logger.level == logging.INFO
        assert len(kustom_logger.handlers) == 1  # not one more per call
        configure_logging({"KUSTOM_LOG": "verbose"})
        assert kustom_logger.level == logging.NOTSET
        assert kustom_logger.handlers == []
    finally:
        configure_logging({})


def test_without_kustom_log_the_applications_settings_stay() -> None:
    kustom_logger = logging.getLogger("kustom")
    kustom_logger.setLevel(logging.INFO)
    try:
        configure_logging({})
        assert kustom_logger.level == logging.INFO
        assert kustom_logger.propagate
    finally:
        kustom_logger.setLevel(logging.NOTSET)


SCRIPT = textwrap.dedent(
    """
    import kustom_client
    from kustom_client import KustomClient, build_order, build_order_line
    order = build_order([build_order_line("Shoe", quantity=1, unit_price=100)],
                        purchase_currency="EUR")
    with KustomClient() as kustom:
        kustom.create_order("tok_secret_4711", order)
    """
)


def run_client_process(server: ScriptedServer, **env: str) -> str:
    server.then(Reply(503, {"error_code": "SERVICE_UNAVAILABLE"}, {"retry-after-ms": "10"}))
    server.always(Reply(200, OK))
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "KUSTOM_BASE_URL": server.base_url,
        "KUSTOM_API_KEY": KEY_A,
        **env,
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", SCRIPT],
        env=environment,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,  # the script prints nothing; its log goes to stderr
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr


def test_silent_by_default(server: ScriptedServer) -> None:
    assert run_client_process(server) == ""


@pytest.mark.parametrize("level", ["info", "debug"])
def test_kustom_log_turns_it_on(server: ScriptedServer, level: str) -> None:
    stderr = run_client_process(server, KUSTOM_LOG=level)
    lines = stderr.splitlines()
    assert any("kustom INFO" in line and "attempt 1 of 3: 503" in line for line in lines)
    assert any("attempt 2 of 3: 200; done" in line for line in lines)
    assert any("kustom DEBUG" in line for line in lines) is (level == "debug")
    assert TOKEN not in stderr
    assert KEY_A not in stderr


# Servers that repeat what they were sent: the path (with the token), the headers (with the
# Authorization header) and the correlation id. A token with characters the path encodes.
ECHOED_TOKEN = "tok_echo/é 4711"
ALL_SECRETS = (
    KEY_A,
    PAIR,
    f"Basic {KEY_A}",
    f"Basic {PAIR}",
    ECHOED_TOKEN,
    quote(ECHOED_TOKEN, safe=""),
    TOKEN,
)


def shown(*things: Any) -> str:
    """What a caller may see of each: str, repr, its attributes, a traceback."""
    parts: list[str] = []
    for thing in things:
        parts += [str(thing), repr(thing), repr(getattr(thing, "__dict__", ""))]
        if isinstance(thing, BaseException):
            parts.append("".join(traceback.format_exception(thing)))
    return "\n".join(parts)


def assert_no_secret(text: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in text, f"{secret!r} shown"


def run_operations(kind: str, server: ScriptedServer, username: str | None) -> list[Any]:
    """Each operation once with ECHOED_TOKEN; its result or its error."""
    found: list[Any] = []
    names = ("create_order", "get_token", "cancel_token")

    def operation(kustom: Any, name: str) -> Any:
        if name == "create_order":
            return kustom.create_order(ECHOED_TOKEN, small_order())
        return getattr(kustom, name)(ECHOED_TOKEN)

    options: dict[str, Any] = {"username": username, "base_url": server.base_url}
    if kind == "sync":
        with KustomClient(KEY_A, **options) as kustom:
            found.append(kustom)
            for name in names:
                try:
                    found.append(operation(kustom, name))
                except KustomError as error:
                    found.append(error)
        return found

    async def scenario() -> None:
        async with AsyncKustomClient(KEY_A, **options) as kustom:
            found.append(kustom)
            for name in names:
                try:
                    found.append(await operation(kustom, name))
                except KustomError as error:
                    found.append(error)

    asyncio.run(scenario())
    return found


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("username", [None, USERNAME_A])
def test_what_an_echoing_server_repeats_is_masked(
    server: ScriptedServer,
    waits: list[float],
    caplog: pytest.LogCaptureFixture,
    kind: str,
    username: str | None,
) -> None:
    server.always(Reply(404, echo=True, headers={"Klarna-Correlation-Id": ECHOED_TOKEN}))
    caplog.set_level(logging.DEBUG)  # the kustom logger, httpx's and httpcore's trace
    client, *errors = run_operations(kind, server, username)
    assert len(errors) == 3
    assert all(type(error) is NotFoundError for error in errors)
    assert_no_secret(shown(client, *errors))
    assert_no_secret("\n".join(record.getMessage() for record in caplog.records))
    assert any("httpcore" in record.name for record in caplog.records)  # it was on
    # Masked where they were, not dropped: the rest of the server's words stay.
    mask = Masker().mask(ECHOED_TOKEN)
    first = errors[0]
    assert first.error_messages[0] == f"POST /customer-token/v1/tokens/{mask}/order"
    assert "Authorization: Basic ***" in first.error_messages
    assert first.correlation_id == f"/customer-token/v1/tokens/{mask}/order"
    assert mask in str(first)
    sent = {request.headers["Authorization"] for request in server.requests}
    assert sent == {f"Basic {PAIR}" if username else f"Basic {KEY_A}"}  # sent whole, shown masked


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, OK, {"Klarna-Correlation-Id": f"c-{ECHOED_TOKEN}"}),
        Reply(200, OK | {"order_id": 5, "note": f"Basic {PAIR}"}),
        Reply(200, f"<html>{KEY_A} {ECHOED_TOKEN}</html>".encode()),
        Reply(500, f"<html>{PAIR}</html>".encode()),
        Reply(200, OK | {"fraud_status": 7, "echo": f"/tokens/{quote(ECHOED_TOKEN, safe='')}"}),
    ],
)
def test_results_and_unreadable_answers_show_no_secret(
    server: ScriptedServer, waits: list[float], reply: Reply
) -> None:
    server.always(reply)
    with KustomClient(KEY_A, username=USERNAME_A, base_url=server.base_url) as kustom:
        try:
            outcome: Any = kustom.create_order(ECHOED_TOKEN, small_order())
        except KustomError as error:
            outcome = error
        assert_no_secret(shown(kustom, outcome))
