"""openapi.yaml is a valid OpenAPI document and passes the spec linter with no warning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from kustom_spec import DEFAULT_SPEC_PATH, REPO_ROOT

REDOCLY = REPO_ROOT / "node_modules" / ".bin" / "redocly"


def test_openapi_spec_validator_accepts_the_spec() -> None:
    spec_dict, _ = read_from_filename(str(DEFAULT_SPEC_PATH))
    validate(spec_dict)


def redocly_lint(spec: Path) -> subprocess.CompletedProcess[str]:
    assert REDOCLY.exists(), "Redocly CLI is missing: run scripts/bootstrap"
    # The Node.js that uv.lock installs into .venv, not whatever node is on the machine.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "REDOCLY_TELEMETRY": "off"}
    env["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true"
    return subprocess.run(  # noqa: S603
        [str(REDOCLY), "lint", "--config", str(REPO_ROOT / "redocly.yaml"), str(spec)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=REPO_ROOT,
        timeout=120,
    )


def test_redocly_lint_is_clean() -> None:
    result = redocly_lint(DEFAULT_SPEC_PATH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


def test_redocly_lint_catches_a_broken_example(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.yaml"
    text = DEFAULT_SPEC_PATH.read_text(encoding="utf-8")
    assert "        order_amount: 10699\n" in text
    broken.write_text(text.replace("        order_amount: 10699\n", "        order_amount: ten\n"))
    shutil.copy(REPO_ROOT / "redocly.yaml", tmp_path / "redocly.yaml")
    result = redocly_lint(broken)
    assert result.returncode != 0
    assert "order_amount" in result.stdout + result.stderr
