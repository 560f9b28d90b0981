"""The release path of docs/publishing.md, walked in a fresh clone of this repository.

Spec change, ``scripts/regenerate``, ``scripts/lint``, the checks of ``scripts/test`` that
concern a release, ``scripts/publish --release``: once for a minor bump (an optional field
added: the next minor) and once for a major one (a field removed: the next minor is refused, the
next major passes), with
nothing else run by hand. ``scripts/lint`` includes ``uv lock --check``, so a lock that a
version bump leaves stale fails here.

The clone is of the committed HEAD (uncommitted work is not in it). It gets its own .venv from
uv.lock through uv's cache (hard links, seconds) and the repository's node_modules by a link.
The full ``scripts/test`` is not run inside: it is this suite, minutes long, and would clone
again; the drift check and the gate, the parts that judge a release, are.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from kustom_spec import REPO_ROOT, load_spec

UV = str(Path(sys.executable).parent / "uv")
# The versions a release from here takes: the spec's own, its next minor and its next major.
_MAJOR, _MINOR, _PATCH = (int(p) for p in load_spec().document["info"]["version"].split("."))
CURRENT = f"{_MAJOR}.{_MINOR}.{_PATCH}"
NEXT_MINOR = f"{_MAJOR}.{_MINOR + 1}.0"
NEXT_MAJOR = f"{_MAJOR + 1}.0.0"
STEP_TIMEOUT = 300  # seconds per command; lint (mypy --strict, cold cache) is the longest
# The release steps as docs/publishing.md lists them (the test reads them from there).
DOC = REPO_ROOT / "docs" / "publishing.md"
EXPECTED_STEPS = [
    "scripts/regenerate",
    "scripts/lint",
    "scripts/test",
    "scripts/publish --release",
    "git tag spec-v",
]
# What stands in for scripts/test in the clone (see the module's docstring).
RELEASE_CHECKS = ["scripts/regenerate --check", "scripts/publish --gate-only"]

NEW_FIELD = """        merchant_reference3:
          type: string
          maxLength: 255
          description: A third merchant reference (max 255 characters).
"""
REMOVED_FIELD = "merchant_reference2"


@dataclass(frozen=True)
class Clone:
    root: Path

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        """The command's exit status and its output (stdout and stderr as they came)."""
        # No PYTHONPATH or VIRTUAL_ENV from the test run: the clone's scripts use its .venv.
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        return subprocess.run(  # noqa: S602 (the documented commands, as a user types them)
            command,
            shell=True,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            env=env,
            check=False,
        )

    def ok(self, command: str) -> str:
        done = self.run(command)
        assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-4000:]}"
        return done.stdout

    @property
    def spec(self) -> Path:
        return self.root / "openapi.yaml"

    def set_version(self, version: str) -> None:
        text = self.spec.read_text(encoding="utf-8")
        new, count = re.subn(r"(?m)^  version: .*$", f"  version: {version}", text, count=1)
        assert count == 1
        self.spec.write_text(new, encoding="utf-8")

    def edit_spec(self, before: str, after: str) -> None:
        text = self.spec.read_text(encoding="utf-8")
        assert text.count(before) == 1, before
        self.spec.write_text(text.replace(before, after), encoding="utf-8")

    def remove_property(self, name: str) -> None:
        """Remove ``name:`` and its indented block wherever it stands (schema and examples)."""
        lines = self.spec.read_text(encoding="utf-8").splitlines(keepends=True)
        kept: list[str] = []
        skip_deeper_than: int | None = None
        for line in lines:
            indent = len(line) - len(line.lstrip(" "))
            if skip_deeper_than is not None and (indent > skip_deeper_than or not line.strip()):
                continue
            skip_deeper_than = None
            if line.lstrip(" ").startswith(f"{name}:"):
                skip_deeper_than = indent
                continue
            kept.append(line)
        self.spec.write_text("".join(kept), encoding="utf-8")


