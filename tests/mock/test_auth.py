"""HTTP Basic in both of Kustom's forms; everything else is a 401 with a challenge."""

from __future__ import annotations

import base64

import pytest

from tests.mock.helpers import PATH, CheckedClient, order

KEY_A = "kco_test_api_merchant_a"


def with_header(client: CheckedClient, value: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if value is not None:
        headers["Authorization"] = value
    response = client.post(PATH.format("tok_active"), json=order(), headers=headers)
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
        assert response.json()["error_code"] == "UNAUTHORIZED"
    return response.status_code


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "credentials",
    [("M-TEST-A", KEY_A), (KEY_A, ""), ("", KEY_A)],
    ids=["username-and-key", "key-as-username", "key-as-password"],
)
def test_both_documented_forms_are_accepted(
    client: CheckedClient, credentials: tuple[str, str]
) -> None:
    assert with_header(client, basic(*credentials)) == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer kco_test_api_merchant_a",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        basic("M-TEST-A", "wrong"),
        basic("M-TEST-B", KEY_A),
        basic("M-TEST-A", "kco_test_api_merchant_b"),
        basic("", ""),
        basic("M-TEST-A", ""),
    ],
    ids=[
        "missing",
        "empty",
        "bearer",
        "no-credentials",
        "bad-base64",
        "no-colon",
        "not-utf8",
        "wrong-key",
        "other-merchants-username",
        "other-merchants-key",
        "empty-both",
        "username-only",
    ],
)
def test_missing_malformed_or_wrong_credentials_are_401(
    client: CheckedClient, header: str | None
) -> None:
    assert with_header(client, header) == 401


def test_auth_is_checked_before_the_body(client: CheckedClient) -> None:
    response = client.post(
        PATH.format("tok_active"), content=b"{", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 401


def test_a_401_never_echoes_the_credentials(client: CheckedClient) -> None:
    response = client.post(
        PATH.format("tok_active"),
        json=order(),
        headers={"Authorization": basic("M-TEST-A", "s3cr3t-guess")},
    )
    assert response.status_code == 401
    assert "s3cr3t-guess" not in response.text
