"""The credential goes to the base URL's origin and nowhere else, whatever client carries it.

Over real sockets on 127.0.0.1: a second server stands for "another host" and must receive
nothing; a fake proxy must receive no credential. The scenario table (tests/faults.py) has
the get_by_ids cases; these are the paths around it: the low-level `api_client`, the httpx
client a Vectorize makes, a caller's client with a proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    ConfigurationError,
    GlobalApiKey,
    InvalidInputError,
    Vectorize,
)
from cf_vectorize._auth import BoundCredential, origin_of
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import GetVectorsByIdRequest, GetVectorsByIdResponse
from tests.faults import ACCOUNT, CREDENTIAL_HEADERS, EMAIL, KEY, TOKEN
from tests.faultserver import Exchange, FaultServer, found, proxy, redirect

AUTHS = [ApiToken(TOKEN), GlobalApiKey(email=EMAIL, key=KEY)]
AUTH_IDS = ["token", "global-key"]
BODY = GetVectorsByIdRequest(ids=["a", "b"])


def _credential_headers(server: FaultServer) -> list[str]:
    return [name for r in server.requests for name in CREDENTIAL_HEADERS if name in r.headers]


@pytest.fixture
def elsewhere() -> Iterator[FaultServer]:
    with FaultServer([found]) as server:
        yield server


def _redirecting_to(target: FaultServer, status: int = 307) -> FaultServer:
    def behaviour(exchange: Exchange) -> bool:
        location = f"http://127.0.0.1:{target.port}{exchange.request.target}"
        return redirect(status, location)(exchange)

    return FaultServer([behaviour])


# --- the low-level api_client --------------------------------------------------------------


@pytest.mark.parametrize("auth", AUTHS, ids=AUTH_IDS)
def test_api_client_over_a_callers_client_that_follows_redirects_does_not(
    auth: ApiToken | GlobalApiKey, elsewhere: FaultServer
) -> None:
    with (
        _redirecting_to(elsewhere) as server,
        httpx.Client(follow_redirects=True) as http,
        Vectorize(account_id=ACCOUNT, auth=auth, base_url=server.base_url, http_client=http) as vz,
    ):
        response = vectorize_get_vectors_by_id.sync_detailed(
            ACCOUNT, "my-index", client=vz.api_client, body=BODY
        )
    assert response.status_code == 307
    assert server.attempts == 1 and len(_credential_headers(server)) == len(auth_headers(auth))
    assert elsewhere.requests == []


@pytest.mark.parametrize("auth", AUTHS, ids=AUTH_IDS)
def test_async_api_client_over_a_callers_client_that_follows_redirects_does_not(
    auth: ApiToken | GlobalApiKey, elsewhere: FaultServer
) -> None:
    async def call(base_url: str) -> int:
        async with (
            httpx.AsyncClient(follow_redirects=True) as http,
            AsyncVectorize(
                account_id=ACCOUNT, auth=auth, base_url=base_url, http_client=http
            ) as vz,
        ):
            response = await vectorize_get_vectors_by_id.asyncio_detailed(
                ACCOUNT, "my-index", client=vz.api_client, body=BODY
            )
            return int(response.status_code)

    with _redirecting_to(elsewhere) as server:
        assert asyncio.run(call(server.base_url)) == 307
    assert server.attempts == 1 and len(_credential_headers(server)) == len(auth_headers(auth))
    assert elsewhere.requests == []


def auth_headers(auth: ApiToken | GlobalApiKey) -> tuple[str, ...]:
    return ("authorization",) if isinstance(auth, ApiToken) else ("x-auth-key", "x-auth-email")


def test_api_client_over_a_callers_client_sends_as_the_client_does() -> None:
    """Before, it sent a relative URL through the caller's client: no base URL, no credential."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"success": True, "errors": [], "messages": [], "result": []}
        return httpx.Response(200, json=body)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), http_client=http) as client,
    ):
        parsed = vectorize_get_vectors_by_id.sync(
            ACCOUNT, "my-index", client=client.api_client, body=BODY
        )
        assert not http.is_closed
    assert isinstance(parsed, GetVectorsByIdResponse)
    (request,) = seen
    assert str(request.url).startswith(f"https://api.cloudflare.com/client/v4/accounts/{ACCOUNT}/")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith("cf-vectorize/")


# --- the httpx client a Vectorize makes: its credential is bound to the base URL's origin ----


@pytest.mark.parametrize("auth", AUTHS, ids=AUTH_IDS)
def test_the_clients_own_httpx_client_refuses_another_origin(
    auth: ApiToken | GlobalApiKey, elsewhere: FaultServer
) -> None:
    with (
        FaultServer([found]) as server,
        Vectorize(account_id=ACCOUNT, auth=auth, base_url=server.base_url) as client,
    ):
        http = client.api_client.get_httpx_client()
        for url in (
            f"http://127.0.0.1:{elsewhere.port}/client/v4",  # another port
            f"http://localhost:{server.port}/client/v4",  # another host name, same server
        ):
            with pytest.raises(InvalidInputError, match="refusing to send the credential"):
                http.post(url, json={"ids": ["a"]})
        ok = http.post(f"{server.base_url}/accounts/{ACCOUNT}/x", json={"ids": ["a"]})
    assert ok.status_code == 200
    assert elsewhere.requests == [] and server.attempts == 1


