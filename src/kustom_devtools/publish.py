"""``scripts/publish``: the artefacts other teams consume, behind the breaking-change gate.

dist/ gets the bundled spec (YAML and JSON), a self-contained HTML reference, the generated
client's wheel and sdist, and release notes. The gate compares openapi.yaml with the last
released spec (the newest ``spec-v*`` git tag, or --against) and fails when a breaking change
comes without a major version bump.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from kustom_devtools.breaking import Change, compare, gate, parse_version
from kustom_devtools.paths import REPO_ROOT

SPEC = REPO_ROOT / "openapi.yaml"
GENERATED = REPO_ROOT / "generated"
CHANGELOG = REPO_ROOT / "CHANGELOG.md"
TAG_PREFIX = "spec-v"
BIN = Path(sys.executable).parent
REDOCLY = REPO_ROOT / "node_modules" / ".bin" / "redocly"


class PublishError(RuntimeError):
    pass


def _run(cmd: Sequence[str], **kwargs: Any) -> str:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    }
    result = subprocess.run(  # noqa: S603
        list(cmd), capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False, **kwargs
    )
    if result.returncode != 0:
        raise PublishError(f"{' '.join(cmd[:3])} failed:\n{result.stdout}{result.stderr}")
    return str(result.stdout)


def latest_release_tag() -> str | None:
    try:
        tags = _run(["git", "tag", "--list", f"{TAG_PREFIX}*"]).split()
    except PublishError:
        return None
    versions = []
    for tag in tags:
        try:
            versions.append((parse_version(tag.removeprefix(TAG_PREFIX)), tag))
        except ValueError:
            continue
    return max(versions)[1] if versions else None


def load_baseline(against: str | None) -> tuple[dict[str, Any] | None, str]:
    """The last released spec and where it came from; (None, reason) for a first release."""
    if against is None:
        against = latest_release_tag()
        if against is None:
            return None, f"no {TAG_PREFIX}* tag yet: the first release"
    path = Path(against)
    if path.is_file():
        return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    text = _run(["git", "show", f"{against}:openapi.yaml"])
    return yaml.safe_load(text), against


def release_notes(
    version: str, baseline: dict[str, Any] | None, source: str, changes: list[Change]
) -> str:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [f"## {version} ({today})", ""]
    if baseline is None:
        lines += ["First release of the contract (" + source + ").", ""]
        return "\n".join(lines)
    lines += [f"Compared with {baseline['info']['version']} ({source}).", ""]
    breaking = sorted({c.line() for c in changes if c.breaking})
    other = sorted({c.line() for c in changes if not c.breaking})
    if not changes:
        lines += ["No change to the contract's requests or responses.", ""]
    if breaking:
        lines += ["### Breaking changes", "", *[f"- {line}" for line in breaking], ""]
    if other:
        lines += ["### Other changes", "", *[f"- {line}" for line in other], ""]
    return "\n".join(lines)


def check_client_version(spec_version: str) -> None:
    meta = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))
    client_version = meta["project"]["version"]
    if client_version != spec_version:
        raise PublishError(
            f"generated/ is version {client_version} but the spec is {spec_version}: "
            "run scripts/regenerate"
        )


def build_reference(output: Path, spec: Path = SPEC) -> None:
    """A self-contained HTML reference (scripts inlined, every schema expanded)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            str(REDOCLY),
            "build-docs",
            str(spec),
            "--inlineBundle",
            "--openapi.schemasExpansionLevel=all",
            "--openapi.expandResponses=all",
            "-o",
            str(output),
        ]
    )


def build(out: Path, notes: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    _run([str(REDOCLY), "bundle", str(SPEC), "-o", str(out / "openapi.yaml")])
    _run([str(REDOCLY), "bundle", str(SPEC), "-o", str(out / "openapi.json")])
    build_reference(out / "reference.html")
    _run(
        [
            str(BIN / "uv"),
            "build",
            str(GENERATED),
            "--out-dir",
            str(out / "client"),
            "--quiet",
            "--no-create-gitignore",
        ]
    )
    (out / "RELEASE_NOTES.md").write_text(notes + "\n", encoding="utf-8")
    return sorted(p for p in out.rglob("*") if p.is_file())


def prepend_changelog(notes: str) -> None:
    header = "# Changelog\n\nReleases of openapi.yaml and the generated client (same version).\n\n"
    existing = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else header
    body = existing.removeprefix(header)
    version_heading = notes.splitlines()[0].split(" (")[0]
    if version_heading in body:
        raise PublishError(f"CHANGELOG.md already has {version_heading}")
    CHANGELOG.write_text(header + notes + "\n" + body, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/publish", description="Gate and build the spec's release artefacts."
    )
    parser.add_argument(
        "--against",
        help=f"last released spec: a git ref or a file (default: the newest {TAG_PREFIX}* tag)",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist", help="output folder")
    parser.add_argument(
        "--gate-only", action="store_true", help="only the breaking-change gate and its notes"
    )
    parser.add_argument("--release", action="store_true", help="also add the entry to CHANGELOG.md")
    args = parser.parse_args(argv)
    try:
        document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
        version = document["info"]["version"]
        parse_version(version)
        baseline, source = load_baseline(args.against)
        changes = compare(baseline, document) if baseline is not None else []
        notes = release_notes(version, baseline, source, changes)
        print(notes)
        problems = gate(baseline["info"]["version"], version, changes) if baseline else []
        if problems:
            for problem in problems:
                print(f"breaking-change gate: {problem}", file=sys.stderr)
            return 1
        if args.gate_only:
            return 0
        check_client_version(version)
        files = build(args.out, notes)
        if args.release:
            prepend_changelog(notes)
    except (PublishError, ValueError, OSError) as exc:
        print(f"scripts/publish: {exc}", file=sys.stderr)
        return 2
    for path in files:
        print(f"wrote {path.relative_to(args.out.parent) if args.out.is_absolute() else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
