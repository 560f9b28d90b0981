"""Regenerate the client in generated/ from openapi.yaml, or check that it has not drifted.

The generator writes into a fresh temporary folder; generated/ is then replaced whole, because
openapi-python-client's --overwrite removes only api/ and models/ and would leave stale files.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from kustom_release.errors import ReleaseError
from kustom_spec import REPO_ROOT

SPEC = REPO_ROOT / "openapi.yaml"
CONFIG = REPO_ROOT / "generator-config.yml"
TEMPLATES = REPO_ROOT / "generator-templates"
GENERATED = REPO_ROOT / "generated"
META = "uv"
# Caches and build output that tools may leave in generated/; they are not the generator's bytes.
IGNORED_NAMES = frozenset(
    {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist"}
)


class GenerationError(ReleaseError):
    """The generator failed or warned (warnings fail too: --fail-on-warning)."""


def generate(spec: Path, dest: Path) -> None:
    """Run openapi-python-client for ``spec`` and leave the project in ``dest`` (must not exist)."""
    bin_dir = Path(sys.executable).parent
    generator = bin_dir / "openapi-python-client"
    if not (bin_dir / "ruff").exists():
        # Without ruff the generator skips its post-hooks and exits 0 with other bytes.
        raise GenerationError(
            f"ruff is not installed beside {generator.name}; run scripts/bootstrap"
        )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("RUFF_CACHE_DIR", None)
    cmd = [
        str(generator),
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
        "--custom-template-path",
        str(TEMPLATES),
        "--output-path",
        str(dest),
        "--meta",
        META,
        "--fail-on-warning",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0 or not dest.is_dir():
        raise GenerationError(
            f"openapi-python-client failed (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )
    for cache in dest.rglob(".ruff_cache"):
        shutil.rmtree(cache)


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in IGNORED_NAMES or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file():
            yield rel


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Relative paths that differ between two trees: missing, extra, or other bytes."""
    want = set(_files(expected))
    have = set(_files(actual)) if actual.is_dir() else set()
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"unexpected: {p}" for p in sorted(have - want)]
    problems += [
        f"differs: {p}"
        for p in sorted(want & have)
        if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return problems


def regenerate(spec: Path, output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="kustom-regen-") as tmp:
        fresh = Path(tmp) / "client"
        generate(spec, fresh)
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(fresh, output)


def check(spec: Path, output: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="kustom-check-") as tmp:
        fresh = Path(tmp) / "client"
        generate(spec, fresh)
        return diff_trees(fresh, output)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/regenerate",
        description="Regenerate generated/ from openapi.yaml with the pinned openapi-python-client.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 and name the files when generated/ differs from the spec",
    )
    parser.add_argument("--spec", type=Path, default=SPEC, help="spec to generate from")
    parser.add_argument("--output", type=Path, default=GENERATED, help="client folder")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.spec, args.output)
            if problems:
                print(f"{args.output.name}/ has drifted from {args.spec.name}:", file=sys.stderr)
                for line in problems:
                    print(f"  {line}", file=sys.stderr)
                print("Run scripts/regenerate and commit the result.", file=sys.stderr)
                return 1
            print(f"{args.output.name}/ matches {args.spec.name}")
            return 0
        regenerate(args.spec, args.output)
    except ReleaseError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    print(f"regenerated {args.output.name}/ from {args.spec.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
