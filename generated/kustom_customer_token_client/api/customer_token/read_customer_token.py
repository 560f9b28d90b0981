from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer_token import CustomerToken
from ...models.error_details import ErrorDetails
from ...types import Response


def _get_kwargs(
    customer_token: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/customer-token/v1/tokens/{customer_token}".format(
            customer_token=quote(str(customer_token), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CustomerToken | ErrorDetails | None:
    if response.status_code == 200:
        response_200 = CustomerToken.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorDetails.from_dict(response.json())

        return response_404

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
) -> Response[CustomerToken | ErrorDetails]:
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
) -> Response[CustomerToken | ErrorDetails]:
    """Read a customer token

     Returns the token's status and the details of its payment method
    [K4, A1]. The fields present depend on the payment method: a card
    token has `card`, a direct debit token has `direct_debit` [K4].

    A token that belongs to another merchant cannot be read: `403`
    (this contract's choice of code, see the response).

    Args:
        customer_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerToken | ErrorDetails]
    """

    kwargs = _get_kwargs(
        customer_token=customer_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
) -> CustomerToken | ErrorDetails | None:
    """Read a customer token

     Returns the token's status and the details of its payment method
    [K4, A1]. The fields present depend on the payment method: a card
    token has `card`, a direct debit token has `direct_debit` [K4].

    A token that belongs to another merchant cannot be read: `403`
    (this contract's choice of code, see the response).

    Args:
        customer_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerToken | ErrorDetails
    """

    return sync_detailed(
        customer_token=customer_token,
        client=client,
    ).parsed


async def asyncio_detailed(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[CustomerToken | ErrorDetails]:
    """Read a customer token

     Returns the token's status and the details of its payment method
    [K4, A1]. The fields present depend on the payment method: a card
    token has `card`, a direct debit token has `direct_debit` [K4].

    A token that belongs to another merchant cannot be read: `403`
    (this contract's choice of code, see the response).

    Args:
        customer_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerToken | ErrorDetails]
    """

    kwargs = _get_kwargs(
        customer_token=customer_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    customer_token: str,
    *,
    client: AuthenticatedClient | Client,
) -> CustomerToken | ErrorDetails | None:
    """Read a customer token

     Returns the token's status and the details of its payment method
    [K4, A1]. The fields present depend on the payment method: a card
    token has `card`, a direct debit token has `direct_debit` [K4].

    A token that belongs to another merchant cannot be read: `403`
    (this contract's choice of code, see the response).

    Args:
        customer_token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerToken | ErrorDetails
    """

    return (
        await asyncio_detailed(
            customer_token=customer_token,
            client=client,
        )
    ).parsed
