"""ApiToken and GlobalApiKey: the headers they send, and secrets they never show."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cf_vectorize import ApiToken, GlobalApiKey, InvalidInputError, InvalidInputTypeError
from tests.clientkit import TOKEN, Runner, Server, found

KEY = "0123456789abcdef0123456789abcdef01234"
EMAIL = "owner@example.com"


def test_api_token_sends_bearer_header(runner: Runner) -> None:
    server = Server([found()])
    runner.get(server, "my-index", ["a"], auth=ApiToken(TOKEN))
    (request,) = server.requests
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-auth-key" not in request.headers and "x-auth-email" not in request.headers


def test_global_api_key_sends_email_and_key(runner: Runner) -> None:
    server = Server([found()])
    runner.get(server, "my-index", ["a"], auth=GlobalApiKey(email=EMAIL, key=KEY))
    (request,) = server.requests
    assert request.headers["x-auth-email"] == EMAIL
    assert request.headers["x-auth-key"] == KEY
    assert "authorization" not in request.headers


@pytest.mark.parametrize("auth", [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)])
def test_auth_works_with_any_httpx_client(auth: httpx.Auth) -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.get("https://example.com/")

    async def run() -> None:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            await client.get("https://example.com/")

    asyncio.run(run())
    assert len(seen) == 2
    assert seen[0] == seen[1]
    expected = (
        {"authorization": f"Bearer {TOKEN}"}
        if isinstance(auth, ApiToken)
        else {
            "x-auth-email": EMAIL,
            "x-auth-key": KEY,
        }
    )
    assert {name: seen[0][name] for name in expected} == expected


@pytest.mark.parametrize("auth", [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)])
def test_repr_and_str_hide_the_secret(auth: httpx.Auth) -> None:
    for text in (repr(auth), str(auth), f"{auth}", f"{auth!r}"):
        assert TOKEN not in text and KEY not in text and EMAIL not in text
        assert "hidden" in text


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "is empty"),
        ("abc\ndef", "cannot be sent in an HTTP header"),
        ("abc\r\nX-Injected: 1", "cannot be sent in an HTTP header"),
        ("tok\x00en", "cannot be sent in an HTTP header"),
        ("tökén", "cannot be sent in an HTTP header"),
        (" tok-3f9a", "white space"),
        ("tok-3f9a\n", "white space"),
    ],
)
def test_header_unsafe_values_are_refused(value: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason) as caught:
        ApiToken(value)
    if value:
        assert value.strip() not in str(caught.value)
    with pytest.raises(InvalidInputError, match=reason):
        GlobalApiKey(email=EMAIL, key=value)
    with pytest.raises(InvalidInputError, match=reason):
        GlobalApiKey(email=value, key=KEY)


def test_non_string_credentials_are_refused() -> None:
    with pytest.raises(InvalidInputTypeError, match="API token must be a str"):
        ApiToken(b"bytes-token")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputTypeError, match="API key must be a str"):
        GlobalApiKey(email=EMAIL, key=None)  # type: ignore[arg-type]
