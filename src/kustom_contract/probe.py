"""``scripts/probe``: a dozen single requests to KUSTOM_BASE_URL about the facts the vendor's
documentation leaves open, each compared with what openapi.yaml says.

Run it once against the playground before trusting a live contract run: a row that differs is
a fact to fold back into the spec (docs/contract-tests.md, "Live runs"). The contract run's
target variables and KUSTOM_LIVE=1 rule (kustom_contract.target; not its depth, budget or
reports); it places a few real orders with the token.
Exit 0: every row agrees; 1: a row differs; 2: the configuration is wrong or the target is
unreachable.
"""

from __future__ import annotations

import argparse
import base64
import copy
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from kustom_contract.errors import ContractError
from kustom_contract.target import Target, target_from_env
from kustom_spec import load_spec, read_names

SPEC = load_spec()
NAMES = read_names(SPEC)
SCHEME = NAMES.auth_scheme
MINIMAL = SPEC.resolve(SPEC.document["components"]["examples"]["MinimalOrder"])["value"]
DISCOUNT = SPEC.resolve(SPEC.document["components"]["examples"]["DiscountLineOrder"])["value"]
KEY_LIMIT = SPEC.resolve(SPEC.document["components"]["parameters"]["IdempotencyKey"])["schema"][
    "maxLength"
]


@dataclass(frozen=True)
class Observed:
    """What the server did, in the table's words, and whether the spec allows it."""

    text: str
    agrees: bool


@dataclass(frozen=True)
class Probe:
    fact: str
    spec_says: str
    run: Callable[[Client], Observed]
    needs: str = ""  # what the probe needs from the environment; empty: nothing more


@dataclass(frozen=True)
class Row:
    fact: str
    spec_says: str
    server_did: str
    verdict: str  # agree | differ | skipped


class Client:
    """The target over HTTP, with its credentials in either of Kustom's forms."""

    def __init__(self, target: Target, http: httpx.Client) -> None:
        assert target.base_url is not None
        self.target = target
        self.http = http
        self.token = target.approving_tokens[0]

    def raw_key(self) -> dict[str, str]:
        return {"Authorization": f"{SCHEME} {self.target.api_key}"}

    def username_and_key(self, user: str, password: str) -> dict[str, str]:
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"{SCHEME} {encoded}"}

    def read(self, headers: dict[str, str], token: str | None = None) -> httpx.Response:
        path = SPEC.operation("readCustomerToken").path
        return self.http.get(path.replace("{customerToken}", token or self.token), headers=headers)

    def order(
        self, body: Any, *, key: str | None = None, token: str | None = None
    ) -> httpx.Response:
        path = SPEC.operation("createOrder").path.replace("{customerToken}", token or self.token)
        headers = {**self.raw_key(), NAMES.idempotency_key: key or str(uuid.uuid4())}
        return self.http.post(path, json=body, headers=headers)

    def cancel(self, token: str) -> httpx.Response:
        path = SPEC.operation("patchCustomerToken").path.replace("{customerToken}", token)
        return self.http.patch(path, json={"status": "CANCELLED"}, headers=self.raw_key())


def _status(response: httpx.Response) -> str:
    try:
        code = response.json().get("error_code")
    except (ValueError, AttributeError):
        code = None
    return f"{response.status_code} {code}" if code else str(response.status_code)


def _expect(response: httpx.Response, statuses: set[int], code: str | None = None) -> Observed:
    agrees = response.status_code in statuses
    if code is not None and agrees:
        agrees = _status(response) == f"{response.status_code} {code}"
    return Observed(_status(response), agrees)


def _order(currency: str | None, body: dict[str, Any]) -> dict[str, Any]:
    order = copy.deepcopy(body)
    if currency:
        order["purchase_currency"] = currency
    return order


def _free_line(currency: str | None) -> dict[str, Any]:
    order = _order(currency, MINIMAL)
    order["order_lines"][0].update(unit_price=0, total_amount=0)
    order["order_amount"] = 0
    return order


def _reused_key(client: Client) -> Observed:
    key = str(uuid.uuid4())
    first = client.order(_order(client.target.currency, MINIMAL), key=key)
    changed = _order(client.target.currency, MINIMAL)
    changed["merchant_reference1"] = "probe-changed"
    second = client.order(changed, key=key)
    return Observed(f"{_status(first)}, then {_status(second)}", second.status_code == 409)


def _wrong_method(client: Client) -> Observed:
    path = SPEC.operation("createOrder").path.replace("{customerToken}", client.token)
    response = client.http.put(path, headers=client.raw_key())
    allow = response.headers.get("Allow")
    return Observed(
        f"{response.status_code}, Allow: {allow}", response.status_code == 405 and allow == "POST"
    )


def _rate_limit_headers(client: Client) -> Observed:
    response = client.read(client.raw_key())
    names = NAMES.rate_limit
    present = [n for n in names if n in response.headers]
    shown = ", ".join(f"{n}: {response.headers[n]}" for n in present) or "none"
    return Observed(shown, len(present) == len(names))


def _second_cancel(client: Client) -> Observed:
    token = client.target.cancel_token
    assert token is not None
    first, second = client.cancel(token), client.cancel(token)
    return Observed(
        f"{_status(first)}, then {_status(second)}", first.status_code == second.status_code == 202
    )


def _cancelled_token(client: Client) -> Observed:
    token = client.target.cancel_token
    assert token is not None
    client.cancel(token)
    return _expect(
        client.order(_order(client.target.currency, MINIMAL), token=token), {403}, "TOKEN_CANCELED"
    )


