"""The consumer's CI template (ci-templates/github-actions-consumer.yml), its steps run here as
GitHub would run them: the wheels built by the repository's publishing code stand in for PyPI,
a fresh virtual environment for setup-python, and a tiny consumer repository with one test
that reads a token from the mock the template started. Its report must be there at the end
and the mock stopped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustom_release import publish
from kustom_spec import REPO_ROOT, load_spec

TEMPLATE = REPO_ROOT / "ci-templates" / "github-actions-consumer.yml"
VERSION = str(load_spec().document["info"]["version"])
FIXTURES = yaml.safe_load((REPO_ROOT / "src" / "kustom_mock" / "default_fixtures.yaml").read_text())
STEP_TIMEOUT = 240  # seconds; pip fetches the mock's third-party wheels from the index or cache
PYTEST_PIN = "pytest==9.2.0"

# The consumer's own test: stdlib only, reads KUSTOM_BASE_URL as the template sets it.
CONSUMER_TEST = """
import base64, json, os, urllib.request

def test_reads_a_token_from_the_mock():
    credentials = base64.b64encode(b"{username}:{api_key}").decode()
    request = urllib.request.Request(
        os.environ["KUSTOM_BASE_URL"] + "/customer-token/v1/tokens/{token}",
        headers={{"Authorization": "Basic " + credentials}},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.load(response)["status"] == "ACTIVE"
"""


def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text())
    return loaded


@dataclass
class Runner:
    """What a GitHub runner gives a job: a workspace, RUNNER_TEMP, GITHUB_ENV, an environment."""

    workspace: Path
    temp: Path
    venv: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def github_env(self) -> Path:
        return self.temp / "github_env"

    def run(self, script: str, step_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        # GitHub's default shell for `run`: bash --noprofile --norc -eo pipefail {0}.
        done = subprocess.run(  # noqa: S603
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],  # noqa: S607
            cwd=self.workspace,
            env={**self.env, **step_env},
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        # Lines a step appends to GITHUB_ENV are the environment of the steps after it.
        for line in self.github_env.read_text().splitlines():
            name, _, value = line.partition("=")
            self.env[name] = value
        return done

    def use(self, action: str, inputs: dict[str, Any]) -> None:
        """The actions the template uses, as they behave here (an unknown one fails)."""
        name = action.partition("@")[0]
        if name in ("actions/checkout", "actions/cache"):
            return  # the workspace is the checkout; nothing to restore
        if name == "actions/setup-python":
            self.env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{self.env['PATH']}"
            return
        if name == "actions/upload-artifact":
            assert any((self.workspace / inputs["path"]).iterdir()), "nothing to upload"
            return
        raise AssertionError(f"the test does not know {action}")


def mock_pid(runner: Runner) -> int | None:
    pid_file = runner.temp / "kustom-mock" / "pid"
    return int(pid_file.read_text()) if pid_file.exists() else None


def alive(pid: int) -> bool:
    # A stopped child of the step's shell is reaped by init; a zombie counts as stopped.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rpartition(")")[2].split()[0] != "Z"


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    wheels = tmp_path / "wheels"
    publish.build_wheels(wheels)
    venv = tmp_path / "venv"
    subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "uv"),
            "venv",
            "--seed",
            "--quiet",
            "--python",
            sys.executable,
            str(venv),
        ],
        check=True,
        timeout=STEP_TIMEOUT,
    )
    workspace, temp = tmp_path / "consumer", tmp_path / "runner-temp"
    (workspace / "tests").mkdir(parents=True)
    temp.mkdir()
    (workspace / "requirements-test.txt").write_text(PYTEST_PIN + "\n")
    merchant = FIXTURES["merchants"][0]
    token = next(t for t in FIXTURES["tokens"] if t["merchant_id"] == merchant["merchant_id"])
    (workspace / "tests" / "test_kustom.py").write_text(
        CONSUMER_TEST.format(
            username=merchant["username"], api_key=merchant["api_key"], token=token["token"]
        )
    )
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    # The wheels of this version stand in for PyPI; their third-party requirements still
    # come from the index pip is configured with.
    env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(wheels), env.get("PIP_FIND_LINKS")]))
    env.update(RUNNER_TEMP=str(temp), GITHUB_ENV=str(temp / "github_env"), CI="true")
    (temp / "github_env").touch()
    run = Runner(workspace, temp, venv, env)
    try:
        yield run
    finally:
        pid = mock_pid(run)
        if pid is not None and alive(pid):
            os.kill(pid, 15)  # the template's stop step did not run: stop the mock it started


def test_the_consumer_template_runs_its_steps(runner: Runner) -> None:
    workflow = template()
    (job,) = workflow["jobs"].values()
    # The version the template names is released; here the wheels of this checkout stand in.
    runner.env.update({**workflow["env"], "KUSTOM_MOCK_VERSION": VERSION})
    failed: list[str] = []
    ran: list[str] = []
    for step in job["steps"]:
        condition = step.get("if")
        assert condition in (None, "always()"), condition
        if failed and condition != "always()":
            continue
        label = step.get("name") or step["uses"]
        ran.append(label)
        if "uses" in step:
            runner.use(step["uses"], step.get("with", {}))
            continue
        assert "${{" not in step["run"], f"{label}: expressions belong in env, not in scripts"
        done = runner.run(step["run"], step.get("env", {}))
        if done.returncode != 0:
            failed.append(f"{label} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    assert not failed, "\n".join(failed)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", runner.env["KUSTOM_BASE_URL"])
    # A file our own step wrote, not untrusted input.
    report = ET.parse(runner.workspace / "reports" / "junit.xml").getroot()  # noqa: S314
    suite = report if report.tag == "testsuite" else report[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    assert "GET /_health" in (runner.workspace / "reports" / "kustom-mock.log").read_text()
    pid = mock_pid(runner)
    assert pid is not None
    assert not alive(pid), "the template's last steps did not stop the mock"
    assert len(ran) == len(job["steps"])


def test_the_template_names_a_released_version() -> None:
    """A consumer pins a version the spec's releases have published (CHANGELOG.md lists it)."""
    version = template()["env"]["KUSTOM_MOCK_VERSION"]
    assert f"\n## {version} (" in (REPO_ROOT / "CHANGELOG.md").read_text()


def test_the_harness_fails_a_step_that_fails(tmp_path: Path) -> None:
    """The runner reports a failing script, so a broken template step cannot pass unseen."""
    runner = Runner(tmp_path, tmp_path, tmp_path, {"PATH": os.environ["PATH"]})
    runner.github_env.touch()
    runner.env["GITHUB_ENV"] = str(runner.github_env)
    assert runner.run("false", {}).returncode != 0
    assert runner.run('echo X=1 >>"$GITHUB_ENV"', {}).returncode == 0
    assert runner.env["X"] == "1"


def test_the_template_caches_runs_every_python_and_keeps_one_run_per_branch() -> None:
    workflow = template()
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert "pull_request.number" in workflow["concurrency"]["group"]
    cache = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert "KUSTOM_MOCK_VERSION" in cache["with"]["key"]
    upload = job["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["if"] == "always()"
