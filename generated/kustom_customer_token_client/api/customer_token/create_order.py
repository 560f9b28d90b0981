from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_details import ErrorDetails
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


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorDetails | OrderResponse | None:
    if response.status_code == 200:
        response_200 = OrderResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorDetails.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorDetails.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorDetails.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorDetails.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorDetails.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = ErrorDetails.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorDetails | OrderResponse]:
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
) -> Response[ErrorDetails | OrderResponse]:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`
    [K1]. Use the token of the right customer: whoever owns the token is
    the one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`
    [K8]); clients can check them before sending. Amounts are integers
    in minor units; `tax_rate` has two implicit decimals (`2500` is 25%)
    [K1].

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0) [K1].
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0) [K1].
    3. `order_amount` = the sum of the lines' `total_amount` [K1].
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines (the
       tolerance is this contract's: rule 2's ±1 per line, added up).
    5. `attachment.body` is a JSON object serialized as a string [K1].
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU` ("Mandatory for US and AU market" [K1]; this
       contract reads the market as the shipping country).
    7. Signs by line type. Lines of type `discount`, `gift_card` and
       `store_credit` may carry negative `unit_price`, `total_amount`
       and `total_tax_amount`: Kustom sends a discount or a gift card as
       its own line with negative amounts, a gift card at 0% tax [K6],
       and the reference page says a line's tax is "negative when type
       is discount" [K1]. Every other line (and a line without a
       `type`) keeps them non-negative, as the reference page says of
       `unit_price` and `total_amount` [K1].

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended [A7]) to make
    a retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response [A7]; a different request
    under the same key is refused with `409` (this contract's choice:
    the sources do not say what a different request gets).

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token [K1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorDetails | OrderResponse]
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
) -> ErrorDetails | OrderResponse | None:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`
    [K1]. Use the token of the right customer: whoever owns the token is
    the one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`
    [K8]); clients can check them before sending. Amounts are integers
    in minor units; `tax_rate` has two implicit decimals (`2500` is 25%)
    [K1].

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0) [K1].
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0) [K1].
    3. `order_amount` = the sum of the lines' `total_amount` [K1].
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines (the
       tolerance is this contract's: rule 2's ±1 per line, added up).
    5. `attachment.body` is a JSON object serialized as a string [K1].
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU` ("Mandatory for US and AU market" [K1]; this
       contract reads the market as the shipping country).
    7. Signs by line type. Lines of type `discount`, `gift_card` and
       `store_credit` may carry negative `unit_price`, `total_amount`
       and `total_tax_amount`: Kustom sends a discount or a gift card as
       its own line with negative amounts, a gift card at 0% tax [K6],
       and the reference page says a line's tax is "negative when type
       is discount" [K1]. Every other line (and a line without a
       `type`) keeps them non-negative, as the reference page says of
       `unit_price` and `total_amount` [K1].

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended [A7]) to make
    a retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response [A7]; a different request
    under the same key is refused with `409` (this contract's choice:
    the sources do not say what a different request gets).

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token [K1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorDetails | OrderResponse
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
) -> Response[ErrorDetails | OrderResponse]:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`
    [K1]. Use the token of the right customer: whoever owns the token is
    the one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`
    [K8]); clients can check them before sending. Amounts are integers
    in minor units; `tax_rate` has two implicit decimals (`2500` is 25%)
    [K1].

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0) [K1].
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0) [K1].
    3. `order_amount` = the sum of the lines' `total_amount` [K1].
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines (the
       tolerance is this contract's: rule 2's ±1 per line, added up).
    5. `attachment.body` is a JSON object serialized as a string [K1].
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU` ("Mandatory for US and AU market" [K1]; this
       contract reads the market as the shipping country).
    7. Signs by line type. Lines of type `discount`, `gift_card` and
       `store_credit` may carry negative `unit_price`, `total_amount`
       and `total_tax_amount`: Kustom sends a discount or a gift card as
       its own line with negative amounts, a gift card at 0% tax [K6],
       and the reference page says a line's tax is "negative when type
       is discount" [K1]. Every other line (and a line without a
       `type`) keeps them non-negative, as the reference page says of
       `unit_price` and `total_amount` [K1].

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended [A7]) to make
    a retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response [A7]; a different request
    under the same key is refused with `409` (this contract's choice:
    the sources do not say what a different request gets).

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token [K1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorDetails | OrderResponse]
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
) -> ErrorDetails | OrderResponse | None:
    """Create an order with a customer token

     Places an order that bills the customer who owns `customerToken`
    [K1]. Use the token of the right customer: whoever owns the token is
    the one who gets billed.

    ## Rules across fields

    JSON Schema cannot state the rules below, so they are written here.
    Servers reject a request that breaks one with `400 BAD_VALUE` naming
    the field (for example `Bad value: order_lines[1].total_amount`
    [K8]); clients can check them before sending. Amounts are integers
    in minor units; `tax_rate` has two implicit decimals (`2500` is 25%)
    [K1].

    1. For each order line, `total_amount` = `quantity` × `unit_price` −
       `total_discount_amount` (a missing discount counts as 0) [K1].
    2. For each order line that has a `total_tax_amount`, it lies within ±1
       of `total_amount` − `total_amount` × 10000 / (10000 + `tax_rate`)
       (a missing `tax_rate` counts as 0) [K1].
    3. `order_amount` = the sum of the lines' `total_amount` [K1].
    4. `order_tax_amount`, when given, = the sum of the lines'
       `total_tax_amount`, within ± the number of order lines (the
       tolerance is this contract's: rule 2's ±1 per line, added up).
    5. `attachment.body` is a JSON object serialized as a string [K1].
    6. `shipping_address.region` is required when `shipping_address.country`
       is `US` or `AU` ("Mandatory for US and AU market" [K1]; this
       contract reads the market as the shipping country).
    7. Signs by line type. Lines of type `discount`, `gift_card` and
       `store_credit` may carry negative `unit_price`, `total_amount`
       and `total_tax_amount`: Kustom sends a discount or a gift card as
       its own line with negative amounts, a gift card at 0% tax [K6],
       and the reference page says a line's tax is "negative when type
       is discount" [K1]. Every other line (and a line without a
       `type`) keeps them non-negative, as the reference page says of
       `unit_price` and `total_amount` [K1].

    ## Idempotency

    Send a `Klarna-Idempotency-Key` (a UUID is recommended [A7]) to make
    a retry safe: a repeat with the same key within 24 hours is executed
    once and answered with the first response [A7]; a different request
    under the same key is refused with `409` (this contract's choice:
    the sources do not say what a different request gets).

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (OrderRequest): An order to place with a customer token [K1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorDetails | OrderResponse
    """

    return (
        await asyncio_detailed(
            customer_token=customer_token,
            client=client,
            body=body,
            klarna_idempotency_key=klarna_idempotency_key,
        )
    ).parsed
