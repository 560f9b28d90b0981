"""The run's configuration (kustom_contract.config and .target): a target is refused unless its
variables hold together, a live one needs consent, a server other than the mock is
rate-limited by default, cancelling needs both variables; and through pytest, a refused
target, a bad budget or a mock command beside a base URL stop the run before any request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kustom_contract import mock_command
from kustom_contract.errors import TargetError
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV, quick_run
from kustom_contract.redaction import run_secrets
from kustom_contract.target import target_from_env


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **MOCK_AS_LIVE_ENV},
            "KUSTOM_LIVE=1",
        ),
        ({"KUSTOM_BASE_URL": "http://127.0.0.1:4010"}, "KUSTOM_API_KEY and KUSTOM_CUSTOMER_TOKEN"),
        ({"KUSTOM_BASE_URL": "ftp://127.0.0.1", **MOCK_AS_LIVE_ENV}, "not an http(s) URL"),
        (
            {
                "KUSTOM_BASE_URL": "http://127.0.0.1:4010",
                **MOCK_AS_LIVE_ENV,
                "KUSTOM_ALLOW_CANCEL": "1",
            },
            "KUSTOM_ALLOW_CANCEL=1 and KUSTOM_CANCEL_TOKEN",
        ),
        (
            {
                "KUSTOM_BASE_URL": "http://127.0.0.1:4010",
                **MOCK_AS_LIVE_ENV,
                "KUSTOM_CANCEL_TOKEN": "t",
            },
            "KUSTOM_ALLOW_CANCEL=1 and KUSTOM_CANCEL_TOKEN",
        ),
        (
            {
                "KUSTOM_BASE_URL": "http://127.0.0.1:4010",
                **MOCK_AS_LIVE_ENV,
                "KUSTOM_RATE_LIMIT": "fast",
            },
            "KUSTOM_RATE_LIMIT must be like 10/s",
        ),
    ],
)
def test_bad_targets_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(TargetError, match=re.escape(message)):
        target_from_env(env)


def test_live_target_with_consent() -> None:
    target = target_from_env(
        {
            "KUSTOM_BASE_URL": "https://api.playground.kustom.co/",
            "KUSTOM_LIVE": "1",
            **MOCK_AS_LIVE_ENV,
        }
    )
    assert target.base_url == "https://api.playground.kustom.co"
    assert target.approving_tokens == ("tok_active",)
    assert "kco_test_api_merchant_a" not in repr(target)
    assert not target.is_local  # so the run's session keeps the environment's proxies
    assert target.rate_limit == "10/s"  # off this machine: the default limit
    assert not target.can_cancel  # cancelling burns a real token: off unless asked for


def test_a_server_off_this_machine_is_rate_limited_by_default_a_loopback_one_when_asked() -> None:
    live = {"KUSTOM_BASE_URL": "https://api.playground.kustom.co", "KUSTOM_LIVE": "1"}
    assert target_from_env({**live, **MOCK_AS_LIVE_ENV}).rate_limit == "10/s"
    assert (
        target_from_env({**live, **MOCK_AS_LIVE_ENV, "KUSTOM_RATE_LIMIT": "off"}).rate_limit is None
    )
    assert target_from_env({}).rate_limit is None  # the spawned mock is not
    for host in ("127.0.0.1:4010", "localhost:4010", "[::1]:4010"):
        loopback = {"KUSTOM_BASE_URL": f"http://{host}", **MOCK_AS_LIVE_ENV}
        assert target_from_env(loopback).rate_limit is None, host
        asked = target_from_env({**loopback, "KUSTOM_RATE_LIMIT": "300/m"})
        assert asked.rate_limit == "300/m"


def test_cancelling_a_live_token_needs_both_variables() -> None:
    target = target_from_env(
        {
            "KUSTOM_BASE_URL": "http://127.0.0.1:4010",
            **MOCK_AS_LIVE_ENV,
            "KUSTOM_ALLOW_CANCEL": "1",
            "KUSTOM_CANCEL_TOKEN": "tok_to_burn",
        }
    )
    assert target.can_cancel
    assert target.cancel_token == "tok_to_burn"
    assert "tok_to_burn" not in repr(target)


def test_default_target_is_the_mock() -> None:
    target = target_from_env({})
    assert target.is_mock
    assert target.is_local
    assert target_from_env(
        {"KUSTOM_BASE_URL": "http://localhost:4010", **MOCK_AS_LIVE_ENV}
    ).is_local
    assert "tok_active" in target.approving_tokens


def test_a_refused_target_stops_the_run_before_any_request(tmp_path: Path) -> None:
    result = quick_run(
        tmp_path, {"KUSTOM_BASE_URL": "https://api.playground.kustom.co", **MOCK_AS_LIVE_ENV}
    )
    assert result.returncode != 0
    assert "KUSTOM_LIVE=1" in result.stdout + result.stderr


def test_a_mock_command_is_shown_without_a_password() -> None:
    command = "contract_tests.faulty_mock --fault server_error --db postgresql://kc:s3cret@db/kc"
    shown = mock_command.label(command)
    assert "s3cret" not in shown
    assert shown.startswith("contract_tests.faulty_mock --fault server_error --db postgresql://kc:")
    assert "s3cret" not in mock_command.label("m --db=postgres://kc:s3cret@db/kc")
    assert mock_command.parse(None) == ("kustom_mock", [])
    assert mock_command.parse("m --fault x") == ("m", ["--fault", "x"])


def test_a_mock_command_with_a_base_url_is_a_usage_error(tmp_path: Path) -> None:
    result = quick_run(
        tmp_path,
        {"KUSTOM_BASE_URL": "http://127.0.0.1:9", **MOCK_AS_LIVE_ENV},
        ["--mock-command", "contract_tests.faulty_mock --fault server_error"],
    )
    assert result.returncode == 4  # pytest's usage error, before any request
    assert "--mock-command spawns a mock, KUSTOM_BASE_URL names a running server" in (
        result.stdout + result.stderr
    )


def test_a_bad_order_budget_is_refused_even_for_the_spawned_mock(tmp_path: Path) -> None:
    """The spawned mock has no budget, but a typo in the variable must not pass silently."""
    result = quick_run(tmp_path, {"KUSTOM_ORDER_BUDGET": "lots"})
    assert result.returncode == 4  # pytest's usage error, before the mock is spawned
    assert "KUSTOM_ORDER_BUDGET must be a whole number, not 'lots'" in result.stdout + result.stderr


LOCAL = {"KUSTOM_BASE_URL": "http://127.0.0.1:4010", **MOCK_AS_LIVE_ENV}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"KUSTOM_SECOND_USERNAME": "M-B"}, "need KUSTOM_SECOND_API_KEY"),
        ({"KUSTOM_SECOND_CUSTOMER_TOKEN": "tok_b"}, "need KUSTOM_SECOND_API_KEY"),
        ({"KUSTOM_SECOND_API_KEY": MOCK_AS_LIVE_ENV["KUSTOM_API_KEY"]}, "another merchant's"),
        (
            {"KUSTOM_SECOND_API_KEY": "k-b", "KUSTOM_SECOND_CUSTOMER_TOKEN": "tok_active"},
            "the second merchant's own token",
        ),
    ],
)
def test_a_second_merchant_is_refused_unless_it_holds_together(
    extra: dict[str, str], message: str
) -> None:
    with pytest.raises(TargetError, match=message):
        target_from_env({**LOCAL, **extra})


def test_a_second_merchant_is_taken_and_its_secrets_redacted() -> None:
    target = target_from_env(
        {
            **LOCAL,
            "KUSTOM_SECOND_API_KEY": "kco_live_second_key",
            "KUSTOM_SECOND_USERNAME": "M-B",
            "KUSTOM_SECOND_CUSTOMER_TOKEN": "tok_second",
        }
    )
    assert target.second is not None
    assert target.second.token == "tok_second"
    assert "kco_live_second_key" not in repr(target)
    replaced = {secret.value: secret.replacement for secret in run_secrets(target)}
    assert replaced["kco_live_second_key"] == "$KUSTOM_SECOND_API_KEY"
    assert replaced["M-B:kco_live_second_key"] == "$KUSTOM_SECOND_USERNAME:$KUSTOM_SECOND_API_KEY"
    assert replaced["tok_second"] == "$KUSTOM_SECOND_CUSTOMER_TOKEN"
    assert target_from_env(LOCAL).second is None
    assert target_from_env({}).second is not None  # the mock's merchant B
