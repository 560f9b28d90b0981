"""scripts/publish: artefacts, versions, the gate and its changelog entry; the CI templates."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustom_release import changelog, publish
from kustom_release.baseline import Baseline
from kustom_release.wheels import check_wheels
from kustom_spec import REPO_ROOT, load_spec

SPEC: dict[str, Any] = load_spec().document


def write_baseline(tmp_path: Path, mutate: Any, version: str) -> Path:
    baseline = copy.deepcopy(SPEC)
    baseline["info"]["version"] = version
    mutate(baseline)
    path = tmp_path / "released.yaml"
    path.write_text(yaml.safe_dump(baseline), encoding="utf-8")
    return path


def with_a_service_line_type(spec: dict[str, Any]) -> None:
    """A released spec with one more order line type: removing it breaks requests."""
    spec["components"]["schemas"]["OrderLineType"]["enum"].append("service")


def test_client_version_follows_the_spec() -> None:
    meta = tomllib.loads((REPO_ROOT / "generated" / "pyproject.toml").read_text())
    assert meta["project"]["version"] == SPEC["info"]["version"]


def test_publish_writes_every_artefact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert publish.main(["--out", str(out)]) == 0
    version = SPEC["info"]["version"]
    bundled_yaml = yaml.safe_load((out / "openapi.yaml").read_text())
    bundled_json = json.loads((out / "openapi.json").read_text())
    assert bundled_yaml == bundled_json
    assert bundled_json["info"]["version"] == version
    assert "OrderRequest" in bundled_json["components"]["schemas"]
    html = (out / "reference.html").read_text()
    assert "<script" in html
    assert "<script src=" not in html  # self-contained: no script is loaded from elsewhere
    python = out / "python"
    assert sorted(p.name for p in python.iterdir()) == [
        f"kustom_client-{version}-py3-none-any.whl",
        f"kustom_customer_token_client-{version}-py3-none-any.whl",
        f"kustom_customer_token_client-{version}.tar.gz",
        f"kustom_mock-{version}-py3-none-any.whl",
    ]
    with zipfile.ZipFile(
        python / f"kustom_customer_token_client-{version}-py3-none-any.whl"
    ) as archive:
        assert "kustom_customer_token_client/py.typed" in archive.namelist()
    assert (out / "RELEASE_NOTES.md").read_text().startswith(f"## {version} (")


def use_a_drifted_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A field added to the spec, same version, scripts/regenerate not run."""
    changed = copy.deepcopy(SPEC)
    changed["components"]["schemas"]["OrderLine"]["properties"]["colour"] = {"type": "string"}
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(changed), encoding="utf-8")
    monkeypatch.setattr(publish, "SPEC", spec)


def test_publish_refuses_a_spec_the_client_was_not_generated_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_a_drifted_spec(tmp_path, monkeypatch)
    assert publish.main(["--out", str(tmp_path / "dist")]) == 1
    assert "generated/ does not match openapi.yaml" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


def test_no_drift_check_skips_only_the_drift_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """For a CI job whose suite ran the drift check already: the gate still runs."""
    use_a_drifted_spec(tmp_path, monkeypatch)
    same_version = write_baseline(tmp_path, lambda d: None, SPEC["info"]["version"])
    gate_only = ["--gate-only", "--against", str(same_version)]
    assert publish.main(gate_only) == 1
    assert "generated/ does not match openapi.yaml" in capsys.readouterr().err
    # Without the drift check, the gate speaks: an addition at the same version.
    assert publish.main([*gate_only, "--no-drift-check"]) == 1
    err = capsys.readouterr().err
    assert "addition(s) need at least a minor version" in err
    assert "generated/" not in err
    assert publish.main(["--no-drift-check", "--out", str(tmp_path / "dist")]) == 2
    assert "--no-drift-check goes with --gate-only" in capsys.readouterr().err


def test_publish_refuses_an_invalid_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(SPEC)
    broken["components"]["schemas"]["OrderLine"]["properties"]["name"]["type"] = "intger"
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(broken), encoding="utf-8")
    monkeypatch.setattr(publish, "SPEC", spec)
    assert publish.main(["--gate-only"]) == 2
    assert "'intger' is not one of" in capsys.readouterr().err


def test_wheels_that_disagree_with_the_spec_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "python"
    publish.build_wheels(folder)
    newer = copy.deepcopy(SPEC)
    newer["info"]["version"] = "9.0.0"
    newer["components"]["schemas"]["OrderLine"]["properties"]["colour"] = {"type": "string"}
    newer["components"]["schemas"]["Basket"] = {"type": "object"}
    problems = " | ".join(check_wheels(folder, newer))
    assert "the spec is version 9.0.0" in problems
    assert "does not require kustom-customer-token-client==9.0.0" in problems
    assert "model OrderLine lacks colour" in problems
    assert "no model Basket" in problems
    assert check_wheels(folder, SPEC) == []


