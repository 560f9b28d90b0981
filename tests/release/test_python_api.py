"""The client layer's public API compared with the previous release's: what breaks a caller
(griffe's checks and the annotations it leaves unjudged), what only adds, and what is not
public (submodules, names outside ``__all__``). Small packages written here, a git repository
for the releases' refs, and the repository's own history."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kustom_release.change import Change
from kustom_release.python_api import (
    CLIENT_LAYER,
    ApiError,
    PublicPackage,
    compare_api,
)
from kustom_spec import REPO_ROOT
from tests.release.git_repo import git, new_repo

PACKAGE = PublicPackage("Client layer", "toykit", "src")

OLD = {
    "__init__.py": """
        from toykit.client import Client, Result
        from toykit.helpers import build, LIMIT

        __all__ = ["LIMIT", "Client", "Result", "build"]
    """,
    "client.py": """
        class Result:
            order_id: str
            amount: int | None


        class Client:
            def __init__(self, key: str, *, timeout: float = 60.0) -> None:
                self.key = key

            def fetch(self, token: str, *, retries: int = 2) -> Result:
                raise NotImplementedError

            def cancel(self, token: str) -> Result | None:
                raise NotImplementedError
    """,
    "helpers.py": """
        LIMIT = 10


        def build(name: str, price: int) -> dict[str, object]:
            return {}


        def internal(value: int) -> int:
            return value
    """,
}


def _write(repo: Path, files: dict[str, str]) -> None:
    folder = repo / "src" / "toykit"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit is the release of OLD."""
    repo = new_repo(tmp_path / "repo")
    _write(repo, OLD)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "release")
    return repo


def changed(repo: Path, **edits: tuple[str, str]) -> dict[str, set[str]]:
    """The work tree's changes against the release after replacing text in files
    (``client=(old, new)``), as {"breaking": lines, "other": lines}."""
    for module, (before, after) in edits.items():
        path = repo / "src" / "toykit" / f"{module}.py"
        text = path.read_text(encoding="utf-8")
        assert before in text, before
        path.write_text(text.replace(before, after), encoding="utf-8")
    found = compare_api(repo, "HEAD", None, (PACKAGE,))
    assert {c.part for c in found} <= {"Client layer"}
    return {
        "breaking": {c.line() for c in found if c.breaking},
        "other": {c.line() for c in found if not c.breaking},
    }


def test_no_change_is_no_change(repo: Path) -> None:
    assert changed(repo) == {"breaking": set(), "other": set()}


def test_a_removed_export_breaks(repo: Path) -> None:
    found = changed(
        repo, __init__=('__all__ = ["LIMIT", "Client", "Result", "build"]', '__all__ = ["Client"]')
    )
    assert found["breaking"] == {
        "toykit.LIMIT: Public object was removed",
        "toykit.Result: Public object was removed",
        "toykit.build: Public object was removed",
    }


def test_a_renamed_method_breaks_and_adds(repo: Path) -> None:
    found = changed(repo, client=("def fetch(", "def get("))
    assert found == {
        "breaking": {"toykit.Client.fetch: Public object was removed"},
        "other": {"toykit.Client.get: added"},
    }


def test_griffe_signature_breaks_are_named_by_the_public_path(repo: Path) -> None:
    found = changed(
        repo,
        client=(
            "def fetch(self, token: str, *, retries: int = 2)",
            "def fetch(self, token: str, mode: str, *, retries: int = 3)",
        ),
        helpers=("def build(name: str, price: int)", "def build(price: int, name: str)"),
    )
    assert found["breaking"] == {
        "toykit.Client.fetch: Parameter was added as required: mode",
        "toykit.Client.fetch: Parameter default was changed: retries (2 -> 3)",
        "toykit.build: Positional parameter was moved: name (position: from 0 to 1 (+1))",
        "toykit.build: Positional parameter was moved: price (position: from 1 to 0 (-1))",
    }
    assert found["other"] == set()


def test_a_changed_return_type_breaks(repo: Path) -> None:
    """griffe 2.4 calls any return annotation compatible; the walk here does not."""
    found = changed(repo, client=("-> Result:", "-> dict[str, object]:"))
    assert found == {
        "breaking": {"toykit.Client.fetch: return type Result -> dict[str, object]"},
        "other": set(),
    }


def test_a_narrowed_return_adds_and_a_widened_one_breaks(repo: Path) -> None:
    narrowed = changed(repo, client=("-> Result | None:", "-> Result:"))
    assert narrowed == {
        "breaking": set(),
        "other": {"toykit.Client.cancel: return type Result | None -> Result"},
    }
    widened = changed(repo, client=("-> Result:\n", "-> Result | int:\n"))
    assert "toykit.Client.fetch: return type Result -> Result | int" in widened["breaking"]


