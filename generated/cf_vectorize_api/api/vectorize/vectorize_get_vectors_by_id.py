from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_vectors_by_id_request import GetVectorsByIdRequest
from ...models.get_vectors_by_id_response import GetVectorsByIdResponse
from ...types import Response


def _get_kwargs(
    account_id: str,
    index_name: str,
    *,
    body: GetVectorsByIdRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/get_by_ids".format(
            account_id=quote(str(account_id), safe=""),
            index_name=quote(str(index_name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def request_kwargs(
    account_id: str,
    index_name: str,
    *,
    body: GetVectorsByIdRequest,
) -> dict[str, Any]:
    """Return the arguments of `httpx.Client.build_request` for this operation.

    Method, URL (relative to the API's base URL), headers and body, as `sync` sends them:
    for callers that send the request themselves.
    """
    return _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        body=body,
    )


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | GetVectorsByIdResponse | None:
    if response.status_code == 200:
        response_200 = GetVectorsByIdResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | GetVectorsByIdResponse]:
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
    body: GetVectorsByIdRequest,
) -> Response[ErrorResponse | GetVectorsByIdResponse]:
    """Get Vectors By Identifier

     Get a set of vectors from an index by their vector identifiers. Unknown ids are left out of the
    result; the order of the result is not documented. At most 20 ids per call: a 21st id is answered
    with HTTP 400 and error code 40007.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        body (GetVectorsByIdRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetVectorsByIdResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        body=body,
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
    body: GetVectorsByIdRequest,
) -> ErrorResponse | GetVectorsByIdResponse | None:
    """Get Vectors By Identifier

     Get a set of vectors from an index by their vector identifiers. Unknown ids are left out of the
    result; the order of the result is not documented. At most 20 ids per call: a 21st id is answered
    with HTTP 400 and error code 40007.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        body (GetVectorsByIdRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetVectorsByIdResponse
    """

    return sync_detailed(
        account_id=account_id,
        index_name=index_name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: GetVectorsByIdRequest,
) -> Response[ErrorResponse | GetVectorsByIdResponse]:
    """Get Vectors By Identifier

     Get a set of vectors from an index by their vector identifiers. Unknown ids are left out of the
    result; the order of the result is not documented. At most 20 ids per call: a 21st id is answered
    with HTTP 400 and error code 40007.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        body (GetVectorsByIdRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetVectorsByIdResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        index_name=index_name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    index_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: GetVectorsByIdRequest,
) -> ErrorResponse | GetVectorsByIdResponse | None:
    """Get Vectors By Identifier

     Get a set of vectors from an index by their vector identifiers. Unknown ids are left out of the
    result; the order of the result is not documented. At most 20 ids per call: a 21st id is answered
    with HTTP 400 and error code 40007.

    Args:
        account_id (str): Account identifier. Example: 023e105f4ecef8ad9ca31a8372d0c353.
        index_name (str): Name of a Vectorize index (at most 64 bytes). Example: example-index.
        body (GetVectorsByIdRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetVectorsByIdResponse
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            index_name=index_name,
            client=client,
            body=body,
        )
    ).parsed
