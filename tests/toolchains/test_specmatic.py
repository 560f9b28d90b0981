"""The published spec in Specmatic (the npm package, its JVM from Debian's default-jre-headless):
``specmatic test`` runs the spec's own paired examples against the mock and they pass,
``specmatic stub`` answers each example's request with that example's response, and
``specmatic compare`` finds the spec compatible with itself. Specmatic's exit status does not
say how many of the spec's examples ran; its JUnit report does."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from kustom_redact import Redactor, Secret
from kustom_release.publish import bundle_spec
from kustom_servers.mock_process import RunningMock, running_mock
from kustom_servers.ports import free_port
from kustom_spec import REPO_ROOT, ExampleExchange, Spec, example_exchanges, load_spec

# The jar the npm package ships, run by java itself: the package's node wrapper exits 0 when
# the jar fails (it sets process.exitCode from an Error without a code) and does not pass
# SIGTERM on, which left stubs running.
SPECMATIC = ["java", "-jar", str(REPO_ROOT / "node_modules" / "specmatic" / "specmatic.jar")]
FIXTURES = yaml.safe_load((REPO_ROOT / "src" / "kustom_mock" / "default_fixtures.yaml").read_text())
API_KEY = FIXTURES["merchants"][0]["api_key"]
AUTHORIZATION = f"Basic {API_KEY}"  # Kustom's primary form (docs/spec.md)
REDACT = Redactor((Secret(API_KEY, "$KUSTOM_API_KEY"),))
RUN_TIMEOUT = 240  # seconds: a JVM starting on a busy machine
STUB_READY = "serving endpoints from specs"

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="Debian's default-jre-headless is not installed (.ci/run installs it)",
)


def specmatic_env(scheme: str) -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return {
        **os.environ,
        "PATH": path,
        # Specmatic's documented credentials: an environment variable named after the scheme.
        scheme: AUTHORIZATION,
        # Only the spec's examples: no tests generated from the schemas.
        "SPECMATIC_GENERATIVE_TESTS": "false",
        "SCARF_ANALYTICS": "false",
        # Short runs: the JIT's first tier and the serial collector start the JVM faster
        # (compare: 28 s -> 11 s here).
        "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    }


def run(args: list[str], cwd: Path, scheme: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [*SPECMATIC, *args],
        cwd=cwd,
        env=specmatic_env(scheme),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("published") / "openapi.yaml"
    bundle_spec(path)
    return path


@pytest.fixture(scope="module")
def spec(published: Path) -> Spec:
    return load_spec(published)


@pytest.fixture(scope="module")
def scheme(spec: Spec) -> str:
    (name,) = spec.document["components"]["securitySchemes"]
    return str(name)


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running_mock() as running:
        yield running


def test_specmatic_test_passes_the_specs_examples_against_the_mock(
    published: Path, spec: Spec, scheme: str, mock: RunningMock, tmp_path: Path
) -> None:
    shutil.copy(published, tmp_path / "openapi.yaml")
    done = run(
        [
            "test",
            "--strict",
            "--junitReportDir=junit",
            f"--testBaseURL={mock.base_url}",
            "openapi.yaml",
        ],
        tmp_path,
        scheme,
    )
    output = REDACT.text(done.stdout + done.stderr)
    assert "Ignoring" not in output, output[:4000]
    # A report we asked for, written by the tool we ran.
    suite = ET.parse(tmp_path / "junit" / "TEST-junit-jupiter.xml").getroot()  # noqa: S314
    counts = {k: int(suite.get(k, "-1")) for k in ("tests", "failures", "errors")}
    summary = "\n".join(line for line in output.splitlines() if not line.startswith("WARNING"))
    assert counts == {"tests": len(example_exchanges(spec)), "failures": 0, "errors": 0}, (
        counts,
        summary[-4000:],
    )
    assert done.returncode == 0, summary[-4000:]


def watch(
    process: subprocess.Popen[str], text: str, ready: threading.Event, seen: list[str]
) -> None:
    """Reads the stub's output to its end (so it never blocks on a full pipe); sets ``ready``
    at the line that says it serves."""
    assert process.stdout is not None
    for line in process.stdout:
        if len(seen) < 200:
            seen.append(line)
        if text in line:
            ready.set()


@pytest.fixture(scope="module")
def stub(published: Path, scheme: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("stub")
    shutil.copy(published, folder / "openapi.yaml")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [*SPECMATIC, "stub", "--host", "127.0.0.1", "--port", str(port), "openapi.yaml"],
        cwd=folder,
        env=specmatic_env(scheme),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready, seen = threading.Event(), list[str]()
    reader = threading.Thread(target=watch, args=(process, STUB_READY, ready, seen), daemon=True)
    reader.start()
    try:
        assert ready.wait(RUN_TIMEOUT), REDACT.text("".join(seen))[-3000:]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=10)


def test_specmatic_stub_answers_each_example(spec: Spec, stub: str) -> None:
    examples = example_exchanges(spec)
    assert examples
    wrong = []
    with httpx.Client(base_url=stub, timeout=30) as http:
        for example in examples:
            answer = send(http, spec, example)
            got = (answer.status_code, answer.json() if answer.content else None)
            if got != (example.status, example.response):
                wrong.append(f"{example.name}: {got[0]} {json.dumps(got[1])[:300]}")
    assert wrong == []


def send(http: httpx.Client, spec: Spec, example: ExampleExchange) -> httpx.Response:
    operation = spec.operations[example.operation_id]
    path = operation.path
    for name, value in example.path_parameters.items():
        path = path.replace("{" + name + "}", value)
    headers = {"Authorization": AUTHORIZATION}
    if example.body is None:
        return http.request(operation.method.upper(), path, headers=headers)
    return http.request(operation.method.upper(), path, headers=headers, json=example.body)


def test_specmatic_finds_the_spec_compatible_with_itself(
    published: Path, scheme: str, tmp_path: Path
) -> None:
    shutil.copy(published, tmp_path / "older.yaml")
    shutil.copy(published, tmp_path / "newer.yaml")
    done = run(["compare", "older.yaml", "newer.yaml"], tmp_path, scheme)
    output = REDACT.text(done.stdout + done.stderr)
    assert done.returncode == 0, output[-4000:]
    assert "The newer contract is backward compatible." in output, output[-4000:]


def test_specmatic_compare_can_fail(published: Path, scheme: str, tmp_path: Path) -> None:
    """The same check refuses a break: a request field made required (an old client omits it)."""
    shutil.copy(published, tmp_path / "older.yaml")
    newer = yaml.safe_load(published.read_text())
    order = newer["components"]["schemas"]["OrderRequest"]
    order["required"] = [*order["required"], "merchant_reference1"]
    (tmp_path / "newer.yaml").write_text(yaml.safe_dump(newer, sort_keys=False))
    done = run(["compare", "older.yaml", "newer.yaml"], tmp_path, scheme)
    output = REDACT.text(done.stdout + done.stderr)
    assert done.returncode != 0, output[-4000:]
    assert "The newer contract is backward compatible." not in output
    assert "merchant_reference1" in output, output[-4000:]