def test_a_parameter_type_widened_adds_and_narrowed_breaks(repo: Path) -> None:
    widened = changed(repo, client=("token: str, *, retries", "token: str | bytes, *, retries"))
    assert widened == {
        "breaking": set(),
        "other": {"toykit.Client.fetch: parameter token type str -> str | bytes"},
    }
    narrowed = changed(repo, helpers=("price: int)", "price: bool)"))
    assert narrowed["breaking"] == {"toykit.build: parameter price type int -> bool"}


def test_an_attribute_type_change_breaks(repo: Path) -> None:
    found = changed(repo, client=("amount: int | None", "amount: str"))
    assert found["breaking"] == {"toykit.Result.amount: type int | None -> str"}


def test_additions(repo: Path) -> None:
    found = changed(
        repo,
        client=(
            "*, retries: int = 2) -> Result:",
            "*, retries: int = 2, deadline: float | None = None) -> Result:",
        ),
        helpers=("LIMIT = 10", "LIMIT = 20"),
        __init__=('"build"]', '"build", "internal"]\nfrom toykit.helpers import internal'),
    )
    assert found == {
        "breaking": set(),
        "other": {
            "toykit.Client.fetch: parameter deadline added",
            "toykit.LIMIT: value 10 -> 20",
            "toykit.internal: added",
        },
    }


def test_what_is_not_exported_is_not_compared(repo: Path) -> None:
    found = changed(repo, helpers=("def internal(value: int) -> int:", "def internal() -> str:"))
    assert found == {"breaking": set(), "other": set()}


def test_a_package_new_since_the_release_is_all_additions(repo: Path) -> None:
    (repo / "src" / "newkit").mkdir()
    (repo / "src" / "newkit" / "__init__.py").write_text(
        '__all__ = ["go"]\n\n\ndef go() -> None:\n    pass\n', encoding="utf-8"
    )
    found = compare_api(repo, "HEAD", None, (PublicPackage("Mock", "newkit", "src"),))
    assert found == [Change("added", "newkit.go", False, "added", "Mock")]


def test_both_sides_read_fromgit(repo: Path) -> None:
    _write(repo, {"helpers.py": "LIMIT = 10\n\n\ndef build(name: str) -> None:\n    pass\n"})
    git(repo, "commit", "-qam", "next")
    found = compare_api(repo, "HEAD~1", "HEAD", (PACKAGE,))
    assert {c.line() for c in found if c.breaking} == {
        "toykit.build: Parameter was removed: price",
        "toykit.build: return type dict[str, object] -> None",
    }


def test_an_unknown_ref_is_an_error(repo: Path) -> None:
    with pytest.raises(ApiError, match="git cannot read src/toykit at no-such-ref"):
        compare_api(repo, "no-such-ref", None, (PACKAGE,))


def test_the_client_layer_between_2_1_0_and_2_2_0() -> None:
    """The repository's own history: 2.2.0 changed what get_token returns and typed the order
    as a TypedDict (released as a minor, before the gate compared the client layer)."""
    found = compare_api(REPO_ROOT, "b489b72", "2a38a6d")
    breaking = {c.line() for c in found if c.breaking}
    assert "kustom_client.KustomClient.get_token: return type CustomerToken -> RetrievedToken" in (
        breaking
    )
    assert len(breaking) == 9
    other = {c.line() for c in found if not c.breaking}
    assert "kustom_client.RetrievedToken: added" in other
    assert "kustom_client.KustomClient.get_token: parameter deadline added" in other
    assert {c.part for c in found} == {CLIENT_LAYER}


def test_a_package_gone_from_the_work_tree_is_all_removals(repo: Path) -> None:
    git(repo, "rm", "-rq", "src/toykit")
    found = compare_api(repo, "HEAD", None, (PACKAGE,))
    assert {c.line() for c in found} == {
        f"toykit.{name}: Public object was removed"
        for name in ("LIMIT", "Client", "Result", "build")
    }
    assert all(c.breaking for c in found)


def test_a_module_new_inside_a_released_package_is_all_additions(repo: Path) -> None:
    """As the mock's pytest helpers (kustom_mock.testing) join a released package."""
    (repo / "src" / "toykit" / "testing.py").write_text(
        "class Fixture:\n    def reset(self) -> None:\n        pass\n", encoding="utf-8"
    )
    found = compare_api(repo, "HEAD", None, (PublicPackage("Mock", "toykit.testing", "src"),))
    assert found == [Change("added", "toykit.testing.Fixture", False, "added", "Mock")]
