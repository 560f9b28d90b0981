"""What create_app builds from its arguments: the behaviour it was given, and the names of the
spec it was given; the configuration scripts/mock's flags describe."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kustom_mock import Behaviour, MockApp, MockConfig, ServerConfig, StoreConfig, create_app
from kustom_mock.cli import DB_VARIABLE, TEMPORARY_DB, parse_config, server_for
from kustom_mock.limits import ServerLimits
from kustom_mock.protocol import protocol_error_response
from kustom_spec import DEFAULT_SPEC_PATH, SpecNamesError, load_spec, read_names
from tests.mock.helpers import AUTH_A, FULL_ORDER, PATH


class FalsyBehaviour(Behaviour):
    """A Behaviour that is false in a boolean context (a container-like subclass, say)."""

    def __len__(self) -> int:
        return 0


def test_a_falsy_behaviour_is_kept_not_replaced_by_the_default() -> None:
    behaviour = FalsyBehaviour()
    app = create_app(behaviour=behaviour)
    try:
        assert app.behaviour is behaviour
    finally:
        app.store.close()


def test_the_flags_defaults_are_the_configs_but_for_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DB_VARIABLE, raising=False)
    assert parse_config([]) == MockConfig(store=StoreConfig(TEMPORARY_DB))
    monkeypatch.setenv(DB_VARIABLE, "state/mine.sqlite3")
    assert parse_config([]) == MockConfig(store=StoreConfig("state/mine.sqlite3"))
    assert parse_config(["--db", "other.sqlite3"]).store.db == "other.sqlite3"


def test_each_flag_sets_its_field() -> None:
    argv = [
        "--host", "::1", "--port", "0", "--db", "m.sqlite3", "--fixtures", "f.yaml",
        "--spec", "s.yaml", "--reset", "--retention-hours", "0.5", "--rate-limit", "7",
        "--fsync", "--store-timeout", "2.5", "--workers", "3", "--log-level", "debug", "--max-url-bytes", "100",
        "--max-header-bytes", "2048", "--max-headers", "9", "--header-timeout", "1.5",
        "--body-timeout", "2", "--keep-alive-timeout", "3", "--max-connections", "40",
    ]  # fmt: skip
    assert parse_config(argv) == MockConfig(
        spec=Path("s.yaml"),
        fixtures=Path("f.yaml"),
        rate_limit=7,
        store=StoreConfig(
            "m.sqlite3", fsync=True, reset=True, retention_seconds=1800, timeout_seconds=2.5
        ),
        server=ServerConfig(
            host="::1",
            port=0,
            workers=3,
            log_level="debug",
            limits=ServerLimits(
                max_url_bytes=100,
                max_header_bytes=2048,
                max_headers=9,
                header_timeout=1.5,
                body_timeout=2.0,
                keep_alive_timeout=3.0,
                max_connections=40,
            ),
        ),
    )


RENAMED = {
    "Klarna-Idempotency-Key": "X-Request-Key",
    "Idempotent-Replayed": "X-Replayed",
    "Klarna-Correlation-Id": "X-Trace-Id",
    "X-Ratelimit-Limit": "X-Quota-Limit",
}


def renamed_spec(tmp_path: Path) -> Path:
    """openapi.yaml with its header names spelt otherwise (as another vendor's might be)."""
    text = DEFAULT_SPEC_PATH.read_text(encoding="utf-8")
    for old, new in RENAMED.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "renamed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def send(
    app: MockApp, requests: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]]
) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", auth=AUTH_A
        ) as client:
            return [
                await client.request(method, url, json=body, headers=headers)
                for method, url, body, headers in requests
            ]

    return asyncio.run(run())


def test_header_names_come_from_the_apps_own_spec(tmp_path: Path) -> None:
    """--spec with other header names: idempotency, replay, correlation and rate-limit headers
    under those names (they were read from the bundled openapi.yaml: no idempotency at all)."""
    app = create_app(MockConfig(spec=renamed_spec(tmp_path), rate_limit=100))
    try:
        key = {"X-Request-Key": "k-renamed"}
        url = PATH.format("tok_active")
        first, again, twice, unknown = send(
            app,
            [
                ("POST", url, FULL_ORDER, key),
                ("POST", url, FULL_ORDER, key),
                ("POST", url, FULL_ORDER, {"X-Request-Key": "a", "x-request-key": "b"}),
                ("GET", "/nowhere", None, {}),
            ],
        )
        assert first.status_code == 200
        assert again.content == first.content
        assert again.headers["X-Replayed"] == "true"
        assert "Idempotent-Replayed" not in again.headers
        assert len(app.store.orders()) == 1
        assert first.headers["X-Quota-Limit"].startswith("100")
        assert twice.status_code == 400  # the key's header may be sent once only
        assert "x-request-key is repeated" in twice.text
        assert unknown.json()["correlation_id"] == unknown.headers["X-Trace-Id"]
        assert "Klarna-Correlation-Id" not in unknown.headers
    finally:
        app.store.close()


def test_the_protocols_own_answers_use_the_apps_correlation_header(tmp_path: Path) -> None:
    app = create_app(MockConfig(spec=renamed_spec(tmp_path)))
    try:
        server = server_for(app, ServerConfig())
        assert server.correlation_header == "X-Trace-Id"
    finally:
        app.store.close()
    answer = protocol_error_response("Malformed HTTP request", 400, "X-Trace-Id")
    assert b"\r\nx-trace-id: " in answer


def spec_without(tmp_path: Path, *pointer: str) -> Path:
    document = yaml.safe_load(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    node = document
    for part in pointer[:-1]:
        node = node[part]
    del node[pointer[-1]]
    path = tmp_path / "lacking.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("pointer", "named"),
    [
        (("components", "parameters", "IdempotencyKey", "name"), "IdempotencyKey/name"),
        (("components", "securitySchemes"), "securitySchemes/merchantAuth/x-auth-scheme"),
        (("components", "securitySchemes", "merchantAuth"), "merchantAuth/x-auth-scheme"),
    ],
)
def test_a_spec_without_a_name_is_a_clear_error(
    tmp_path: Path, pointer: tuple[str, ...], named: str
) -> None:
    path = spec_without(tmp_path, *pointer)
    with pytest.raises(SpecNamesError, match=f"lacking.yaml: no #/.*{named}"):
        read_names(load_spec(path))
    with pytest.raises(ValueError, match=named):
        create_app(MockConfig(spec=path))
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "kustom_mock",
            "--port",
            "0",
            "--db",
            ":memory:",
            "--spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert named in lines[0]
