"""The kustom_mock fixture, run by pytest in a subprocess on test files written here (the plugin
named with -p: this repository's environment does not install the wheel's entry point): a clean
state before each test whatever the test before did, the controls for each merchant, the ini
option's flags, refusals, and no mock left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kustom_mock.testing import MockControlError, MockProcess
from tests.processes import wait_gone

RUN_TIMEOUT = 180
PYTEST = [
    sys.executable,
    "-m",
    "pytest",
    "-q",
    "-p",
    "kustom_mock.pytest_plugin",
    "-p",
    "no:cacheprovider",
]


def run_pytest(folder: Path, test_code: str, ini: str = "") -> subprocess.CompletedProcess[str]:
    (folder / "test_merchant.py").write_text(textwrap.dedent(test_code), encoding="utf-8")
    (folder / "pytest.ini").write_text(f"[pytest]\n{textwrap.dedent(ini)}", encoding="utf-8")
    return subprocess.run(  # noqa: S603
        [*PYTEST, "test_merchant.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("KUSTOM_", "PYTEST_"))},
        check=False,
    )


def test_each_test_starts_from_the_fixtures(tmp_path: Path) -> None:
    """Two tests that spoil everything they can, in turn: each finds nothing of the other."""
    spoil_and_check = """
        import httpx
        from kustom_client import KustomClient

        ORDER = {"purchase_currency": "EUR", "order_amount": 100, "order_lines": [
            {"name": "x", "quantity": 1, "unit_price": 100, "total_amount": 100}]}

        def spoil(kustom_mock):
            assert kustom_mock.orders() == []
            assert kustom_mock.faults() == []
            assert kustom_mock.clock_offset() == 0
            states = {t["customer_token"]: t["status"] for t in kustom_mock.tokens()}
            assert states["tok_active"] == "ACTIVE"
            assert not any(name.startswith("tok_fresh_") for name in states)
            b = kustom_mock.merchant("M-TEST-B")
            assert b.orders() == [] and b.faults() == []
            with KustomClient(kustom_mock.api_key, base_url=kustom_mock.base_url) as kustom:
                kustom.create_order("tok_active", ORDER, idempotency_key="spoiler")
                kustom.get_token("tok_fresh_spoiler")
                kustom.cancel_token("tok_active")
            with KustomClient(b.api_key, base_url=b.base_url) as kustom_b:
                kustom_b.create_order("tok_merchant_b", ORDER)
            kustom_mock.arm_fault("readCustomerToken", "status", status=503, count=5)
            b.arm_fault("createOrder", "delay", ms=1)
            kustom_mock.advance_clock(60)
            assert len(kustom_mock.orders()) == 1 and len(b.orders()) == 1

        def test_first(kustom_mock):
            spoil(kustom_mock)

        def test_second(kustom_mock):
            spoil(kustom_mock)
    """
    done = run_pytest(tmp_path, spoil_and_check)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_fixture_gives_credentials_and_the_environment(tmp_path: Path) -> None:
    code = """
        import os
        from kustom_client import KustomClient

        def test_environ(kustom_mock, monkeypatch):
            assert kustom_mock.merchant_id == "M-TEST-A"
            assert kustom_mock.base_url.startswith("http://127.0.0.1:")
            for name, value in kustom_mock.environ.items():
                monkeypatch.setenv(name, value)
            assert os.environ["KUSTOM_USERNAME"] == "M-TEST-A-4f2c"
            with KustomClient() as kustom:  # the client's settings from the environment
                assert kustom.get_token("tok_card").status == "ACTIVE"
            assert sorted(kustom_mock.merchants) == ["M-TEST-A", "M-TEST-B"]
            assert "kco_test" not in repr(kustom_mock)
    """
    done = run_pytest(tmp_path, code)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_ini_option_passes_flags_to_the_mock(tmp_path: Path) -> None:
    fixtures = tmp_path / "merchants.yaml"
    fixtures.write_text(
        textwrap.dedent(
            """
            merchants:
              - {merchant_id: M-OWN, username: M-OWN-1a2b, api_key: own_key}
            tokens:
              - token: tok_own
                merchant_id: M-OWN
                payment_method_type: INVOICE
                payment_method: {type: invoice, number_of_days: 14}
            """
        ),
        encoding="utf-8",
    )
    code = """
        import httpx

        def test_own_merchant(kustom_mock):
            assert kustom_mock.merchant_id == "M-OWN"
            assert kustom_mock.api_key == "own_key"
            assert [t["customer_token"] for t in kustom_mock.tokens()] == ["tok_own"]
            read = httpx.get(
                kustom_mock.base_url + "/customer-token/v1/tokens/tok_own",
                headers={"Authorization": "Basic own_key"},
            )
            assert read.status_code == 200
            assert read.headers["X-Ratelimit-Limit"] == "1000, 1000;w=1"
    """
    ini = f"kustom_mock_args = --fixtures {fixtures} --rate-limit 1000\n"
    done = run_pytest(tmp_path, code, ini)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        ("--no-test-controls", "test controls are needed"),
        ("--rate-limit 0", "refuses these flags"),
    ],
)
def test_flags_the_fixture_cannot_use_are_an_error(tmp_path: Path, flags: str, says: str) -> None:
    code = """
        def test_needs_the_mock(kustom_mock):
            pass
    """
    done = run_pytest(tmp_path, code, f"kustom_mock_args = {flags}\n")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 error" in done.stdout
    assert says in done.stdout


def test_a_refusal_is_a_mock_control_error(tmp_path: Path) -> None:
    with MockProcess.start(directory=tmp_path) as process:
        mock = process.mock
        with pytest.raises(MockControlError) as refused:
            mock.arm_fault("createOrder", "delay")  # no ms
        assert refused.value.status == 400
        assert refused.value.error_code == "BAD_VALUE"
        assert refused.value.error_messages == ["Bad value: ms"]
        with pytest.raises(MockControlError) as forbidden:
            mock.orders("tok_merchant_b")
        assert (forbidden.value.status, forbidden.value.error_code) == (403, "TOKEN_FORBIDDEN")
        with pytest.raises(KeyError, match="M-TEST-A, M-TEST-B"):
            mock.merchant("M-NOPE")
    assert process.process.poll() == 0  # stopped gracefully on leaving


def test_a_killed_test_run_leaves_no_mock(tmp_path: Path) -> None:
    """The test run killed with SIGKILL: its mock (started --stop-with-parent) stops by itself."""
    program = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from kustom_mock.testing import MockProcess
        with MockProcess.start(directory=Path({str(tmp_path)!r})) as process:
            print(process.process.pid, flush=True)
            sys.stdin.read()  # until killed
        """
    )
    parent = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", program],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        mock_pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait(timeout=10)
        left = wait_gone({mock_pid}, seconds=20)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, "the mock outlived the killed test run"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pipe in (parent.stdin, parent.stdout):
            if pipe is not None:
                pipe.close()
