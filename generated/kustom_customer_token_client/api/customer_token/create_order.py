from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.order_request import OrderRequest
from ...models.order_response import OrderResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    customer_token: str,
    *,
    body: OrderRequest,
    klarna_idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(klarna_idempotency_key, Unset):
        headers["Klarna-Idempotency-Key"] = klarna_idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/customer-token/v1/tokens/{customer_token}/order".format(
            customer_token=quote(str(customer_token), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | OrderResponse | None:
    if response.status_code == 200:
        response_200 = OrderResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | OrderResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: OrderRequest,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Response[Error | OrderResponse]:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`.
    Use the token of the right customer: whoever owns the token is the
    one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`);
    clients can check them before sending. Amounts are integers in minor
    units; `tax_rate` has two implicit decimals (`2500` is 25%).

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0).
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0).
    3. `order_amount` = the sum of the lines' `total_amount`.
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines.
    5. `attachment.body` is a JSON object serialized as a string.
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU`.

    The vendor's page is not consistent about discount lines: it says a
    line's `total_tax_amount` is negative when its type is `discount`, yet
    it also says `total_amount` must be non-negative. This contract
    follows the explicit constraint (`total_amount` ≥ 0, so a discount
    line's tax is at most rule 2's tolerance below zero); give a discount
    as a line's `total_discount_amount`.

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended) to make a
    retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response; a different request under
    the same key is refused with `409`.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrderResponse]
    """

    kwargs = _get_kwargs(
        customer_token=customer_token,
        body=body,
        klarna_idempotency_key=klarna_idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: OrderRequest,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Error | OrderResponse | None:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`.
    Use the token of the right customer: whoever owns the token is the
    one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`);
    clients can check them before sending. Amounts are integers in minor
    units; `tax_rate` has two implicit decimals (`2500` is 25%).

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0).
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0).
    3. `order_amount` = the sum of the lines' `total_amount`.
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines.
    5. `attachment.body` is a JSON object serialized as a string.
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU`.

    The vendor's page is not consistent about discount lines: it says a
    line's `total_tax_amount` is negative when its type is `discount`, yet
    it also says `total_amount` must be non-negative. This contract
    follows the explicit constraint (`total_amount` ≥ 0, so a discount
    line's tax is at most rule 2's tolerance below zero); give a discount
    as a line's `total_discount_amount`.

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended) to make a
    retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response; a different request under
    the same key is refused with `409`.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrderResponse
    """

    return sync_detailed(
        customer_token=customer_token,
        client=client,
        body=body,
        klarna_idempotency_key=klarna_idempotency_key,
    ).parsed


async def asyncio_detailed(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: OrderRequest,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Response[Error | OrderResponse]:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`.
    Use the token of the right customer: whoever owns the token is the
    one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`);
    clients can check them before sending. Amounts are integers in minor
    units; `tax_rate` has two implicit decimals (`2500` is 25%).

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0).
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0).
    3. `order_amount` = the sum of the lines' `total_amount`.
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines.
    5. `attachment.body` is a JSON object serialized as a string.
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU`.

    The vendor's page is not consistent about discount lines: it says a
    line's `total_tax_amount` is negative when its type is `discount`, yet
    it also says `total_amount` must be non-negative. This contract
    follows the explicit constraint (`total_amount` ≥ 0, so a discount
    line's tax is at most rule 2's tolerance below zero); give a discount
    as a line's `total_discount_amount`.

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended) to make a
    retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response; a different request under
    the same key is refused with `409`.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | OrderResponse]
    """

    kwargs = _get_kwargs(
        customer_token=customer_token,
        body=body,
        klarna_idempotency_key=klarna_idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: OrderRequest,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Error | OrderResponse | None:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`.
    Use the token of the right customer: whoever owns the token is the
    one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`);
    clients can check them before sending. Amounts are integers in minor
    units; `tax_rate` has two implicit decimals (`2500` is 25%).

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0).
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0).
    3. `order_amount` = the sum of the lines' `total_amount`.
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines.
    5. `attachment.body` is a JSON object serialized as a string.
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU`.

    The vendor's page is not consistent about discount lines: it says a
    line's `total_tax_amount` is negative when its type is `discount`, yet
    it also says `total_amount` must be non-negative. This contract
    follows the explicit constraint (`total_amount` ≥ 0, so a discount
    line's tax is at most rule 2's tolerance below zero); give a discount
    as a line's `total_discount_amount`.

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended) to make a
    retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response; a different request under
    the same key is refused with `409`.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | OrderResponse
    """

    return (
        await asyncio_detailed(
            customer_token=customer_token,
            client=client,
            body=body,
            klarna_idempotency_key=klarna_idempotency_key,
        )
    ).parsed