def documented_steps() -> list[str]:
    """The commands of the numbered list under "Cutting a release", in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Cutting a release", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"(?m)^\d+\. (.*(?:\n {3}.*)*)", section)
    return [
        command
        for item in items
        for command in re.findall(r"`(scripts/[^`]*|git tag [^`]*)`", item)
    ]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    root = tmp_path_factory.mktemp("release") / "kustom"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(root)], check=True)  # noqa: S603, S607
    for name, value in (("user.email", "release@test.invalid"), ("user.name", "release test")):
        subprocess.run(["git", "-C", str(root), "config", name, value], check=True)  # noqa: S603, S607
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(root / ".venv")}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(  # noqa: S603
        [UV, "sync", "--frozen", "--quiet", "--python", sys.executable],
        cwd=root,
        env=env,
        check=True,
        timeout=STEP_TIMEOUT,
    )
    (root / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    (root / ".venv" / ".bootstrapped").touch()  # what scripts/bootstrap leaves when done
    return Clone(root)


def wheel_versions(dist: Path) -> set[str]:
    versions = set()
    for wheel in dist.glob("python/*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            metadata = next(n for n in archive.namelist() if n.endswith("METADATA"))
            versions |= set(re.findall(r"(?m)^Version: (.*)$", archive.read(metadata).decode()))
    return versions


def test_the_documented_steps_are_the_ones_walked() -> None:
    steps = documented_steps()
    assert len(steps) == len(EXPECTED_STEPS), steps
    assert all(
        step.startswith(expected) for step, expected in zip(steps, EXPECTED_STEPS, strict=True)
    )


def test_a_major_release_needs_a_major_version(clone: Clone) -> None:
    clone.ok("git checkout --quiet -- . && git clean -fdq")
    clone.remove_property(REMOVED_FIELD)
    clone.set_version(NEXT_MINOR)
    clone.ok("scripts/regenerate")
    refused = clone.run("scripts/publish --gate-only")
    assert refused.returncode == 1, refused.stdout
    assert f"breaking change(s) need a major version: {CURRENT} -> {NEXT_MINOR}" in refused.stdout
    clone.set_version(NEXT_MAJOR)
    clone.ok("scripts/regenerate")
    clone.ok("scripts/lint")
    for check in RELEASE_CHECKS:
        clone.ok(check)
    published = clone.ok("scripts/publish --release")
    assert f"request.{REMOVED_FIELD}: removed" in published
    assert wheel_versions(clone.root / "dist") == {NEXT_MAJOR}
    assert (clone.root / "CHANGELOG.md").read_text().split("\n## ")[1].startswith(f"{NEXT_MAJOR} (")


def test_a_minor_release_walks_the_path_and_the_next_gate_starts_from_its_tag(
    clone: Clone,
) -> None:
    clone.ok("git checkout --quiet -- . && git clean -fdq")  # the clone as it came
    clone.edit_spec(
        '        merchant_urls:\n          $ref: "#/components/schemas/MerchantUrls"\n',
        NEW_FIELD + '        merchant_urls:\n          $ref: "#/components/schemas/MerchantUrls"\n',
    )
    clone.set_version(NEXT_MINOR)
    clone.ok("scripts/regenerate")
    clone.ok("scripts/lint")  # uv lock --check among them: the bump left the lock current
    for check in RELEASE_CHECKS:
        clone.ok(check)
    published = clone.ok("scripts/publish --release")
    assert f"Compared with {CURRENT} (commit " in published
    assert "request.merchant_reference3: added" in published
    dist = clone.root / "dist"
    assert wheel_versions(dist) == {NEXT_MINOR}
    assert {p.name for p in dist.iterdir()} >= {
        "openapi.yaml",
        "openapi.json",
        "reference.html",
        "RELEASE_NOTES.md",
    }
    changed = clone.ok("git status --porcelain").split("\n")
    assert not any(line.endswith("uv.lock") for line in changed), changed
    assert (clone.root / "CHANGELOG.md").read_text().split("\n## ")[1].startswith(f"{NEXT_MINOR} (")
    clone.ok(
        f"git add -A && git commit --quiet -m 'Release {NEXT_MINOR}' && git tag spec-v{NEXT_MINOR}"
    )
    again = clone.ok("scripts/publish --gate-only")
    assert f"Compared with {NEXT_MINOR} (spec-v{NEXT_MINOR})" in again