def test_gate_fails_a_breaking_change_without_a_major_bump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = write_baseline(tmp_path, with_a_service_line_type, SPEC["info"]["version"])
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 1
    captured = capsys.readouterr()
    assert "breaking-change gate: 1 breaking change(s) need a major version" in captured.err
    assert "### Spec: breaking changes" in captured.out
    assert "the client layer's API was not compared" in captured.err  # a file: no source
    assert "enum values removed: ['service']" in captured.out


def test_gate_passes_a_breaking_change_with_a_major_bump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = write_baseline(tmp_path, with_a_service_line_type, "0.9.0")
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 0
    assert "Compared with 0.9.0" in capsys.readouterr().out


def test_gate_wants_a_version_bump_for_any_change(tmp_path: Path) -> None:
    baseline = write_baseline(
        tmp_path,
        lambda d: d["components"]["schemas"]["OrderRequest"]["properties"].pop("auto_capture"),
        SPEC["info"]["version"],
    )
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 1


def test_release_adds_the_changelog_entry(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_text((REPO_ROOT / "CHANGELOG.md").read_text())
    baseline = Baseline(SPEC, "spec-v1.0.0")
    notes = changelog.release_notes("9.1.0", baseline, [])
    changelog.prepend(path, notes)
    text = path.read_text()
    assert text.startswith("# Changelog")
    assert text.index("## 9.1.0 (") < text.index("## 1.0.0 (")
    assert changelog.entry_for(path, "9.1.0") == notes.rstrip("\n") + "\n"
    with pytest.raises(changelog.ChangelogError, match="already has"):
        changelog.prepend(path, notes)


def test_a_first_changelog_gets_its_header(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    changelog.prepend(path, changelog.release_notes("1.0.0", Baseline(None, "no release"), []))
    assert path.read_text().startswith(changelog.HEADER + "## 1.0.0 (")


def test_the_repository_passes_its_own_gate(capsys: pytest.CaptureFixture[str]) -> None:
    """No spec-v* tag here: the baseline is the spec at the commit that released the newest
    CHANGELOG.md entry, and the spec as it stands must be versioned for what changed since."""
    assert publish.main(["--gate-only"]) == 0, capsys.readouterr().err
    assert "Compared with " in capsys.readouterr().out


TEMPLATES = REPO_ROOT / "ci-templates"
WORKFLOWS = [
    TEMPLATES / "github-actions-contract.yml",
    TEMPLATES / "github-actions-release.yml",
    TEMPLATES / "github-actions-consumer.yml",  # its steps run in tests/toolchains
]
BIN = Path(sys.executable).parent


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema's copy of GitHub's workflow schema (vendored in the package, offline)."""
    return subprocess.run(  # noqa: S603
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def steps(path: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load(path.read_text())
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_templates_follow_githubs_schema(path: Path, tmp_path: Path) -> None:
    assert check_workflow(path).returncode == 0, check_workflow(path).stdout
    # The check can fail: a misspelt key is refused.
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace("runs-on:", "run-on:", 1))
    assert check_workflow(broken).returncode != 0


# Each action's newest release in its repository's snapshot (fetched and read with git when
# the templates were pinned): the release workflow pins these commits, the contract workflow
# these versions.
PINNED = {
    "actions/checkout": ("v7.0.1", "3d3c42e5aac5ba805825da76410c181273ba90b1"),
    "actions/setup-python": ("v7.0.0", "5fda3b95a4ea91299a34e894583c3862153e4b97"),
    "actions/cache": ("v5.0.5", "27d5ce7f107fe9357f9df03efb73ab90386fccae"),
    "actions/upload-artifact": ("v7.0.0", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"),
    "actions/download-artifact": ("v8.0.1", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c"),
    "actions/upload-pages-artifact": ("v5.0.0", "fc324d3547104276b827a68afc52ff2a11cc49c9"),
    "actions/deploy-pages": ("v5.0.0", "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128"),
}
# Pinned by exact version where a SHA could not be verified (the template says why).
EXACT_ONLY = {"pypa/gh-action-pypi-publish": "v1.14.1"}
USES = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@(\S+)(?:\s+# (\S+))?\s*$", re.M)
EXACT_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")


def uses(path: Path) -> list[tuple[str, str, str]]:
    """(action, ref, the comment after it) of every step that uses an action."""
    return USES.findall(path.read_text())


def test_the_release_workflow_pins_every_action_by_a_verified_commit() -> None:
    """Every job of it holds a token that can write or makes what those jobs publish."""
    found = uses(WORKFLOWS[1])
    assert len(found) == len(
        [s for s in steps(WORKFLOWS[1]) if "uses" in s]
    )  # the pattern saw every step
    for action, ref, comment in found:
        if action in EXACT_ONLY:
            assert (ref, comment) == (EXACT_ONLY[action], ""), action
            continue
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref} is not a commit SHA"
        assert (comment, ref) == PINNED[action], f"{action}@{ref} # {comment}"


@pytest.mark.parametrize("path", [WORKFLOWS[0], WORKFLOWS[2]], ids=lambda p: p.name)
def test_read_only_workflows_pin_exact_versions(path: Path) -> None:
    """No token in them can write: exact versions, the same releases the release workflow pins."""
    workflow = yaml.safe_load(path.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    found = uses(path)
    assert found
    for action, ref, _ in found:
        assert EXACT_VERSION.match(ref), f"{action}@{ref} is not an exact version"
        assert ref == PINNED[action][0], f"{action}@{ref}"
        assert ref == PINNED[action][0], f"{action}@{ref}"


def test_the_pull_request_workflow_runs_each_check_once() -> None:
    workflow = yaml.safe_load(WORKFLOWS[0].read_text())
    (job,) = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    # The suite holds lint, the drift check, the gate against the last release, dist/ and
    # the contract run; outside it, only the gate against the base branch, without the drift
    # check it would repeat, on pull requests, in one leg.
    assert "scripts/test" in runs
    for command in ("scripts/lint", "scripts/regenerate --check", "scripts/contract-test"):
        assert command not in runs
    base_gate = next(s for s in job["steps"] if "--against" in s.get("run", ""))
    assert (
        base_gate["run"]
        == 'scripts/publish --gate-only --no-drift-check --against "origin/$BASE_REF"'
    )
    assert "github.event_name == 'pull_request'" in base_gate["if"]
    assert "matrix.python-version == '3.11'" in base_gate["if"]
    assert [r for r in runs if r.startswith("scripts/publish")] == [base_gate["run"]]
    for command in ("scripts/test", "scripts/publish", "scripts/bootstrap"):
        assert (REPO_ROOT / command.split()[0]).exists()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # tags and CHANGELOG.md's history


def test_the_pull_request_workflow_covers_every_supported_python() -> None:
    workflow = yaml.safe_load(WORKFLOWS[0].read_text())
    (job,) = workflow["jobs"].values()
    pythons = job["strategy"]["matrix"]["python-version"]
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", requires).groups()  # type: ignore[union-attr]
    assert pythons == [f"3.{minor}" for minor in range(int(low), int(high))]
    assert workflow["concurrency"]["group"]


def test_the_pull_request_workflow_caches_by_the_lock_files() -> None:
    workflow = yaml.safe_load(WORKFLOWS[0].read_text())
    (job,) = workflow["jobs"].values()
    caches = {
        step["with"]["path"].split()[0]: step["with"]["key"]
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/cache")
    }
    assert "hashFiles('uv.lock')" in caches["~/.cache/uv"]
    assert "hashFiles('package-lock.json')" in caches["~/.npm"]
    assert "matrix.python-version" in caches["~/.cache/uv"]  # wheels differ by Python


def test_the_release_workflow_publishes_everywhere() -> None:
    workflow = yaml.safe_load(WORKFLOWS[1].read_text())
    triggers = workflow[True]  # PyYAML reads the key `on` as YAML 1.1's boolean
    assert triggers == {"push": {"tags": ["spec-v*"]}}
    jobs = workflow["jobs"]
    assert "scripts/publish" in [s.get("run") for s in jobs["build"]["steps"]]
    assert "gh release create" in jobs["github-release"]["steps"][-1]["run"]
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}  # trusted publishing
    assert jobs["pypi"]["steps"][-1]["with"]["packages-dir"] == "dist/python/"
    assert jobs["pages"]["steps"][-1]["uses"].startswith("actions/deploy-pages")
    assert not any(s.get("uses", "").startswith("actions/cache") for s in steps(WORKFLOWS[1]))


def test_pre_commit_config_is_valid_for_pre_commit(tmp_path: Path) -> None:
    config = TEMPLATES / "pre-commit-config.yaml"
    validate = [str(BIN / "pre-commit"), "validate-config"]
    result = subprocess.run([*validate, str(config)], capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(config.read_text().replace("entry:", "entri:", 1))
    refused = subprocess.run([*validate, str(broken)], capture_output=True, check=False)  # noqa: S603
    assert refused.returncode != 0
    hooks = yaml.safe_load(config.read_text())["repos"][0]["hooks"]
    regenerate = next(h for h in hooks if h["id"] == "regenerate-client")
    assert regenerate["entry"] == "scripts/regenerate"
    assert re.match(regenerate["files"], "openapi.yaml")
    assert not re.match(regenerate["files"], "README.md")
