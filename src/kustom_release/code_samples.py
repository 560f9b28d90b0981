"""Request samples for the HTML reference (Redoc's ``x-codeSamples``): curl, Python with
``kustom_client``, TypeScript with ``fetch``, one of each per operation, written from the
spec's own examples when the reference is built, so they cannot drift from it.

Each sample reads the API key and the base URL from ``KUSTOM_API_KEY`` and ``KUSTOM_BASE_URL``
(the variables ``kustom_client`` reads), sends the operation's first request example with
the path parameter's and headers' examples, and fails on an error status.
``tests/release/test_code_samples.py`` runs every sample against the mock.
"""

from __future__ import annotations

import json
import pprint
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustom_release.errors import ReleaseError
from kustom_spec import Spec
from kustom_spec.document import Operation
from kustom_spec.names import read_names

AUTHORIZATION = "Authorization"
RUFF = Path(sys.executable).parent / "ruff"
CONTENT_TYPE = "application/json"
# The curl sample's idempotency key: the reader's, new for each new request. The spec's example
# key, sent by every sample, would make the second operation a conflict (409).
IDEMPOTENCY_VARIABLE = "IDEMPOTENCY_KEY"
NEW_KEY = "a new UUID for each new request; a retry sends the same one"


@dataclass(frozen=True)
class ClientCall:
    """The ``kustom_client.KustomClient`` method for an operation, and whether it takes the
    request body (``cancel_token`` sends its own)."""

    method: str
    takes_body: bool


# kustom_client's methods by operationId (its docs: docs/client.md). An operation missing
# here stops the reference's build with a message that names it.
CLIENT_CALLS = {
    "createOrder": ClientCall("create_order", takes_body=True),
    "readCustomerToken": ClientCall("get_token", takes_body=False),
    "patchCustomerToken": ClientCall("cancel_token", takes_body=False),
}


class SampleError(ReleaseError):
    """The spec has an operation the samples cannot be written for."""


@dataclass(frozen=True)
class Request:
    """What one sample sends: from the operation and its examples."""

    method: str
    path: str  # with the path parameters' example values in place
    token: str | None  # the customer token in the path, for the client's call
    headers: dict[str, str]
    body: Any  # None: no body
    answers_with_body: bool  # the success response has a JSON body
    servers: tuple[str, ...]


def _example_value(node: dict[str, Any], spec: Spec, name: str | None) -> Any:
    """The example named ``name`` of a parameter or media type, else its ``example``, else its
    first named one; None when it has none."""
    examples = {k: spec.resolve(v).get("value") for k, v in node.get("examples", {}).items()}
    if name is not None and name in examples:
        return examples[name]
    if "example" in node:
        return node["example"]
    return next(iter(examples.values()), None)


@dataclass(frozen=True)
class BodyExample:
    name: str | None  # None: the media type's unnamed ``example``, or no body
    value: Any


def _request_example(operation: Operation, spec: Spec) -> BodyExample:
    """The first named request example: the one the reference shows beside the samples."""
    body = operation.request_body
    if body is None:
        return BodyExample(None, None)
    media = body["content"][CONTENT_TYPE]
    named = {k: spec.resolve(v).get("value") for k, v in media.get("examples", {}).items()}
    if named:
        name = next(iter(named))
        return BodyExample(name, named[name])
    return BodyExample(None, media.get("example"))


def request_of(operation: Operation) -> Request:
    spec = operation.spec
    example = _request_example(operation, spec)
    path, token, headers = operation.path, None, {}
    for param in operation.parameters:
        # A parameter's example of the same name as the body's belongs with it (Specmatic's
        # and Microcks' pairing); else its own example.
        value = _example_value(param, spec, example.name)
        if value is None:
            continue
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(value))
            token = str(value)
        elif param["in"] == "header":
            headers[param["name"]] = str(value)
    success = min(s for s in operation.statuses if 200 <= s < 300)
    return Request(
        method=operation.method.upper(),
        path=path,
        token=token,
        headers=headers,
        body=example.value,
        answers_with_body=operation.response_schema(success) is not None,
        servers=tuple(str(s["url"]) for s in spec.document.get("servers", [])),
    )


def _where(request: Request, comment: str) -> list[str]:
    return [
        f"{comment} KUSTOM_API_KEY: your API key",
        f"{comment} KUSTOM_BASE_URL: {', or '.join(request.servers)}",
    ]


