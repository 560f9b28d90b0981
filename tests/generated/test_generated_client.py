"""The generated client: models round-trip every example, and it talks to a real socket."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from enum import Enum
from typing import Any

import httpx
import pytest
from attrs import fields as attrs_field_list
from kustom_customer_token_client import AuthenticatedClient, Client, models
from kustom_customer_token_client.api.customer_token import (
    create_order,
    patch_customer_token,
    read_customer_token,
)
from kustom_customer_token_client.types import UNSET, Unset

from kustom_spec import load_spec
from tests.http_doubles import Reply, ScriptedServer, scripted_server

SPEC = load_spec()


def _model_examples() -> Iterator[tuple[str, str, Any]]:
    for example in SPEC.examples():
        ref = example.schema.get("$ref")
        if ref:
            yield example.where, ref.rsplit("/", 1)[1], example.value
        elif example.where.startswith("components.schemas.") and "enum" in example.schema:
            yield example.where, example.where.split(".")[2], example.value


MODEL_EXAMPLES = list(_model_examples())


def attrs_fields(model_class: type) -> list[str]:
    return [field.name for field in attrs_field_list(model_class)]


def test_every_component_has_a_model_with_its_own_name() -> None:
    for name in SPEC.document["components"]["schemas"]:
        assert hasattr(models, name), f"no model named {name}"


@pytest.mark.parametrize(
    ("where", "name", "value"), MODEL_EXAMPLES, ids=[w for w, _, _ in MODEL_EXAMPLES]
)
def test_example_round_trips(where: str, name: str, value: Any) -> None:
    cls = getattr(models, name)
    if issubclass(cls, Enum):
        assert cls(value).value == value
        return
    assert cls.from_dict(value).to_dict() == value


def test_round_trip_covers_requests_and_every_response() -> None:
    covered = {name for _, name, _ in MODEL_EXAMPLES}
    assert {
        "OrderRequest",
        "OrderResponse",
        "ErrorDetails",
        "CustomerToken",
        "TokenStatusUpdate",
    } <= covered


def _responses() -> Iterator[tuple[int, str, Any]]:
    for example in SPEC.examples():
        parts = example.where.split(".")
        if parts[:2] == ["createOrder", "responses"] and "headers" not in parts:
            yield int(parts[2]), example.where, example.value


RESPONSES = list(_responses())
FULL_ORDER = SPEC.resolve(SPEC.document["components"]["examples"]["FullOrder"])["value"]


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as state:
        yield state


@pytest.mark.parametrize(("status", "where", "body"), RESPONSES, ids=[w for _, w, _ in RESPONSES])
def test_client_sends_the_order_and_parses_the_response(
    server: ScriptedServer, status: int, where: str, body: Any
) -> None:
    server.always(Reply(status, body))
    auth = httpx.BasicAuth("M-TEST-A-4f2c", "kco_test_api_merchant_a")
    client = Client(base_url=server.base_url, httpx_args={"auth": auth})
    with client:
        response = create_order.sync_detailed(
            "tok_active",
            client=client,
            body=models.OrderRequest.from_dict(FULL_ORDER),
            klarna_idempotency_key="6b3f0f4e-5d7c-4bb1-9d55-0d4a0a7e9c11",
        )
    sent = server.requests[-1]
    assert sent.path == "/customer-token/v1/tokens/tok_active/order"
    assert json.loads(sent.body) == FULL_ORDER
    assert sent.headers["Klarna-Idempotency-Key"] == "6b3f0f4e-5d7c-4bb1-9d55-0d4a0a7e9c11"
    expected_auth = base64.b64encode(b"M-TEST-A-4f2c:kco_test_api_merchant_a").decode()
    assert sent.headers["Authorization"] == f"Basic {expected_auth}"
    assert response.status_code == status
    expected_type = models.OrderResponse if status == 200 else models.ErrorDetails
    assert isinstance(response.parsed, expected_type)
    assert response.parsed.to_dict() == body


def test_every_documented_status_was_exercised() -> None:
    assert {status for status, _, _ in RESPONSES} == set(SPEC.operation("createOrder").statuses)


def test_an_unknown_enum_value_in_a_response_does_not_crash() -> None:
    body = {
        "order_id": "o1",
        "redirect_url": "https://x",
        "fraud_status": "REVIEW",
        "authorized_payment_method": {"type": "crypto_wallet"},
    }
    parsed = models.OrderResponse.from_dict(body)
    assert parsed.fraud_status == "REVIEW"
    assert parsed.fraud_status not in models.FraudStatus.__members__.values()
    assert models.FraudStatus("ACCEPTED") is models.FraudStatus.ACCEPTED
    assert parsed.to_dict() == body


def test_the_raw_key_form_with_the_generated_client(server: ScriptedServer) -> None:
    """Kustom's primary form, ``Authorization: Basic <API key>``, is the generated
    AuthenticatedClient with the prefix ``Basic`` (openapi.yaml, securitySchemes.merchantAuth)."""
    token_example = SPEC.resolve(SPEC.document["components"]["examples"]["CardToken"])["value"]
    server.always(Reply(200, token_example))
    client = AuthenticatedClient(
        base_url=server.base_url, token="kco_test_api_merchant_a", prefix="Basic"
    )
    with client:
        response = read_customer_token.sync_detailed("tok_card", client=client)
    sent = server.requests[-1]
    assert sent.path == "/customer-token/v1/tokens/tok_card"
    assert sent.headers["Authorization"] == "Basic kco_test_api_merchant_a"
    assert isinstance(response.parsed, models.CustomerToken)
    assert response.parsed.to_dict() == token_example
    assert response.parsed.status is models.TokenStatus.ACTIVE


def test_the_status_change_sends_cancelled_and_accepts_an_empty_202(server: ScriptedServer) -> None:
    server.always(Reply(202, b""))
    client = AuthenticatedClient(
        base_url=server.base_url, token="kco_test_api_merchant_a", prefix="Basic"
    )
    with client:
        response = patch_customer_token.sync_detailed(
            "tok_fresh_1",
            client=client,
            body=models.TokenStatusUpdate(status=models.NewTokenStatus.CANCELLED),
            klarna_idempotency_key="k-1",
        )
    sent = server.requests[-1]
    assert sent.method == "PATCH"
    assert sent.path == "/customer-token/v1/tokens/tok_fresh_1/status"
    assert json.loads(sent.body) == {"status": "CANCELLED"}
    assert sent.headers["Klarna-Idempotency-Key"] == "k-1"
    assert response.status_code == 202
    assert response.parsed is None


def test_no_credential_in_a_repr(server: ScriptedServer) -> None:
    """The README's two forms, and headers and cookies passed whole: their reprs name no key,
    before and after a call (the generator writes the Authorization header into _headers on
    first use; generator-templates/client.py.jinja shows header values as ***)."""
    key, username = "kco_test_api_merchant_a", "M-TEST-A-4f2c"
    pair = base64.b64encode(f"{username}:{key}".encode()).decode()
    server.always(Reply(200, {"status": "ACTIVE", "payment_method_type": "CARD"}))
    clients: list[Client | AuthenticatedClient] = [
        AuthenticatedClient(server.base_url, token=key, prefix="Basic"),
        Client(server.base_url, httpx_args={"auth": httpx.BasicAuth(username, key)}),
        Client(server.base_url, headers={"Authorization": f"Basic {pair}"}, cookies={"s": key}),
    ]
    for client in clients:
        shown = [repr(client)]
        with client:
            read_customer_token.sync_detailed("tok_card", client=client)
        shown += [repr(client), repr(client.with_headers({"X-Trace": "1"}))]
        for text in shown:
            assert key not in text, text
            assert pair not in text, text
    sent = {r.headers["Authorization"] for r in server.requests}
    assert sent == {f"Basic {key}", f"Basic {pair}"}  # the credentials are still sent
    assert "_headers={'Authorization': '***'}" in repr(clients[0])
    assert "token=" not in repr(clients[0])


@pytest.mark.parametrize(("where", "name", "value"), MODEL_EXAMPLES)
def test_a_models_repr_shows_its_values(where: str, name: str, value: Any) -> None:
    """Every field by name with its value; an absent one as UNSET, never an object's address
    (generator-templates/types.py.jinja)."""
    model_class = getattr(models, name)
    if not hasattr(model_class, "from_dict"):
        return  # an enum: its repr is Enum's
    model = model_class.from_dict(value)
    shown = repr(model)
    assert " object at 0x" not in shown
    for field, field_value in value.items():
        if isinstance(field_value, str | int) and not isinstance(field_value, bool):
            assert repr(field_value) in shown or f"'{field_value}'" in shown, (where, field)
    unset = [f for f in attrs_fields(model_class) if isinstance(getattr(model, f), Unset)]
    for field in unset:
        assert f"{field}=UNSET" in shown, (where, field)


def test_a_partly_filled_model_names_what_is_absent() -> None:
    line = models.OrderLine.from_dict(
        {"name": "Shoe", "quantity": 1, "unit_price": 2500, "total_amount": 2500}
    )
    assert repr(line).startswith("OrderLine(name='Shoe', quantity=1, total_amount=2500")
    assert "reference=UNSET" in repr(line)
    assert repr(UNSET) == "UNSET"
