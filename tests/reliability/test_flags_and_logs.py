"""Issue 12, items 4, 9 and 11: every numeric flag refuses non-finite and out-of-range values,
a bad --db is one line, and the access log never holds a whole customer token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kustom_mock.cli import parse_config
from kustom_servers.mock_process import running_mock
from kustom_spec import REPO_ROOT
from tests.mock.helpers import AUTH_A, FULL_ORDER, PATH, STATUS_PATH, TOKEN_PATH

NUMERIC_FLAGS = [
    "--port",
    "--retention-hours",
    "--rate-limit",
    "--workers",
    "--max-url-bytes",
    "--max-header-bytes",
    "--max-headers",
    "--header-timeout",
    "--body-timeout",
    "--keep-alive-timeout",
    "--max-connections",
]
BAD_NUMBERS = ["nan", "inf", "-inf", "-1", "0", "1e12", "ten"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "kustom_mock", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0]
    assert "listening" not in result.stdout


@pytest.mark.parametrize("flag", NUMERIC_FLAGS)
def test_numeric_flags_refuse_non_finite_and_out_of_range_values(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for value in BAD_NUMBERS:
        if flag == "--port" and value == "0":
            continue  # port 0 picks a free port
        with pytest.raises(SystemExit) as exit_:
            parse_config([flag, value])
        assert exit_.value.code == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, lines
        assert flag in lines[0]


def test_nan_retention_stops_the_mock_before_it_listens() -> None:
    """Item 4: ``nan`` used to pass every comparison and turn idempotency off."""
    assert_one_line_exit_2(run_cli("--retention-hours", "nan"), "--retention-hours")


def test_help_lists_every_limit() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in NUMERIC_FLAGS:
        assert flag in result.stdout


def test_help_says_each_default_once_and_never_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse's "(default: None)" after a help text with its own default wording (--rate-limit
    said "no limit" and then "None") must not come back; wide columns: one line per flag."""
    monkeypatch.setenv("COLUMNS", "1000")
    with pytest.raises(SystemExit):
        parse_config(["--help"])
    lines = [
        line for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith("--")
    ]
    assert "(default: None)" not in "\n".join(lines)
    assert "(default: False)" not in "\n".join(lines)  # an on/off flag is off unless given
    for line in lines:
        assert line.count("(default:") <= 1, line
    said = {line.split()[0]: line for line in lines}
    assert "(default: no limit)" in said["--rate-limit"]
    assert "(default: kustom_mock/default_fixtures.yaml)" in said["--fixtures"]
    assert "(default: 4010)" in said["--port"]


def test_port_0_is_the_one_numeric_zero_accepted_and_the_docs_say_so() -> None:
    assert parse_config(["--port", "0"]).server.port == 0
    docs = " ".join((REPO_ROOT / "docs" / "mock.md").read_text(encoding="utf-8").split())
    assert "every numeric flag refuses `nan`, `inf`, negatives, zero (but for `--port 0`" in docs


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_db_is_one_line_and_exit_2(tmp_path: Path, workers: str) -> None:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a database, " * 100)
    for db in (tmp_path, not_sqlite):
        result = run_cli("--db", str(db), "--workers", workers)
        assert_one_line_exit_2(result, str(db))
        assert "Traceback" not in result.stderr


def test_the_access_log_shortens_every_customer_token(tmp_path: Path) -> None:
    """A fresh token, unknown ones, a percent-encoded one, on the three operations and on a
    refused request: the log shows a prefix and a hash, never the token."""
    tokens = [
        "tok_fresh_0123456789secret",
        "tok_unknown_abcdefghijklmnop",
        "tok%5Fpercent%5Fencoded%5Fsecret",
    ]
    with running_mock(tmp_path / "m.sqlite3") as mock:
        with httpx.Client(base_url=mock.base_url, auth=AUTH_A, timeout=10) as client:
            for token in tokens:
                client.get(TOKEN_PATH.format(token))
                client.post(PATH.format(token), json=FULL_ORDER)
                client.patch(STATUS_PATH.format(token), json={"status": "CANCELLED"})
                client.post(PATH.format(token), content=b"{", headers={"X": "y"})
        log = mock.log()
    access = [line for line in log.splitlines() if "kustom_mock.access" in line]
    assert len(access) == 4 * len(tokens)
    for token in tokens:
        assert token not in log
        assert token[8:] not in log  # not even the part after the prefix
    assert all("…#" in line for line in access)
