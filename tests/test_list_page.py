"""`list_page`: one List Vectors page at a time, for callers that keep the cursor themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    BadRequestError,
    InvalidInputError,
    InvalidInputTypeError,
    NotFoundError,
    Vectorize,
)
from cf_vectorize._listing import cursor_refused
from cf_vectorize.server import Credentials, StandInServer, Store, parse_index_lines

TOKEN = "list-page-token-0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
IDS = [f"id-{n:04d}" for n in range(250)]


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    lines = [f'{{"id": "{vector_id}", "values": [1.0, 2.0]}}' for vector_id in IDS]
    store = Store({"docs": parse_index_lines("docs", "test", lines)})
    with StandInServer(store, credentials=Credentials(token=TOKEN)) as running:
        yield running


@pytest.fixture
def client(server: StandInServer) -> Iterator[Vectorize]:
    with Vectorize(
        account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=server.base_url, pacing=None
    ) as made:
        yield made


def test_pages_walked_by_cursor_give_every_id_once(client: Vectorize) -> None:
    ids: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.list_page("docs", cursor=cursor, page_size=100)
        pages += 1
        assert page.total_count == len(IDS)
        ids += page.ids
        if page.next_cursor is None:
            assert page.cursor_expires_at is None
            break
        assert page.cursor_expires_at is not None
        cursor = page.next_cursor
    assert pages == 3
    assert sorted(ids) == IDS


def test_an_expired_cursor_raises_an_error_that_says_so(
    client: Vectorize, server: StandInServer
) -> None:
    cursor = client.list_page("docs", page_size=10).next_cursor
    server.expire_cursors()
    with pytest.raises(BadRequestError) as caught:
        client.list_page("docs", cursor=cursor)
    assert cursor_refused(caught.value)


def test_a_missing_index_is_not_a_refused_cursor(client: Vectorize) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.list_page("nope", cursor="x" * 64)
    assert not cursor_refused(caught.value)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"cursor": ""}, InvalidInputError),
        ({"cursor": 5}, InvalidInputTypeError),
        ({"page_size": 0}, InvalidInputError),
        ({"page_size": 1001}, InvalidInputError),
        ({"page_size": True}, InvalidInputTypeError),
    ],
)
def test_bad_arguments_are_refused_before_sending(
    client: Vectorize,
    monkeypatch: pytest.MonkeyPatch,
    arguments: dict[str, object],
    error: type[Exception],
) -> None:
    sent: list[object] = []
    original = client._request_once

    def counting(*args: Any, **kwargs: Any) -> Any:
        sent.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "_request_once", counting)
    with pytest.raises(error):
        client.list_page("docs", **arguments)  # type: ignore[arg-type]
    assert sent == []


def test_async_list_page(server: StandInServer) -> None:
    async def walk() -> list[str]:
        async with AsyncVectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=server.base_url, pacing=None
        ) as client:
            first = await client.list_page("docs", page_size=200)
            assert first.next_cursor is not None
            second = await client.list_page("docs", cursor=first.next_cursor, page_size=200)
            assert second.next_cursor is None
            return first.ids + second.ids

    assert sorted(asyncio.run(walk())) == IDS
