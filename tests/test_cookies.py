"""The httpx clients cf-vectorize makes keep cookies as httpx does (a cheaper jar, same result)."""

from __future__ import annotations

import asyncio

import httpx

from cf_vectorize import ApiToken, AsyncVectorize, Vectorize
from cf_vectorize._cookies import QuietClient, QuietCookies
from tests.clientkit import ACCOUNT, TOKEN, envelope, vector


class CookieServer:
    """Sets a cookie on its first answer only; records the Cookie header of each request."""

    def __init__(self) -> None:
        self.cookies: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.cookies.append(request.headers.get("cookie"))
        headers = {"set-cookie": "__cf_bm=abc; Path=/"} if len(self.cookies) == 1 else {}
        return httpx.Response(200, json=envelope([vector("a")]), headers=headers)


def test_a_cookie_set_by_an_answer_is_sent_back_sync() -> None:
    server = CookieServer()
    transport = httpx.MockTransport(server)
    with Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport) as client:
        for _ in range(3):
            client.get_by_ids("my-index", ["a"])
    assert server.cookies == [None, "__cf_bm=abc", "__cf_bm=abc"]


def test_a_cookie_set_by_an_answer_is_sent_back_async() -> None:
    server = CookieServer()

    async def go() -> None:
        transport = httpx.MockTransport(server)
        async with AsyncVectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport
        ) as client:
            for _ in range(3):
                await client.get_by_ids("my-index", ["a"])

    asyncio.run(go())
    assert server.cookies == [None, "__cf_bm=abc", "__cf_bm=abc"]


def test_cookies_set_on_the_client_are_kept_in_the_quiet_jar() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200)

    client = QuietClient(transport=httpx.MockTransport(handler), cookies={"a": "1"})
    client.get("http://example.test/")
    client.cookies = {"b": "2"}
    client.get("http://example.test/")
    assert seen == ["a=1", "b=2"]
    assert isinstance(client.cookies, QuietCookies)