PROBES: tuple[Probe, ...] = (
    Probe(
        f"auth: {SCHEME} <API key>",
        "200 (securitySchemes.merchantAuth, the key alone)",
        lambda c: _expect(c.read(c.raw_key()), {200}),
    ),
    Probe(
        f"auth: {SCHEME} base64(username:key)",
        "200 (securitySchemes.merchantAuth, username and key)",
        lambda c: _expect(c.read(c.username_and_key(c.target.username, c.target.api_key)), {200}),
        needs="KUSTOM_USERNAME",
    ),
    Probe(
        "auth: base64 of the key alone",
        "401",
        lambda c: _expect(
            c.read(
                {
                    "Authorization": f"{SCHEME} {base64.b64encode(c.target.api_key.encode()).decode()}"
                }
            ),
            {401},
        ),
    ),
    Probe(
        "auth: the key as the username",
        "401",
        lambda c: _expect(c.read(c.username_and_key(c.target.api_key, "")), {401}),
    ),
    Probe(
        "unknown token read",
        "404 NOT_FOUND",
        lambda c: _expect(
            c.read(c.raw_key(), token=f"probe-{uuid.uuid4().hex}"), {404}, "NOT_FOUND"
        ),
    ),
    Probe(
        "discount line with negative amounts",
        "200 (rule 7)",
        lambda c: _expect(c.order(_order(c.target.currency, DISCOUNT)), {200}),
    ),
    Probe(
        "order without order_tax_amount",
        "200 (optional, as on Kustom's page)",
        lambda c: _expect(c.order(_order(c.target.currency, MINIMAL)), {200}),
    ),
    Probe(
        "order_amount 0 (one free line)",
        "200 (minimum 0)",
        lambda c: _expect(c.order(_free_line(c.target.currency)), {200}),
    ),
    Probe(
        f"idempotency key of {KEY_LIMIT + 1} characters",
        "400 BAD_VALUE (this contract's limit)",
        lambda c: _expect(
            c.order(_order(c.target.currency, MINIMAL), key="k" * (KEY_LIMIT + 1)),
            {400},
            "BAD_VALUE",
        ),
    ),
    Probe(
        "same key, another body",
        "409 IDEMPOTENCY_KEY_CONFLICT (this contract's choice)",
        _reused_key,
    ),
    Probe("PUT on the order path", "405, Allow: POST", _wrong_method),
    Probe(
        "rate-limit headers on a response",
        ", ".join(NAMES.rate_limit),
        _rate_limit_headers,
    ),
    Probe(
        "order with a cancelled token",
        "403 TOKEN_CANCELED",
        _cancelled_token,
        needs="KUSTOM_ALLOW_CANCEL=1 and KUSTOM_CANCEL_TOKEN",
    ),
    Probe(
        "cancelling a cancelled token",
        "202 (this contract's choice)",
        _second_cancel,
        needs="KUSTOM_ALLOW_CANCEL=1 and KUSTOM_CANCEL_TOKEN",
    ),
)


def _available(probe: Probe, target: Target) -> bool:
    if probe.needs == "KUSTOM_USERNAME":
        return bool(target.username)
    if probe.needs:
        return target.cancel_token is not None
    return True


def run_probes(target: Target, http: httpx.Client) -> list[Row]:
    client = Client(target, http)
    rows: list[Row] = []
    for probe in PROBES:
        if not _available(probe, target):
            rows.append(
                Row(probe.fact, probe.spec_says, f"not run (needs {probe.needs})", "skipped")
            )
            continue
        observed = probe.run(client)
        verdict = "agree" if observed.agrees else "differ"
        rows.append(Row(probe.fact, probe.spec_says, observed.text, verdict))
    return rows


def render(rows: Sequence[Row]) -> str:
    headers = ("fact", "the spec says", "the server did", "")
    table = [headers, *((r.fact, r.spec_says, r.server_did, r.verdict) for r in rows)]
    widths = [max(len(str(line[i])) for line in table) for i in range(3)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(line[:3], widths, strict=True))
        + "  "
        + line[3]
        for line in table
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/probe",
        description=(
            "Ask the server at KUSTOM_BASE_URL about the facts Kustom's documentation leaves "
            "open and compare each answer with openapi.yaml. Reads KUSTOM_BASE_URL, "
            "KUSTOM_API_KEY, KUSTOM_CUSTOMER_TOKEN, KUSTOM_USERNAME, KUSTOM_LIVE, "
            "KUSTOM_PURCHASE_CURRENCY, KUSTOM_ALLOW_CANCEL and KUSTOM_CANCEL_TOKEN. Places a few "
            "orders with the token. Exit 0: all agree; 1: a row differs; 2: bad configuration."
        ),
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = parser.parse_args(argv)
    try:
        target = target_from_env()
    except ContractError as exc:
        print(f"scripts/probe: {exc}", file=sys.stderr)
        return exc.exit_code
    if target.base_url is None:
        print(
            "scripts/probe: set KUSTOM_BASE_URL (and its credentials) to probe a server",
            file=sys.stderr,
        )
        return 2
    try:
        with httpx.Client(base_url=target.base_url, timeout=args.timeout) as http:
            rows = run_probes(target, http)
    except httpx.HTTPError as exc:
        print(
            f"scripts/probe: {target.base_url} did not answer: {type(exc).__name__}",
            file=sys.stderr,
        )
        return 2
    print(render(rows))
    counts = {v: sum(r.verdict == v for r in rows) for v in ("agree", "differ", "skipped")}
    print(f"{counts['agree']} agree, {counts['differ']} differ, {counts['skipped']} skipped")
    return 1 if counts["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
