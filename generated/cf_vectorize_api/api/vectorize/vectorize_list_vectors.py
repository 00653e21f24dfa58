from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_vectors_response import ListVectorsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: str,
    index_name: str,
    *,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["count"] = count

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/list".format(
            account_id=quote(str(account_id), safe=""),
            index_name=quote(str(index_name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def request_kwargs(
    account_id: str,
    index_name: str,
    *,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:
    """Return the arguments of `httpx.Client.build_request` for this operation.

    Method, URL (relative to the API's base URL), headers and body, as `sync` sends them:
    for callers that send the request themselves.
    """
    return _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        count=count,
        cursor=cursor,
    )


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListVectorsResponse | None:
    if response.status_code == 200:
        response_200 = ListVectorsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = ErrorResponse.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ListVectorsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> Response[ErrorResponse | ListVectorsResponse]:
    """List Vectors

     Returns a paginated list of vector identifiers from the specified index (ids only: no values,
    metadata or namespace; every namespace is listed). The pages belong to the snapshot of the index
    taken by the first request without a cursor: vectors inserted later do not appear, vectors deleted
    later still do. Pass `nextCursor` back unchanged as `cursor` while `isTruncated` is true and
    `nextCursor` is not null. Cursors expire (`cursorExpirationTimestamp`); an expired cursor means
    starting a new listing without one. The order of the identifiers is not documented.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        count (int | Unset): Maximum number of vector identifiers to return (1 to 1000). Default:
            100. Example: 50.
        cursor (str | Unset): The `nextCursor` of the previous page, passed back unchanged.
            Example: suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListVectorsResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        count=count,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> ErrorResponse | ListVectorsResponse | None:
    """List Vectors

     Returns a paginated list of vector identifiers from the specified index (ids only: no values,
    metadata or namespace; every namespace is listed). The pages belong to the snapshot of the index
    taken by the first request without a cursor: vectors inserted later do not appear, vectors deleted
    later still do. Pass `nextCursor` back unchanged as `cursor` while `isTruncated` is true and
    `nextCursor` is not null. Cursors expire (`cursorExpirationTimestamp`); an expired cursor means
    starting a new listing without one. The order of the identifiers is not documented.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        count (int | Unset): Maximum number of vector identifiers to return (1 to 1000). Default:
            100. Example: 50.
        cursor (str | Unset): The `nextCursor` of the previous page, passed back unchanged.
            Example: suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListVectorsResponse
    """

    return sync_detailed(
        account_id=account_id,
        index_name=index_name,
        client=client,
        count=count,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> Response[ErrorResponse | ListVectorsResponse]:
    """List Vectors

     Returns a paginated list of vector identifiers from the specified index (ids only: no values,
    metadata or namespace; every namespace is listed). The pages belong to the snapshot of the index
    taken by the first request without a cursor: vectors inserted later do not appear, vectors deleted
    later still do. Pass `nextCursor` back unchanged as `cursor` while `isTruncated` is true and
    `nextCursor` is not null. Cursors expire (`cursorExpirationTimestamp`); an expired cursor means
    starting a new listing without one. The order of the identifiers is not documented.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        count (int | Unset): Maximum number of vector identifiers to return (1 to 1000). Default:
            100. Example: 50.
        cursor (str | Unset): The `nextCursor` of the previous page, passed back unchanged.
            Example: suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListVectorsResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        count=count,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    count: int | Unset = 100,
    cursor: str | Unset = UNSET,
) -> ErrorResponse | ListVectorsResponse | None:
    """List Vectors

     Returns a paginated list of vector identifiers from the specified index (ids only: no values,
    metadata or namespace; every namespace is listed). The pages belong to the snapshot of the index
    taken by the first request without a cursor: vectors inserted later do not appear, vectors deleted
    later still do. Pass `nextCursor` back unchanged as `cursor` while `isTruncated` is true and
    `nextCursor` is not null. Cursors expire (`cursorExpirationTimestamp`); an expired cursor means
    starting a new listing without one. The order of the identifiers is not documented.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        count (int | Unset): Maximum number of vector identifiers to return (1 to 1000). Default:
            100. Example: 50.
        cursor (str | Unset): The `nextCursor` of the previous page, passed back unchanged.
            Example: suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListVectorsResponse
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            index_name=index_name,
            client=client,
            count=count,
            cursor=cursor,
        )
    ).parsed
