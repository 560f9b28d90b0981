"""--rate-limit N: N requests per second per merchant and operation, then 429 with Klarna's
X-Ratelimit-* headers and Retry-After; off by default."""

from __future__ import annotations

import pytest

from kustom_mock import MockConfig, create_app
from kustom_mock.errors import ApiError
from kustom_mock.ratelimit import RateLimiter
from kustom_spec import read_names
from tests.mock.helpers import AUTH_B, SPEC, checked_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.25

    def __call__(self) -> float:
        return self.now


def test_off_by_default_and_no_headers() -> None:
    for client in checked_client(create_app()):
        responses = [client.read("tok_active") for _ in range(30)]
        assert {r.status_code for r in responses} == {200}
        assert "X-Ratelimit-Limit" not in responses[0].headers


def test_the_limit_per_merchant_and_operation() -> None:
    app = create_app(MockConfig(rate_limit=3))
    for client in checked_client(app):
        reads = [client.read("tok_active") for _ in range(4)]
        assert [r.status_code for r in reads[:3]] == [200, 200, 200]
        assert [r.headers["X-Ratelimit-Remaining"] for r in reads[:3]] == ["2", "1", "0"]
        assert reads[0].headers["X-Ratelimit-Limit"] == "3, 3;w=1"
        limited = reads[3]
        if limited.status_code == 200:  # the one-second window turned over in between
            return
        assert limited.status_code == 429
        body = limited.json()
        assert body["error_code"] == "RATE_LIMITED"
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["X-Ratelimit-Remaining"] == "0"
        assert limited.headers["X-Ratelimit-Reset"] == limited.headers["Retry-After"]
        # Another operation and another merchant have quotas of their own.
        assert client.create().status_code == 200
        assert client.read("tok_merchant_b", auth=AUTH_B).status_code == 200


def test_errors_carry_the_headers_too_and_unauthenticated_requests_do_not_count() -> None:
    app = create_app(MockConfig(rate_limit=2))
    for client in checked_client(app):
        assert client.read("tok_active", auth=None).status_code == 401
        bad = client.read("tok_unknown")
        assert bad.status_code == 404
        assert bad.headers["X-Ratelimit-Remaining"] == "1"


def test_windows_turn_over_each_second() -> None:
    clock = Clock()
    limiter = RateLimiter(2, read_names(SPEC), clock=clock)
    assert limiter.admit("M", "op")["X-Ratelimit-Remaining"] == "1"
    assert limiter.admit("M", "op")["X-Ratelimit-Remaining"] == "0"
    with pytest.raises(ApiError) as limited:
        limiter.admit("M", "op")
    assert limited.value.status == 429
    assert limited.value.headers["Retry-After"] == "1"
    clock.now += 1.0
    assert limiter.admit("M", "op")["X-Ratelimit-Remaining"] == "1"
