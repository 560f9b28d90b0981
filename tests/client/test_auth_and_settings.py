"""Authentication in Kustom's two documented forms, checked at construction, and the settings
read from the environment when the arguments are omitted."""

from __future__ import annotations

import base64

import pytest

from kustom_client import PRODUCTION_BASE_URL, InvalidArgumentError, KustomClient
from kustom_client.auth import Credentials
from tests.client.helpers import KEY_A, OK, USERNAME_A, small_order
from tests.http_doubles import Reply, ScriptedServer


def sent_authorization(server: ScriptedServer, kustom: KustomClient) -> str:
    server.always(Reply(200, OK))
    with kustom:
        kustom.create_order("tok_active", small_order())
    return server.requests[-1].headers["Authorization"]


def test_the_key_alone_is_sent_raw(server: ScriptedServer) -> None:
    """Kustom's primary form: ``Basic <API key>``, not base64."""
    kustom = KustomClient(KEY_A, base_url=server.base_url)
    assert sent_authorization(server, kustom) == "Basic kco_test_api_merchant_a"


def test_with_a_username_it_is_base64_of_username_and_key(server: ScriptedServer) -> None:
    kustom = KustomClient(KEY_A, username=USERNAME_A, base_url=server.base_url)
    expected = base64.b64encode(b"M-TEST-A-4f2c:kco_test_api_merchant_a").decode()
    assert sent_authorization(server, kustom) == f"Basic {expected}"


@pytest.mark.parametrize(
    ("api_key", "username", "field", "problem"),
    [
        ("", None, "api_key", "is empty"),
        ("kco_\u00e9", None, "api_key", "non-ASCII character at position 4"),
        ("kco\r\nX-Evil: 1", None, "api_key", "control character at position 3"),
        ("kco\n", None, "api_key", "control character"),
        ("kco key", None, "api_key", "space or control character at position 3"),
        ("kco\x00", None, "api_key", "control character"),
        (KEY_A, "M-TEST-A\r\n", "username", "control character at position 8"),
        (KEY_A, "M-TÉST-A", "username", "non-ASCII character at position 3"),
        (KEY_A, "M-TEST-A:x", "username", "contains ':'"),
        (7, None, "api_key", "must be a string"),
    ],
)
def test_unsendable_credentials_fail_at_construction(
    api_key: object, username: str | None, field: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem) as raised:
        KustomClient(api_key, username=username)  # type: ignore[arg-type]
    assert isinstance(raised.value, InvalidArgumentError)
    assert raised.value.field == field
    if isinstance(api_key, str) and len(api_key) > 3:
        assert api_key not in str(raised.value)


def test_repr_never_shows_the_key() -> None:
    kustom = KustomClient(KEY_A, username=USERNAME_A)
    assert KEY_A not in repr(kustom)
    assert USERNAME_A in repr(kustom)
    credentials = Credentials(KEY_A, None)
    assert KEY_A not in repr(credentials)
    assert KEY_A not in str(vars(kustom))


def test_environment_fills_what_the_arguments_omit(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUSTOM_API_KEY", KEY_A)
    monkeypatch.setenv("KUSTOM_USERNAME", USERNAME_A)
    monkeypatch.setenv("KUSTOM_BASE_URL", server.base_url + "/")
    kustom = KustomClient()
    assert kustom.base_url == server.base_url
    assert kustom.username == USERNAME_A
    expected = base64.b64encode(f"{USERNAME_A}:{KEY_A}".encode()).decode()
    assert sent_authorization(server, kustom) == f"Basic {expected}"


def test_arguments_win_over_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUSTOM_API_KEY", "kco_from_env")
    monkeypatch.setenv("KUSTOM_USERNAME", "M-ENV-1")
    monkeypatch.setenv("KUSTOM_BASE_URL", "http://127.0.0.1:9")
    kustom = KustomClient("kco_argument", username="", base_url=server.base_url)
    assert kustom.username is None  # username="" asks for the key alone
    assert sent_authorization(server, kustom) == "Basic kco_argument"


def test_defaults_without_environment() -> None:
    kustom = KustomClient(KEY_A)
    assert kustom.base_url == PRODUCTION_BASE_URL
    assert kustom.username is None


@pytest.mark.parametrize("value", [None, ""])
def test_no_key_anywhere(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv("KUSTOM_API_KEY", value)
    with pytest.raises(InvalidArgumentError, match="set KUSTOM_API_KEY"):
        KustomClient()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("api.kustom.co", "needs the scheme http:// or https://"),
        ("localhost:4010", "needs the scheme"),
        ("ftp://api.kustom.co", "needs the scheme"),
        ("https://", "has no host"),
        ("http://127.0.0.1:99999", "is not a URL"),
        ("https://api.kustom.co?x=1", "query or a fragment"),
        ("http://api kustom.co", "space or an escape"),
    ],
)
def test_a_bad_base_url_fails_at_construction_naming_it(url: str, problem: str) -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        KustomClient(KEY_A, base_url=url)
    assert raised.value.field == "base_url"
    assert repr(url) in str(raised.value)
    assert problem in str(raised.value)


def test_a_bad_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUSTOM_BASE_URL", "127.0.0.1:4010")
    with pytest.raises(InvalidArgumentError, match=r"'127\.0\.0\.1:4010' needs the scheme"):
        KustomClient(KEY_A)


def test_credentials_in_the_base_url_are_refused_without_repeating_them() -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        KustomClient(KEY_A, base_url="https://user:hunter2@api.kustom.co")
    assert "hunter2" not in str(raised.value)
    assert "https://***@api.kustom.co" in str(raised.value)


def test_a_base_url_with_a_path_prefix(server: ScriptedServer) -> None:
    server.always(Reply(200, OK))
    with KustomClient(KEY_A, base_url=server.base_url + "/proxy/") as kustom:
        kustom.create_order("tok_active", small_order())
    assert server.requests[0].path == "/proxy/customer-token/v1/tokens/tok_active/order"
