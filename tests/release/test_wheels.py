"""The three wheels, each installed from its file into a fresh virtual environment with nothing
of the repository on the path: the generated client alone (its description's example runs),
the client layer (which brings the generated client), and the mock (its console script and
``python -m``), and an order placed by the client layer against the installed mock; the
validating proxy from the mock's wheel, in front of the installed mock, and its record checked
offline by the wheel's kustom-verify-traffic."""

from __future__ import annotations

import email.parser
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from kustom_release import publish
from kustom_release.wheels import check_wheels
from kustom_servers.mock_process import RunningMock, running_mock
from kustom_spec import REPO_ROOT, load_spec
from tests.proxy.helpers import running_proxy
from tests.venvs import Venv, clean_env, make_venv, wheel

FIXTURES = yaml.safe_load((REPO_ROOT / "src" / "kustom_mock" / "default_fixtures.yaml").read_text())
MERCHANT = FIXTURES["merchants"][0]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist") / "python"
    publish.build_wheels(folder)
    return folder


@pytest.fixture(scope="module")
def mock_venv(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    # The siblings its pins name are given as files too, so that nothing of ours can come
    # from a package index.
    base = tmp_path_factory.mktemp("venvs")
    return make_venv(
        base,
        "mock",
        wheel(wheels, "kustom_mock"),
        wheel(wheels, "kustom_client"),
        wheel(wheels, "kustom_customer_token_client"),
    )


@pytest.fixture(scope="module")
def installed_mock(mock_venv: Venv) -> Iterator[RunningMock]:
    with running_mock(launcher=[mock_venv.script("kustom-mock")], cwd=mock_venv.workdir) as mock:
        yield mock


def imported_from(venv: Venv, module: str) -> Path:
    return Path(venv.run("-c", f"import {module}; print({module}.__file__)").strip())


def test_the_wheels_agree_with_the_spec(wheels: Path) -> None:
    assert check_wheels(wheels, load_spec().document) == []
    tops = {}
    for path in wheels.glob("*.whl"):
        with zipfile.ZipFile(path) as archive:
            tops[path.name] = {n.split("/")[0] for n in archive.namelist() if "/" in n}
            tops[path.name] -= {n for n in tops[path.name] if n.endswith(".dist-info")}
    shipped = [module for modules in tops.values() for module in modules]
    assert len(shipped) == len(set(shipped)), tops  # no module in two wheels
    assert not {"kustom_release", "kustom_servers", "kustom_contract"} & set(shipped)  # tooling


def test_the_generated_client_alone_runs_its_own_example(
    wheels: Path, installed_mock: RunningMock, tmp_path: Path
) -> None:
    venv = make_venv(tmp_path, "generated", wheel(wheels, "kustom_customer_token_client"))
    assert venv.root in imported_from(venv, "kustom_customer_token_client").parents
    venv.run("-c", "import importlib.util as u; assert u.find_spec('kustom_client') is None")
    with zipfile.ZipFile(wheel(wheels, "kustom_customer_token_client")) as archive:
        name = next(n for n in archive.namelist() if n.endswith("METADATA"))
        description = str(email.parser.Parser().parsestr(archive.read(name).decode()).get_payload())
    assert "Bearer" not in description.replace("sends a Bearer token, which Kustom refuses", "")
    assert "Authorization: Basic <API key>" in description
    examples = re.findall(r"```python\n(.*?)```", description, re.S)
    assert examples
    output = venv.run(
        "-c",
        examples[0],
        env={
            "KUSTOM_BASE_URL": installed_mock.base_url,
            "KUSTOM_API_KEY": MERCHANT["api_key"],
            "KUSTOM_USERNAME": MERCHANT.get("username", MERCHANT["merchant_id"]),
        },
    )
    assert output.startswith("created "), output


def test_the_client_layer_places_an_order_against_the_installed_mock(
    wheels: Path, installed_mock: RunningMock, tmp_path: Path
) -> None:
    venv = make_venv(
        tmp_path,
        "client",
        wheel(wheels, "kustom_client"),
        wheel(wheels, "kustom_customer_token_client"),
    )
    for module in ("kustom_client", "kustom_rules", "kustom_customer_token_client"):
        assert venv.root in imported_from(venv, module).parents
    venv.run("-c", "import importlib.util as u; assert u.find_spec('kustom_mock') is None")
    # The client layer's own auth (the API key alone), not a header built here.
    program = f"""
from kustom_client import KustomClient, TokenSuspendedError, build_order, build_order_line
with KustomClient({MERCHANT["api_key"]!r}, base_url={installed_mock.base_url!r}, max_retries=0) as kustom:
    order = build_order([build_order_line("Shoe", quantity=2, unit_price=2500, tax_rate=2500)], purchase_currency="EUR")
    created = kustom.create_order("tok_active", order)
    print(created.order_id, created.fraud_status)
    try:
        kustom.create_order("tok_suspended", order)
    except TokenSuspendedError as error:
        print("suspended", error.status_code)
"""
    lines = venv.run("-c", program).splitlines()
    assert lines[0].split()[1] == "ACCEPTED"
    assert lines[1] == "suspended 403"


def test_the_mock_runs_from_its_wheel_alone(mock_venv: Venv, installed_mock: RunningMock) -> None:
    spec_path = Path(
        mock_venv.run("-c", "import kustom_spec; print(kustom_spec.DEFAULT_SPEC_PATH)").strip()
    )
    assert mock_venv.root in spec_path.parents
    assert spec_path.name == "openapi.yaml"
    assert mock_venv.root in imported_from(mock_venv, "kustom_rules").parents
    answer = httpx.post(
        f"{installed_mock.base_url}/customer-token/v1/tokens/tok_active/order", json={}
    )
    assert answer.status_code == 401  # the spec's security, from the embedded spec
    with running_mock(
        launcher=[mock_venv.script("python"), "-I", "-m", "kustom_mock"], cwd=mock_venv.workdir
    ) as again:
        assert (
            httpx.post(f"{again.base_url}/customer-token/v1/tokens/x/order", json={}).status_code
            == 401
        )


def test_the_proxy_runs_from_the_mocks_wheel(
    mock_venv: Venv, installed_mock: RunningMock, tmp_path: Path
) -> None:
    for module in ("kustom_proxy", "kustom_conformance"):
        assert mock_venv.root in imported_from(mock_venv, module).parents
    har = tmp_path / "traffic.har"
    with running_proxy(
        installed_mock.base_url,
        ["--record", str(har)],
        launcher=[mock_venv.script("kustom-proxy")],
        cwd=mock_venv.workdir,
    ) as proxy:
        answer = httpx.post(
            f"{proxy.base_url}/customer-token/v1/tokens/tok_active/order",
            json={},
            headers={"Authorization": f"Basic {MERCHANT['api_key']}"},
        )
        output = proxy.stop()
    assert answer.status_code == 400  # the mock's refusal, passed through
    assert "client breaks request.schema (createOrder)" in output
    checked = subprocess.run(  # noqa: S603
        [mock_venv.script("kustom-verify-traffic"), str(har)],
        capture_output=True,
        text=True,
        cwd=mock_venv.workdir,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert checked.returncode == 1, checked.stderr
    assert "client breaks request.schema (createOrder)" in checked.stdout
