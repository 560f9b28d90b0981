"""HTTP Basic in exactly Kustom's two documented forms; everything else is a 401 that names
them, with a challenge."""

from __future__ import annotations

import base64

import pytest

from tests.mock.helpers import KEY_A, PATH, TOKEN_PATH, CheckedClient, order


def with_header(client: CheckedClient, value: str | bytes | None, *, read: bool = False) -> int:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if value is not None:
        headers["Authorization"] = value
    if read:
        response = client.get(TOKEN_PATH.format("tok_active"), headers=headers)
    else:
        response = client.post(PATH.format("tok_active"), json=order(), headers=headers)
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
        body = response.json()
        assert body["error_code"] == "UNAUTHORIZED"
        # The message names both accepted forms.
        assert "Basic <API key>" in body["error_messages"][0]
        assert "base64(<username>:<API key>)" in body["error_messages"][0]
    return response.status_code


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "header",
    [f"Basic {KEY_A}", f"basic   {KEY_A} ", basic("M-TEST-A-4f2c", KEY_A)],
    ids=["raw-key", "raw-key-spacing", "username-and-key"],
)
@pytest.mark.parametrize("read", [False, True], ids=["order", "read"])
def test_both_documented_forms_are_accepted(client: CheckedClient, header: str, read: bool) -> None:
    assert with_header(client, header, read=read) == (200)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer kco_test_api_merchant_a",
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(KEY_A.encode()).decode(),
        basic(KEY_A, ""),
        basic("", KEY_A),
        basic("M-TEST-A", KEY_A),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        basic("M-TEST-A-4f2c", "wrong"),
        basic("M-TEST-B-9d1e", KEY_A),
        basic("M-TEST-A-4f2c", "kco_test_api_merchant_b"),
        "Basic kco_test_api_merchant_x",
        basic("", ""),
        "Basic é".encode(),
        f"Basic {KEY_A}é".encode(),
    ],
    ids=[
        "missing",
        "empty",
        "bearer",
        "no-credentials",
        "bad-base64",
        "base64-of-the-key-alone",
        "key-as-username",
        "key-as-password",
        "mid-instead-of-username",
        "not-utf8",
        "wrong-key",
        "other-merchants-username",
        "other-merchants-key",
        "unknown-raw-key",
        "empty-both",
        "non-ascii",
        "key-with-non-ascii",
    ],
)
def test_undocumented_malformed_or_wrong_credentials_are_401(
    client: CheckedClient, header: str | bytes | None
) -> None:
    assert with_header(client, header) == 401


def test_auth_is_checked_before_the_body(client: CheckedClient) -> None:
    response = client.post(
        PATH.format("tok_active"), content=b"{", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 401


def test_a_401_never_echoes_the_credentials(client: CheckedClient) -> None:
    for header in (basic("M-TEST-A-4f2c", "s3cr3t-guess"), "Basic s3cr3t-guess"):
        response = client.post(
            PATH.format("tok_active"), json=order(), headers={"Authorization": header}
        )
        assert response.status_code == 401
        assert "s3cr3t-guess" not in response.text
