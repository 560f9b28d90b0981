"""The reference's request samples, run as a reader would run them: curl with bash, Python with
this environment's kustom_client, TypeScript with Node's fetch, each against the mock with
KUSTOM_BASE_URL and KUSTOM_API_KEY set. Every sample must succeed and print what it got; each
operation's samples get a fresh mock (a cancel leaves nothing for the next operation)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from kustom_contract.target import MOCK_API_KEY
from kustom_release.code_samples import (
    CLIENT_CALLS,
    IDEMPOTENCY_VARIABLE,
    SampleError,
    code_samples,
)
from kustom_servers.mock_process import RunningMock, running_mock
from kustom_spec import load_spec

SPEC = load_spec()
NODE = shutil.which("node")
TIMEOUT = 60  # seconds per sample; each sends one request to a local mock

if NODE is None or shutil.which("curl") is None:
    pytest.fail("the samples need node and curl (scripts/bootstrap and .ci/run)", pytrace=False)


def runner(lang: str) -> list[str]:
    return {
        "curl": ["bash", "-euo", "pipefail", "-s"],
        "Python": [sys.executable, "-"],
        "TypeScript": [str(NODE), "--input-type=module", "-"],  # JavaScript as well as TypeScript
    }[lang]


@pytest.fixture
def mock() -> Iterator[RunningMock]:
    with running_mock() as running:
        yield running


@pytest.mark.parametrize("operation_id", list(SPEC.operations))
def test_each_sample_runs_against_the_mock(operation_id: str, mock: RunningMock) -> None:
    env = {**os.environ, "KUSTOM_BASE_URL": mock.base_url, "KUSTOM_API_KEY": MOCK_API_KEY}
    env.pop("KUSTOM_USERNAME", None)
    samples = code_samples(SPEC.operation(operation_id))
    assert [s["lang"] for s in samples] == ["curl", "Python", "TypeScript"]
    for sample in samples:
        env[IDEMPOTENCY_VARIABLE] = str(uuid.uuid4())  # what the curl sample asks the reader for
        result = subprocess.run(  # noqa: S603
            runner(sample["lang"]),
            input=sample["source"],
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, (sample["lang"], result.stdout, result.stderr)
        assert result.stdout.strip(), (sample["lang"], "printed nothing")


def test_the_samples_follow_the_spec_examples() -> None:
    order = SPEC.operation("createOrder")
    body = order.request_body
    assert body is not None
    # The first named example: the one the reference shows beside the samples.
    name, full = next(iter(body["content"]["application/json"]["examples"].items()))
    full = SPEC.resolve(full)["value"]
    curl, python, typescript = (s["source"] for s in code_samples(order))
    # The token parameter's example of the same name goes with it (named exchanges).
    token = order.parameter("path", "customerToken")["examples"][name]["value"]
    assert f"/tokens/{token}/order" in curl
    assert full["order_lines"][0]["name"] in curl
    assert f'kustom.create_order(\n        "{token}",' in python
    assert "JSON.stringify(" in typescript
    assert '"Klarna-Idempotency-Key": crypto.randomUUID(),' in typescript
    assert f'"Klarna-Idempotency-Key: ${IDEMPOTENCY_VARIABLE}"' in curl


def test_an_operation_without_a_client_method_stops_the_build() -> None:
    operation = SPEC.operation("readCustomerToken")
    calls = dict(CLIENT_CALLS)
    del calls["readCustomerToken"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kustom_release.code_samples.CLIENT_CALLS", calls)
        with pytest.raises(
            SampleError, match="no kustom_client method for operation readCustomerToken"
        ):
            code_samples(operation)
