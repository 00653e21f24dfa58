"""The single-request path any operation takes: built request in, parsed answer out.

A second operation (List Vectors, say) is an ApiRequest handed to `_request_once`; it gets
the retries, pacing budget, per-call timeout and typed errors of get_by_ids, sync and async.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    ClientClosedError,
    NotFoundError,
    RateLimit,
    Vectorize,
)
from cf_vectorize._calls import ApiRequest
from cf_vectorize._response import status_error
from tests.clientkit import ACCOUNT, TOKEN, failure


def ids_page(status: int, headers: Mapping[str, str], body: bytes) -> list[str]:
    """A List-Vectors-like reader: the ids of one page, or our typed error."""
    if status != 200:
        raise status_error(status, headers, body)
    return [item["id"] for item in json.loads(body)["result"]["vectors"]]


def list_request(client: Vectorize | AsyncVectorize, cursor: str) -> ApiRequest[list[str]]:
    url = f"{client.base_url}/accounts/{client.account_id}/vectorize/v2/indexes/my-index/list"
    args = {"method": "GET", "url": url, "params": {"count": 2, "cursor": cursor}}
    return ApiRequest(f"list my-index ({cursor})", args, ids_page)


class ListServer:
    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def page(*ids: str) -> httpx.Response:
    body = {
        "success": True,
        "errors": [],
        "messages": [],
        "result": {"vectors": [{"id": i} for i in ids]},
    }
    return httpx.Response(200, json=body)


def run(
    kind: str, server: ListServer, calls: int = 1, **client: Any
) -> tuple[list[Any], list[float]]:
    """Make `calls` list requests through one client; return the results and the waits."""
    slept: list[float] = []
    kwargs = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None, **client}
    transport = httpx.MockTransport(server)
    if kind == "sync":
        with Vectorize(transport=transport, sleep=slept.append, **kwargs) as sync:
            return [
                sync._request_once(list_request(sync, f"c{n}"), None, None) for n in range(calls)
            ], slept

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def go() -> list[Any]:
        async with AsyncVectorize(transport=transport, sleep=sleep, **kwargs) as a:
            return [
                await a._request_once(list_request(a, f"c{n}"), None, None) for n in range(calls)
            ]

    return asyncio.run(go()), slept


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_second_operation_is_retried_and_parsed(kind: str) -> None:
    server = ListServer(failure(503, 10001, "down"), page("a", "b"))
    results, slept = run(kind, server)
    assert results == [["a", "b"]]
    assert len(server.requests) == 2 and len(slept) == 1
    assert server.requests[0].url.params["cursor"] == "c0"
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_second_operation_gets_the_typed_errors(kind: str) -> None:
    server = ListServer(failure(404, 3000, "vectorize.index.not_found"))
    with pytest.raises(NotFoundError):
        run(kind, server)
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_second_operation_shares_the_clients_pacing_budget(kind: str) -> None:
    server = ListServer(page("a"))
    _, slept = run(kind, server, calls=3, pacing=RateLimit(2, 10.0))
    assert slept == pytest.approx([10.0], abs=0.5)  # the third request waits for the window


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_second_operation_on_a_closed_client_is_refused(kind: str) -> None:
    server = ListServer(page("a"))
    if kind == "sync":
        client = Vectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=httpx.MockTransport(server)
        )
        client.close()
        with pytest.raises(ClientClosedError):
            client._request_once(list_request(client, "c"), None, None)
    else:

        async def go() -> None:
            a = AsyncVectorize(
                account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=httpx.MockTransport(server)
            )
            await a.aclose()
            await a._request_once(list_request(a, "c"), None, None)

        with pytest.raises(ClientClosedError):
            asyncio.run(go())
    assert server.requests == []
