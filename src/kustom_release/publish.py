"""``scripts/publish``: the artefacts other teams consume, behind the checks that must agree.

In order, each step stopping the run when it fails: the spec validates
(openapi-spec-validator); generated/ is what the spec produces (the drift check); the
breaking-change gate against the last release (``baseline.py``: the spec, and the client
layer's public API, ``python_api.py``; one version for the kit, stepped for the largest); then dist/ is built (the
bundled spec as YAML and JSON, the HTML reference, three wheels, release notes) and the wheels
are checked against the bundled spec (``wheels.py``). ``--release`` adds the changelog entry.

Exit status: 0 published (or the gate passed, with --gate-only); 1 refused (drift, gate,
wheels that disagree); 2 the input is unusable (an invalid spec on either side, a baseline
that cannot be found, a tool that failed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kustom_release import regenerate
from kustom_release.baseline import TAG_PREFIX, find_baseline
from kustom_release.breaking import compare, gate, parse_version
from kustom_release.changelog import (
    BREAKING,
    FIXES,
    MOCK,
    MOCK_SOURCES,
    OTHER,
    entry_for,
    heading,
    mock_changed,
    prepend,
    release_notes,
)
from kustom_release.code_samples import LANGUAGES
from kustom_release.errors import Refused, ReleaseError
from kustom_release.python_api import compare_api
from kustom_release.reference import reader_copy
from kustom_release.specfile import InvalidSpec, parse_spec
from kustom_release.wheels import check_wheels
from kustom_spec import REPO_ROOT

SPEC = REPO_ROOT / "openapi.yaml"
GENERATED = REPO_ROOT / "generated"
# The client layer's and the mock's wheels (hatch projects whose sources are in src/).
PACKAGES = (REPO_ROOT / "packages" / "kustom-client", REPO_ROOT / "packages" / "kustom-mock")
CHANGELOG = REPO_ROOT / "CHANGELOG.md"
BIN = Path(sys.executable).parent
REDOCLY = REPO_ROOT / "node_modules" / ".bin" / "redocly"
REFERENCE_PAGE = Path(__file__).with_name("reference_page.hbs")
PYTHON_DIST = "python"  # dist/python/: the wheels (and the generated client's sdist)


class PublishError(ReleaseError):
    """A tool failed or the repository is not in a state to publish (exit 2)."""


def _run(cmd: Sequence[str]) -> str:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    }
    result = subprocess.run(  # noqa: S603
        list(cmd), capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False
    )
    if result.returncode != 0:
        raise PublishError(f"{' '.join(cmd[:3])} failed:\n{result.stdout}{result.stderr}")
    return str(result.stdout)


def check_drift() -> None:
    try:
        problems = regenerate.check(SPEC, GENERATED)
    except regenerate.GenerationError as exc:
        raise PublishError(str(exc)) from None
    if problems:
        raise Refused(
            "generated/ does not match openapi.yaml (run scripts/regenerate and commit): "
            + "; ".join(problems)
        )


def tag_route(tag: str) -> str:
    """Redoc's route of a tag ("Customer Token" -> /customer-token)."""
    return "/" + re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")


