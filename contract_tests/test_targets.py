"""The same contract run passes against this project's mock started on its own, fails against
Prism's mock of the same spec, and never sends traffic off this machine unless told to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests import mock_command
from contract_tests.subprocess_runs import MOCK_AS_LIVE_ENV, run_contract
from kustom_devtools.mock_process import running_mock
from kustom_devtools.prism import running_prism
from kustom_devtools.target import TargetError, target_from_env


@pytest.mark.meta
def test_passes_against_the_mock_started_on_its_own(tmp_path: Path) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        result = run_contract(tmp_path, {"KUSTOM_BASE_URL": mock.base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert f"Contract run against {mock.base_url}" in output


@pytest.mark.meta
def test_fails_against_prism(tmp_path: Path) -> None:
    with running_prism() as base_url:
        result = run_contract(tmp_path, {"KUSTOM_BASE_URL": base_url, **MOCK_AS_LIVE_ENV})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "ST401" in output, "Prism accepts any credentials: the run must say so"


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
    assert target.rate_limit is None  # MOCK_AS_LIVE_ENV turns it off
    assert not target.can_cancel  # cancelling burns a real token: off unless asked for


def test_a_server_other_than_the_mock_is_rate_limited_by_default() -> None:
    env = {k: v for k, v in MOCK_AS_LIVE_ENV.items() if k != "KUSTOM_RATE_LIMIT"}
    target = target_from_env({"KUSTOM_BASE_URL": "http://127.0.0.1:4010", **env})
    assert target.rate_limit == "10/s"
    assert target_from_env({}).rate_limit is None  # the spawned mock is not
    custom = target_from_env(
        {"KUSTOM_BASE_URL": "http://127.0.0.1:4010", **env, "KUSTOM_RATE_LIMIT": "300/m"}
    )
    assert custom.rate_limit == "300/m"


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


@pytest.mark.meta
def test_a_run_against_a_rate_limited_server_stays_under_its_limit(tmp_path: Path) -> None:
    """The mock started with --rate-limit answers 429 past it: a run at full speed fails on
    them, a run limited below it does not (only the token read, to keep it short)."""
    env = {**MOCK_AS_LIVE_ENV, "KUSTOM_CUSTOMER_TOKEN": "tok_active"}
    with running_mock(tmp_path / "db.sqlite3", ["--rate-limit", "40"]) as mock:
        env["KUSTOM_BASE_URL"] = mock.base_url
        polite = run_contract(
            tmp_path / "polite", {**env, "KUSTOM_RATE_LIMIT": "25/s"}, ["-k", "GET"]
        )
        rushed = run_contract(tmp_path / "rushed", env, ["-k", "GET"])
    assert polite.returncode == 0, (polite.stdout + polite.stderr)[-3000:]
    statuses = polite.stdout.split("statuses seen:", 1)[1].splitlines()[0]
    assert "200:" in statuses
    assert "429" not in statuses
    assert rushed.returncode == 1, (rushed.stdout + rushed.stderr)[-3000:]
    assert "429" in rushed.stdout


def test_default_target_is_the_mock() -> None:
    target = target_from_env({})
    assert target.is_mock
    assert target.is_local
    assert target_from_env(
        {"KUSTOM_BASE_URL": "http://localhost:4010", **MOCK_AS_LIVE_ENV}
    ).is_local
    assert "tok_active" in target.approving_tokens


def test_a_refused_target_stops_the_run_before_any_request(tmp_path: Path) -> None:
    result = run_contract(
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
    result = run_contract(
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
    result = run_contract(tmp_path, {"KUSTOM_ORDER_BUDGET": "lots"})
    assert result.returncode == 4  # pytest's usage error, before the mock is spawned
    assert "KUSTOM_ORDER_BUDGET must be a whole number, not 'lots'" in result.stdout + result.stderr
