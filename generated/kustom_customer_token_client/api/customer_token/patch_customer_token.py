from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_details import ErrorDetails
from ...models.token_status_update import TokenStatusUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    customer_token: str,
    *,
    body: TokenStatusUpdate,
    klarna_idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(klarna_idempotency_key, Unset):
        headers["Klarna-Idempotency-Key"] = klarna_idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/customer-token/v1/tokens/{customer_token}/status".format(
            customer_token=quote(str(customer_token), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | ErrorDetails | None:
    if response.status_code == 202:
        response_202 = cast(Any, None)
        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | ErrorDetails]:
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
    body: TokenStatusUpdate,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Response[Any | ErrorDetails]:
    """Cancel a customer token

     Changes the token's status; `CANCELLED` is the only status a
    merchant can set [A1, A5]. Cancelling cannot be undone: "Once you
    cancel a token, it becomes unavailable and you can't restore it"
    [A5]. Later reads say `CANCELLED`, and later orders are refused with
    `403 TOKEN_CANCELED`.

    The request is accepted with `202` and an empty body [A1, A5].
    Cancelling a token that is already cancelled changes nothing and is
    answered `202` as well: the sources do not say, and this contract
    reads the request as "the token's status shall be `CANCELLED`",
    which then holds (this contract's choice; `scripts/probe` asks a
    live server when given a token to cancel).

    `Klarna-Idempotency-Key` applies as for orders [A7]: a repeat with
    the same key gets the first answer.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (TokenStatusUpdate): The status to give the token [A1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorDetails]
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
    body: TokenStatusUpdate,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Any | ErrorDetails | None:
    """Cancel a customer token

     Changes the token's status; `CANCELLED` is the only status a
    merchant can set [A1, A5]. Cancelling cannot be undone: "Once you
    cancel a token, it becomes unavailable and you can't restore it"
    [A5]. Later reads say `CANCELLED`, and later orders are refused with
    `403 TOKEN_CANCELED`.

    The request is accepted with `202` and an empty body [A1, A5].
    Cancelling a token that is already cancelled changes nothing and is
    answered `202` as well: the sources do not say, and this contract
    reads the request as "the token's status shall be `CANCELLED`",
    which then holds (this contract's choice; `scripts/probe` asks a
    live server when given a token to cancel).

    `Klarna-Idempotency-Key` applies as for orders [A7]: a repeat with
    the same key gets the first answer.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (TokenStatusUpdate): The status to give the token [A1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorDetails
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
    body: TokenStatusUpdate,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Response[Any | ErrorDetails]:
    """Cancel a customer token

     Changes the token's status; `CANCELLED` is the only status a
    merchant can set [A1, A5]. Cancelling cannot be undone: "Once you
    cancel a token, it becomes unavailable and you can't restore it"
    [A5]. Later reads say `CANCELLED`, and later orders are refused with
    `403 TOKEN_CANCELED`.

    The request is accepted with `202` and an empty body [A1, A5].
    Cancelling a token that is already cancelled changes nothing and is
    answered `202` as well: the sources do not say, and this contract
    reads the request as "the token's status shall be `CANCELLED`",
    which then holds (this contract's choice; `scripts/probe` asks a
    live server when given a token to cancel).

    `Klarna-Idempotency-Key` applies as for orders [A7]: a repeat with
    the same key gets the first answer.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (TokenStatusUpdate): The status to give the token [A1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorDetails]
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
    body: TokenStatusUpdate,
    klarna_idempotency_key: str | Unset = UNSET,
) -> Any | ErrorDetails | None:
    """Cancel a customer token

     Changes the token's status; `CANCELLED` is the only status a
    merchant can set [A1, A5]. Cancelling cannot be undone: "Once you
    cancel a token, it becomes unavailable and you can't restore it"
    [A5]. Later reads say `CANCELLED`, and later orders are refused with
    `403 TOKEN_CANCELED`.

    The request is accepted with `202` and an empty body [A1, A5].
    Cancelling a token that is already cancelled changes nothing and is
    answered `202` as well: the sources do not say, and this contract
    reads the request as "the token's status shall be `CANCELLED`",
    which then holds (this contract's choice; `scripts/probe` asks a
    live server when given a token to cancel).

    `Klarna-Idempotency-Key` applies as for orders [A7]: a repeat with
    the same key gets the first answer.

    Args:
        customer_token (str):
        klarna_idempotency_key (str | Unset):
        body (TokenStatusUpdate): The status to give the token [A1].

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorDetails
    """

    return (
        await asyncio_detailed(
            customer_token=customer_token,
            client=client,
            body=body,
            klarna_idempotency_key=klarna_idempotency_key,
        )
    ).parsed