def first_tag_route(document: dict[str, Any]) -> str:
    """Redoc's route of the first tag that has operations."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("tags"):
                return tag_route(str(operation["tags"][0]))
    return ""


def build_reference(output: Path, spec: Path = SPEC) -> None:
    """A self-contained HTML reference (scripts inlined, every schema expanded) that opens on
    the operations (``reference_page.hbs``), built from the reader's copy of the spec
    (``reference.py``: provenance last, source tags as superscripts, request samples)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    document = parse_spec(spec.read_text(encoding="utf-8"), spec.name)
    route = first_tag_route(document)
    options = {
        "schemasExpansionLevel": "all",
        "expandResponses": "all",
        "codeSamples": {"languages": LANGUAGES},
    }
    with tempfile.TemporaryDirectory(prefix="kustom-reference-") as folder:
        reader = Path(folder) / spec.name
        reader.write_text(
            yaml.safe_dump(reader_copy(document, spec), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        # Redoc's options as one JSON file: with --openapi.<key> flags it would ignore a file.
        (Path(folder) / "redoc.json").write_text(json.dumps(options), encoding="utf-8")
        _run(
            [
                str(REDOCLY),
                "build-docs",
                str(reader),
                "--inlineBundle",
                "--template",
                str(REFERENCE_PAGE),
                f"--templateOptions.initialRoute={route}",
                "--openapi",
                str(Path(folder) / "redoc.json"),
                "-o",
                str(output.resolve()),
            ]
        )


def build_wheels(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)  # a wheel of another version must not be published with these
    uv = str(BIN / "uv")
    quiet = ["--out-dir", str(folder), "--quiet", "--no-create-gitignore"]
    _run([uv, "build", str(GENERATED), *quiet])
    for package in PACKAGES:
        # Wheels only: their sources are outside the project folder (src/, openapi.yaml), which
        # an sdist of the folder could not rebuild from.
        _run([uv, "build", "--wheel", str(package), *quiet])


def bundle_spec(path: Path) -> None:
    """The published spec, one file (YAML or JSON by ``path``'s suffix): other teams' tools
    read this, never ``openapi.yaml`` with its references."""
    _run([str(REDOCLY), "bundle", str(SPEC), "-o", str(path)])


def build(out: Path, notes: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    bundle_spec(out / "openapi.yaml")
    bundle_spec(out / "openapi.json")
    build_reference(out / "reference.html")
    build_wheels(out / PYTHON_DIST)
    (out / "RELEASE_NOTES.md").write_text(notes + "\n", encoding="utf-8")
    bundled = json.loads((out / "openapi.json").read_text(encoding="utf-8"))
    problems = check_wheels(out / PYTHON_DIST, bundled)
    if problems:
        raise Refused("the built wheels disagree with the spec: " + "; ".join(problems))
    return sorted(p for p in out.rglob("*") if p.is_file())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/publish",
        description="Validate, check for drift, gate and build the spec's release artefacts.",
    )
    parser.add_argument(
        "--against",
        help=f"the released spec: a git ref or a file (default: the newest {TAG_PREFIX}* tag, "
        "else the release CHANGELOG.md lists first)",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist", help="output folder")
    parser.add_argument(
        "--gate-only", action="store_true", help="stop after the checks and the gate"
    )
    parser.add_argument("--release", action="store_true", help="also add the entry to CHANGELOG.md")
    parser.add_argument(
        "--no-drift-check",
        action="store_true",
        help="skip the drift check, which ran already (scripts/test runs it); a CI job's "
        "second gate, against the base branch, runs once without repeating it",
    )
    return parser.parse_args(argv)


@dataclass(frozen=True)
class GateResult:
    """The release notes of a candidate, why it may not be released (empty: it may), and what
    its author must still do by hand (state the mock's changes; a part left uncompared)."""

    notes: str
    problems: list[str]
    reminders: list[str]


def gate_release(document: dict[str, Any], repo: Path, against: str | None) -> GateResult:
    """The breaking-change gate for a validated spec and the work tree's client layer, one
    version for the kit; raises BaselineError, InvalidSpec or python_api.ApiError."""
    version = str(document["info"]["version"])
    try:
        parse_version(version)
    except ValueError as exc:
        raise InvalidSpec(f"{SPEC.name}: {exc}") from None
    baseline = find_baseline(repo, against)
    if baseline.document is None:
        return GateResult(release_notes(version, baseline, []), [], [])
    changes = compare(baseline.document, document)
    reminders = []
    if baseline.ref is None:
        reminders.append(
            f"the client layer's API was not compared: {baseline.source} is a file, with no "
            "source beside it (pass --against a git ref to compare it)"
        )
    else:
        changes += compare_api(repo, baseline.ref, None)
        if mock_changed(repo, baseline.ref, None):
            reminders.append(
                f"{MOCK_SOURCES} changed since {baseline.version}: state its changes in the "
                f"entry by hand ({heading(MOCK, BREAKING)}, {heading(MOCK, OTHER)} or "
                f"{heading(MOCK, FIXES)}) and step the version for them too"
            )
    notes = release_notes(version, baseline, changes)
    return GateResult(notes, gate(str(baseline.version), version, changes), reminders)


def run(args: argparse.Namespace) -> list[Path]:
    """Every step; raises a ReleaseError (Refused when a check disagrees)."""
    document: dict[str, Any] = parse_spec(SPEC.read_text(encoding="utf-8"), SPEC.name)
    if args.no_drift_check and not args.gate_only:
        raise PublishError(
            "--no-drift-check goes with --gate-only: dist/ is built after every check"
        )
    if not args.no_drift_check:
        check_drift()
    result = gate_release(document, REPO_ROOT, args.against)
    print(result.notes)
    for reminder in result.reminders:
        print(f"scripts/publish: {reminder}", file=sys.stderr)
    if result.problems:
        raise Refused("breaking-change gate: " + "; ".join(result.problems))
    if args.gate_only:
        return []
    recorded = entry_for(CHANGELOG, str(document["info"]["version"]))
    if recorded is not None and args.release:
        raise PublishError(f"CHANGELOG.md already has {document['info']['version']}")
    files = build(args.out, recorded or result.notes)
    if args.release:
        prepend(CHANGELOG, result.notes)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        files = run(args)
    except ReleaseError as exc:
        refused = "refused: " if isinstance(exc, Refused) else ""
        print(f"scripts/publish: {refused}{exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the machine's: a tool missing, a folder not writable
        print(f"scripts/publish: {exc}", file=sys.stderr)
        return ReleaseError.exit_code
    for path in files:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
