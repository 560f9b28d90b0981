"""scripts/publish: artefacts, versions, the gate and its changelog entry; the CI templates."""

from __future__ import annotations

import json
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustom_devtools import publish
from kustom_spec import REPO_ROOT, load_spec

SPEC: dict[str, Any] = load_spec().document


def write_baseline(tmp_path: Path, mutate: Any, version: str) -> Path:
    import copy

    baseline = copy.deepcopy(SPEC)
    baseline["info"]["version"] = version
    mutate(baseline)
    path = tmp_path / "released.yaml"
    path.write_text(yaml.safe_dump(baseline), encoding="utf-8")
    return path


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
    wheel = out / "client" / f"kustom_customer_token_client-{version}-py3-none-any.whl"
    sdist = out / "client" / f"kustom_customer_token_client-{version}.tar.gz"
    assert sdist.exists()
    with zipfile.ZipFile(wheel) as archive:
        assert "kustom_customer_token_client/py.typed" in archive.namelist()
    assert (out / "RELEASE_NOTES.md").read_text().startswith(f"## {version} (")
    assert not (out / "client" / ".gitignore").exists()


def test_gate_fails_a_breaking_change_without_a_major_bump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The released spec had one more order line type: removing it breaks requests.
    baseline = write_baseline(
        tmp_path,
        lambda d: d["components"]["schemas"]["OrderLineType"]["enum"].append("service"),
        SPEC["info"]["version"],
    )
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 1
    captured = capsys.readouterr()
    assert "breaking-change gate: 1 breaking change(s) need a major version" in captured.err
    assert "### Breaking changes" in captured.out
    assert "enum values removed: ['service']" in captured.out


def test_gate_passes_a_breaking_change_with_a_major_bump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = write_baseline(
        tmp_path,
        lambda d: d["components"]["schemas"]["OrderLineType"]["enum"].append("service"),
        "0.9.0",
    )
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 0
    assert "Compared with 0.9.0" in capsys.readouterr().out


def test_gate_wants_a_version_bump_for_any_change(tmp_path: Path) -> None:
    baseline = write_baseline(
        tmp_path,
        lambda d: d["components"]["schemas"]["OrderRequest"]["properties"].pop("auto_capture"),
        SPEC["info"]["version"],
    )
    assert publish.main(["--gate-only", "--against", str(baseline)]) == 1


def test_release_adds_the_changelog_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    monkeypatch.setattr(publish, "CHANGELOG", changelog)
    baseline = write_baseline(tmp_path, lambda d: None, "0.9.0")
    notes = publish.release_notes("1.0.0", yaml.safe_load(baseline.read_text()), "spec-v0.9.0", [])
    publish.prepend_changelog(notes)
    text = changelog.read_text()
    assert text.startswith("# Changelog")
    assert "## 1.0.0 (" in text
    with pytest.raises(publish.PublishError, match="already has"):
        publish.prepend_changelog(notes)


def test_the_repositorys_changelog_has_this_version() -> None:
    assert f"## {SPEC['info']['version']} (" in (REPO_ROOT / "CHANGELOG.md").read_text()


def test_ci_templates() -> None:
    workflow = yaml.safe_load((REPO_ROOT / "templates" / "github-actions-contract.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["contract"]["steps"]]
    for command in (
        "scripts/lint",
        "scripts/regenerate --check",
        "scripts/contract-test",
        "scripts/publish --gate-only",
    ):
        assert command in runs
        assert (REPO_ROOT / command.split()[0]).exists()
    assert any(
        step.get("uses", "").startswith("actions/upload-artifact")
        for step in workflow["jobs"]["contract"]["steps"]
    )
    hooks = yaml.safe_load((REPO_ROOT / "templates" / "pre-commit-config.yaml").read_text())[
        "repos"
    ][0]["hooks"]
    regenerate = next(h for h in hooks if h["id"] == "regenerate-client")
    assert regenerate["entry"] == "scripts/regenerate"
    import re

    assert re.match(regenerate["files"], "openapi.yaml")
    assert not re.match(regenerate["files"], "README.md")
