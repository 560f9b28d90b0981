"""The replay line of a failure record (kustom_contract/answers.py): run by bash with the run's
variables set, it gets the answer the case got, and the record holds neither the API key nor a
live target's customer token."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

from kustom_contract.answers import write_failure
from kustom_contract.auth import Credentials
from kustom_contract.cases import IDEMPOTENCY_HEADER
from kustom_contract.in_subprocess import MOCK_AS_LIVE_ENV
from kustom_contract.redaction import run_redaction
from kustom_contract.target import Target, target_from_env
from kustom_servers.mock_process import running_mock
from kustom_spec import load_spec

SPEC = load_spec()
ORDER_PATH = SPEC.operation("createOrder").path.replace("{customerToken}", "tok_active")
READ_PATH = SPEC.operation("readCustomerToken").path.replace("{customerToken}", "tok_active")
ORDER = SPEC.resolve(SPEC.document["components"]["examples"]["MinimalOrder"])["value"]
API_KEY = MOCK_AS_LIVE_ENV["KUSTOM_API_KEY"]


def send(
    base_url: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.request(method, base_url + path, headers=headers, data=body, timeout=30)


def replayed_status(line: str, env: dict[str, str]) -> int:
    done = subprocess.run(  # noqa: S603
        ["bash", "-c", line + " -s -o /dev/null -w '%{http_code}'"],  # noqa: S607
        env={**{k: v for k, v in os.environ.items() if not k.startswith("KUSTOM_")}, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.parametrize("username", [MOCK_AS_LIVE_ENV["KUSTOM_USERNAME"], ""])
def test_the_replay_line_gets_the_same_answer(tmp_path: Path, username: str) -> None:
    with running_mock(tmp_path / "db.sqlite3") as mock:
        env = {**MOCK_AS_LIVE_ENV, "KUSTOM_BASE_URL": mock.base_url, "KUSTOM_USERNAME": username}
        target: Target = target_from_env(env)
        credentials = Credentials(username, API_KEY)
        forms = [credentials.raw_key()] + ([credentials.username_and_key()] if username else [])
        for number, auth in enumerate(forms):
            signed = {"Authorization": auth}
            as_json = {**signed, "Content-Type": "application/json"}
            keyed = {**as_json, IDEMPOTENCY_HEADER: f"replay-{username}-{number}"}
            answers = [
                send(mock.base_url, "POST", ORDER_PATH, keyed, json.dumps(ORDER).encode()),
                send(mock.base_url, "POST", ORDER_PATH, as_json, b"{"),  # not JSON
                send(mock.base_url, "POST", ORDER_PATH, signed, b"{}"),  # no content type
                send(mock.base_url, "GET", READ_PATH, signed),
                send(mock.base_url, "GET", READ_PATH, {}),  # no credentials
            ]
            assert [a.status_code for a in answers] == [200, 400, 415, 200, 401]
            for index, response in enumerate(answers):
                stem = f"case-{number}-{index}"
                name = write_failure(
                    tmp_path, stem, response, AssertionError("x"), target, run_redaction(target)
                )
                record = (tmp_path / name).read_text()
                assert API_KEY not in record
                assert "tok_active" not in record  # the live target's token, by reference
                line = json.loads(record)["replay"]
                if index == 0:  # the replay of a keyed order is answered as a replay: 200
                    assert IDEMPOTENCY_HEADER in line
                assert replayed_status(line, env) == response.status_code, line
