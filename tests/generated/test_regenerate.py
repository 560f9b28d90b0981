"""The drift check: passes on a clean tree, fails naming the files when spec and client part."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kustom_release import regenerate
from kustom_release.regenerate import GENERATED, SPEC, check, diff_trees, generate

ORDER_LINE = "kustom_customer_token_client/models/order_line.py"


def test_generated_matches_the_spec() -> None:
    assert check(SPEC, GENERATED) == []


def test_generation_is_deterministic_and_leaves_no_caches(tmp_path: Path) -> None:
    generate(SPEC, tmp_path / "a")
    generate(SPEC, tmp_path / "b")
    assert diff_trees(tmp_path / "a", tmp_path / "b") == []
    leftovers = [
        p.name for p in (tmp_path / "a").rglob("*") if p.name.startswith(".") and p.is_dir()
    ]
    assert leftovers == []
    assert (tmp_path / "a" / "kustom_customer_token_client" / "py.typed").exists()


def test_a_changed_spec_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "openapi.yaml"
    text = SPEC.read_text(encoding="utf-8")
    anchor = "        quantity_unit:\n"
    assert anchor in text
    spec.write_text(
        text.replace(anchor, "        gift_wrap:\n          type: boolean\n" + anchor, 1),
        encoding="utf-8",
    )
    assert regenerate.main(["--check", "--spec", str(spec)]) == 1
    err = capsys.readouterr().err
    assert f"differs: {ORDER_LINE}" in err
    assert "scripts/regenerate" in err


def test_a_hand_edited_client_is_caught(tmp_path: Path) -> None:
    copy = tmp_path / "generated"
    shutil.copytree(GENERATED, copy)
    (copy / ORDER_LINE).write_text((copy / ORDER_LINE).read_text() + "# edited by hand\n")
    (copy / "kustom_customer_token_client" / "extra.py").write_text("X = 1\n")
    (copy / "kustom_customer_token_client" / "types.py").unlink()
    assert check(SPEC, copy) == [
        "missing: kustom_customer_token_client/types.py",
        "unexpected: kustom_customer_token_client/extra.py",
        f"differs: {ORDER_LINE}",
    ]


def test_regenerate_replaces_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out)
    stale = out / "kustom_customer_token_client" / "models" / "removed_model.py"
    stale.write_text("STALE = True\n")
    assert regenerate.main(["--output", str(out)]) == 0
    assert not stale.exists()
    assert diff_trees(GENERATED, out) == []
