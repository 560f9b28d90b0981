"""Each of the spec's named exchanges (a request example and the response example of the same
name, the token from the path parameter's example of that name) is true of the mock with its
default test data: what `specmatic test` runs against it and `specmatic stub` answers."""

from __future__ import annotations

import pytest

from kustom_spec import ExampleExchange, example_exchanges
from tests.mock.helpers import RAW_A, SPEC, CheckedClient

EXCHANGES = example_exchanges(SPEC)
# Made afresh by every answer: an example can only show one.
FRESH_FIELDS = frozenset({"order_id", "redirect_url", "correlation_id"})


@pytest.mark.parametrize(
    "exchange", EXCHANGES, ids=[f"{e.operation_id}-{e.name}" for e in EXCHANGES]
)
def test_the_mock_answers_each_named_example_as_the_spec_says(
    client: CheckedClient, exchange: ExampleExchange
) -> None:
    operation = SPEC.operation(exchange.operation_id)
    path = operation.path
    for name, value in exchange.path_parameters.items():
        path = path.replace(f"{{{name}}}", value)
    response = client.request(operation.method.upper(), path, json=exchange.body, headers=RAW_A)
    assert response.status_code == exchange.status, response.text
    if exchange.response is None:
        assert response.content == b""
        return
    body = response.json()
    stated = {k: v for k, v in exchange.response.items() if k not in FRESH_FIELDS}
    assert {k: body.get(k) for k in stated} == stated
    assert FRESH_FIELDS & exchange.response.keys() <= body.keys()