def test_the_async_clients_own_httpx_client_refuses_another_origin(
    elsewhere: FaultServer,
) -> None:
    async def call(base_url: str) -> None:
        async with AsyncVectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=base_url
        ) as vz:
            http = vz.api_client.get_async_httpx_client()
            with pytest.raises(InvalidInputError, match="refusing to send the credential"):
                await http.post(f"http://127.0.0.1:{elsewhere.port}/", json={"ids": ["a"]})

    with FaultServer([found]) as server:
        asyncio.run(call(server.base_url))
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("https://api.cloudflare.com/client/v4", "https://API.cloudflare.com:443/x", True),
        ("http://127.0.0.1:80/a", "http://127.0.0.1/b", True),
        ("https://api.cloudflare.com/", "http://api.cloudflare.com/", False),
        ("https://api.cloudflare.com/", "https://api.cloudflare.com:8443/", False),
        ("https://api.cloudflare.com/", "https://api.cloudflare.com.evil.example/", False),
        ("http://[::1]:9/", "http://[::1]:9/x", True),
    ],
)
def test_origins(one: str, other: str, same: bool) -> None:
    assert (origin_of(httpx.URL(one)) == origin_of(httpx.URL(other))) is same


def test_a_bound_credential_shows_its_origin_never_its_secret() -> None:
    bound = BoundCredential(GlobalApiKey(email=EMAIL, key=KEY), "https://api.cloudflare.com/v4")
    for text in (repr(bound), str(bound)):
        assert "https://api.cloudflare.com:443" in text
        assert KEY not in text and EMAIL not in text


# --- proxies -----------------------------------------------------------------------------


def _with_proxy(kind: str, base_url: str, **http: Any) -> Any:
    """A client over a caller's httpx client made with these options."""
    if kind == "sync":
        return Vectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            base_url=base_url,
            http_client=httpx.Client(**http),
        )

    async def make() -> AsyncVectorize:
        return AsyncVectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            base_url=base_url,
            http_client=httpx.AsyncClient(**http),
        )

    return asyncio.run(make())


def _first_call(kind: str, client: Any) -> Any:
    if kind == "sync":
        with client:
            return client.get_by_ids("my-index", ["a"])

    async def call() -> Any:
        async with client:
            return await client.get_by_ids("my-index", ["a"])

    return asyncio.run(call())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_callers_client_with_a_proxy_for_plain_http_is_refused(kind: str) -> None:
    """httpx cannot be asked for a client's routes: the first call refuses, before connecting."""
    relayed: list[bytes] = []
    with FaultServer([proxy(relayed)]) as fake_proxy, FaultServer([found]) as server:
        client = _with_proxy(kind, server.base_url, proxy=f"http://127.0.0.1:{fake_proxy.port}")
        with pytest.raises(ConfigurationError, match="through a proxy") as caught:
            _first_call(kind, client)
        assert TOKEN not in str(caught.value)
        if kind == "sync":  # the generated low-level client is held back the same way
            body = GetVectorsByIdRequest(ids=["a"])
            with pytest.raises(ConfigurationError, match="through a proxy"):
                vectorize_get_vectors_by_id.sync(
                    ACCOUNT, "my-index", client=client.api_client, body=body
                )
        # The same client, with the proxy only for https, is fine: plain http goes direct.
        mounts = {"https://": httpx.HTTPTransport(proxy=f"http://127.0.0.1:{fake_proxy.port}")}
        if kind == "sync":
            with Vectorize(
                account_id=ACCOUNT,
                auth=ApiToken(TOKEN),
                base_url=server.base_url,
                http_client=httpx.Client(mounts=mounts),
                pacing=None,
            ) as client:
                assert [v.id for v in client.get_by_ids("my-index", ["a"])] == ["a"]
    assert fake_proxy.requests == [] and relayed == []


def test_a_callers_client_without_env_proxies_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    with FaultServer([proxy([])]) as fake_proxy, FaultServer([found]) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{fake_proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        http = httpx.Client(trust_env=False)
        with Vectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=server.base_url, http_client=http
        ) as client:
            assert [v.id for v in client.get_by_ids("my-index", ["a"])] == ["a"]
        http.close()
        with pytest.raises(ConfigurationError, match="trust_env=False"):
            Vectorize(
                account_id=ACCOUNT,
                auth=ApiToken(TOKEN),
                base_url=server.base_url,
                http_client=httpx.Client(),  # reads HTTP_PROXY
            )
    assert fake_proxy.requests == [] and server.attempts == 1


def test_an_unusable_proxy_url_names_the_variables_not_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "ftp://proxyuser:proxy-secret-pw@127.0.0.1:1")
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY") as caught:
        Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN))
    assert "proxy-secret-pw" not in str(caught.value)
