"""The release's wheels built and installed into fresh virtual environments, with nothing of the
repository on the path: shared by the tests of the wheels (tests/release/test_wheels.py) and of
the mock's pytest plugin as merchants install it (tests/plugin/)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kustom_spec import load_spec

UV = str(Path(sys.executable).parent / "uv")
VERSION = str(load_spec().document["info"]["version"])
INSTALL_TIMEOUT = 240  # seconds; third-party wheels come from uv's cache or the index


@dataclass(frozen=True)
class Venv:
    """A virtual environment made for one wheel, and a scratch folder to run in."""

    root: Path
    workdir: Path

    def script(self, name: str) -> str:
        """A program in the venv: its ``python``, or a script a wheel installed."""
        return str(self.root / "bin" / name)

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> str:
        """``python -I`` (no PYTHONPATH, no user site, not the current folder) in the venv."""
        result = subprocess.run(  # noqa: S603
            [self.script("python"), "-I", *args],
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={**clean_env(), **(env or {})},
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


def clean_env() -> dict[str, str]:
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def wheel(folder: Path, prefix: str) -> Path:
    return folder / f"{prefix}-{VERSION}-py3-none-any.whl"


def make_venv(base: Path, name: str, *requirements: Path | str) -> Venv:
    """A fresh venv under ``base`` with ``requirements`` installed (wheel files, or
    requirement strings such as ``pytest==9.2.0`` or ``path/to.whl[extra]``)."""
    root, workdir = base / name, base / f"{name}-work"
    workdir.mkdir()
    for cmd in (
        [UV, "venv", "--quiet", "--python", sys.executable, str(root)],
        [UV, "pip", "install", "--quiet", "--python", str(root / "bin" / "python")]
        + [str(r) for r in requirements],
    ):
        done = subprocess.run(  # noqa: S603
            cmd,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            env=clean_env(),
            check=False,
        )
        assert done.returncode == 0, done.stderr
    return Venv(root, workdir)