def _formatted(source: str) -> str:
    """Python source as ruff formats it (the project's formatter, pinned in uv.lock)."""
    result = subprocess.run(  # noqa: S603
        [str(RUFF), "format", "--quiet", "--line-length", "88", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.rstrip("\n")


def curl(request: Request, auth_scheme: str, idempotency_header: str) -> str:
    lines = _where(request, "#")
    headers = [f"{AUTHORIZATION}: {auth_scheme} $KUSTOM_API_KEY"]
    for name, value in request.headers.items():
        if name == idempotency_header:
            lines.append(f"# {IDEMPOTENCY_VARIABLE}: {NEW_KEY}")
            value = f"${IDEMPOTENCY_VARIABLE}"
        headers.append(f"{name}: {value}")
    method = "" if request.method == "GET" else f" -X {request.method}"
    # An answer without a body shows its status instead (202 for a cancel).
    status = "" if request.answers_with_body else " -w '%{http_code}\\n'"
    lines.append(f'curl -sS --fail-with-body{status}{method} "$KUSTOM_BASE_URL{request.path}" \\')
    if request.body is not None:
        headers.append(f"Content-Type: {CONTENT_TYPE}")
    lines += [f'  -H "{header}" \\' for header in headers]
    if request.body is None:
        lines[-1] = lines[-1].removesuffix(" \\")
        return "\n".join(lines)
    lines.append("  --data @- <<'JSON'")
    lines.append(json.dumps(request.body, indent=2, ensure_ascii=False))
    lines.append("JSON")
    return "\n".join(lines)


def python(request: Request, call: ClientCall, idempotency_header: str) -> str:
    arguments = [repr(request.token)]
    if call.takes_body and request.body is not None:
        literal = pprint.pformat(request.body, indent=1, width=88, sort_dicts=False)
        arguments.append(literal)
    joined = textwrap.indent(",\n".join(arguments), " " * 8)
    return _formatted(
        "\n".join(
            [
                "from kustom_client import KustomClient",
                "",
                *_where(request, "#"),
                "with KustomClient() as kustom:",
                f"    result = kustom.{call.method}(",
                joined,
                "    )",
                "    print(result)",
            ]
        )
    )


def typescript(request: Request, auth_scheme: str, idempotency_header: str) -> str:
    headers = {AUTHORIZATION: f"`{auth_scheme} ${{process.env.KUSTOM_API_KEY}}`"}
    headers |= {
        # A new key for each new request; a retry of it sends the same one.
        name: "crypto.randomUUID()" if name == idempotency_header else json.dumps(value)
        for name, value in request.headers.items()
    }
    if request.body is not None:
        headers["Content-Type"] = json.dumps(CONTENT_TYPE)
    header_lines = [
        f"      {name if name.isidentifier() else json.dumps(name)}: {value},"
        for name, value in headers.items()
    ]
    options = [f'    method: "{request.method}",', "    headers: {", *header_lines, "    },"]
    if request.body is not None:
        body = textwrap.indent(json.dumps(request.body, indent=2, ensure_ascii=False), "    ")
        options.append(f"    body: JSON.stringify({body.lstrip()}),")
    answer = "await response.json()" if request.answers_with_body else "response.status"
    return "\n".join(
        [
            *_where(request, "//"),
            "const response = await fetch(",
            f"  `${{process.env.KUSTOM_BASE_URL}}{request.path}`,",
            "  {",
            *options,
            "  },",
            ");",
            "if (!response.ok) {",
            "  throw new Error(`${response.status}: ${await response.text()}`);",
            "}",
            f"console.log({answer});",
        ]
    )


def code_samples(operation: Operation) -> list[dict[str, str]]:
    """The operation's ``x-codeSamples``: curl, Python, TypeScript."""
    call = CLIENT_CALLS.get(operation.operation_id)
    if call is None:
        raise SampleError(
            f"no kustom_client method for operation {operation.operation_id}: add it to "
            "CLIENT_CALLS in src/kustom_release/code_samples.py"
        )
    names = read_names(operation.spec)
    request = request_of(operation)
    return [
        {
            "lang": "curl",
            "label": "curl",
            "source": curl(request, names.auth_scheme, names.idempotency_key),
        },
        {
            "lang": "Python",
            "label": "Python",
            "source": python(request, call, names.idempotency_key),
        },
        {
            "lang": "TypeScript",
            "label": "TypeScript",
            "source": typescript(request, names.auth_scheme, names.idempotency_key),
        },
    ]


# Redoc shows only the samples of the languages it is told about, in this order; "Payload" is
# its own tab of the request body.
LANGUAGES = [{"lang": "curl"}, {"lang": "Python"}, {"lang": "TypeScript"}, {"lang": "Payload"}]
