"""The mock's pytest plugin as a merchant installs it: the three wheels and pytest in a fresh
virtual environment, nothing of this repository on the path, and docs/mock.md's complete example
test file run there twice in a row (each test starts from the fixtures, so the second run sees
what the first did not leave behind), and the example of the wheel's own README."""

from __future__ import annotations

from pathlib import Path

import pytest

from kustom_release import publish
from kustom_spec import REPO_ROOT
from tests.docs.examples import examples_in, run_by
from tests.venvs import Venv, make_venv, wheel

THIS = "tests/plugin/test_from_the_wheels.py"
RUNS = 2


@pytest.fixture(scope="module")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    wheels = tmp_path_factory.mktemp("dist") / "python"
    publish.build_wheels(wheels)
    # The mock with its pytest extra, the client layer its example uses, and pytest at the
    # version of this run (the extra's range allows it), so that nothing comes unpinned.
    return make_venv(
        tmp_path_factory.mktemp("venvs"),
        "plugin",
        f"{wheel(wheels, 'kustom_mock')}[pytest]",
        wheel(wheels, "kustom_client"),
        wheel(wheels, "kustom_customer_token_client"),
        f"pytest=={pytest.__version__}",
    )


def test_the_docs_example_passes_twice_in_a_row(plugin_venv: Venv) -> None:
    [example] = run_by(THIS, "python")
    test_file = plugin_venv.workdir / "test_checkout.py"
    test_file.write_text(example.code, encoding="utf-8")
    collected = example.code.count("\ndef test_")
    assert collected == 4
    for _ in range(RUNS):
        # The plugin comes by its entry point alone: no -p, no conftest.
        output = plugin_venv.run(
            "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name, timeout=240
        )
        assert f"{collected} passed" in output, output
    assert not (plugin_venv.workdir / ".pytest_cache").exists()


def test_the_wheels_readme_example_passes(plugin_venv: Venv) -> None:
    """The example of the mock's own README (the package's description on the index)."""
    readme = REPO_ROOT / "packages" / "kustom-mock" / "README.md"
    [example] = [
        e
        for e in examples_in(readme.read_text(encoding="utf-8"), "README")
        if e.language == "python"
    ]
    (plugin_venv.workdir / "test_readme.py").write_text(example.code, encoding="utf-8")
    output = plugin_venv.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "test_readme.py")
    assert "1 passed" in output, output


def test_the_plugin_is_registered_and_importing_the_mock_imports_no_pytest(
    plugin_venv: Venv,
) -> None:
    output = plugin_venv.run("-m", "pytest", "--fixtures", "-p", "no:cacheprovider")
    assert "fixtures defined from kustom_mock.pytest_plugin" in output, output
    lines = output.splitlines()
    assert any(line.startswith("kustom_mock -- ") for line in lines), output
    assert any(line.startswith("kustom_mock_process [session scope] -- ") for line in lines)
    program = (
        "import sys, kustom_mock, kustom_mock.app, kustom_mock.testing, kustom_mock.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'pytest', '_pytest'}))"
    )
    assert plugin_venv.run("-c", program).strip() == "[]"


def test_its_files_are_in_the_venv(plugin_venv: Venv) -> None:
    located = plugin_venv.run("-c", "import kustom_mock.pytest_plugin as p; print(p.__file__)")
    assert plugin_venv.root in Path(located.strip()).parents
