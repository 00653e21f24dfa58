"""The proxy from the environment: chosen as httpx chooses it, in one place for both clients."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cf_vectorize import ApiToken, AsyncVectorize, ConfigurationError, Vectorize
from cf_vectorize._proxy import environment_proxy
from tests.faultserver import FaultServer, found

# REQUEST_METHOD (a CGI request) makes Python and httpx ignore HTTP_PROXY: unset it too.
VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")

# (environment, url): every proxy rule of httpx's, and the cases that separate them.
CASES: list[tuple[dict[str, str], str]] = [
    ({}, "https://api.cloudflare.com/client/v4"),
    ({"HTTPS_PROXY": "http://p:1"}, "https://api.cloudflare.com/client/v4"),
    ({"HTTPS_PROXY": "p:1"}, "https://api.cloudflare.com/client/v4"),  # no scheme: http://
    ({"HTTPS_PROXY": "http://p:1"}, "http://127.0.0.1:8787/client/v4"),  # other scheme
    ({"HTTP_PROXY": "http://p:1"}, "http://127.0.0.1:8787/client/v4"),
    ({"ALL_PROXY": "http://a:1"}, "https://api.cloudflare.com/client/v4"),
    ({"ALL_PROXY": "http://a:1", "HTTPS_PROXY": "http://s:1"}, "https://api.cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://api.cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "cloudflare.com"}, "https://api.cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "cloudflare.com"}, "https://cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "flare.com"}, "https://api.cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".cloudflare.com"}, "https://cloudflare.com/"),
    ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".cloudflare.com"}, "https://a.cloudflare.com/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.2"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "::1"}, "http://[::1]:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "localhost"}, "http://localhost:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": " x.org , localhost "}, "http://localhost:1/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "http://127.0.0.1:8787"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "http://127.0.0.1:9999"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "http://p:1", "NO_PROXY": "https://127.0.0.1"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "http://user:pw@p:1"}, "http://127.0.0.1:8787/"),
    ({"HTTP_PROXY": "https://p:1"}, "http://127.0.0.1:8787/"),
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)

    def set_to(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_to


def httpx_choice(url: str) -> str | None:
    """The proxy URL httpx's own client picks for url (its private routing, read in a test)."""
    with httpx.Client() as client:
        transport = client._transport_for_url(httpx.URL(url))
        if transport is client._transport:
            return None
        proxy_url = transport._pool._proxy_url  # type: ignore[attr-defined]
        return f"{proxy_url.scheme.decode()}://{proxy_url.host.decode()}:{proxy_url.port}"


def our_choice(url: str) -> str | None:
    proxy = environment_proxy(url)
    return None if proxy is None else f"{proxy.url.scheme}://{proxy.url.host}:{proxy.url.port}"


@pytest.mark.parametrize(("values", "url"), CASES)
def test_the_choice_is_httpx_own(values: dict[str, str], url: str, environment: Any) -> None:
    environment(values)
    assert our_choice(url) == httpx_choice(url)


def test_the_cases_are_not_all_alike(environment: Any) -> None:
    """The table above separates proxied from direct: a check of it could fail."""
    seen = set()
    for values, url in CASES:
        environment({name: "" for name in VARIABLES[:4]} | values)
        seen.add(our_choice(url))
    assert {None, "http://p:1", "http://a:1", "http://s:1", "https://p:1"} <= seen


def test_the_proxy_keeps_its_credentials(environment: Any) -> None:
    environment({"HTTPS_PROXY": "http://user:pw@p:1"})
    proxy = environment_proxy("https://api.cloudflare.com/client/v4")
    assert proxy is not None and proxy.raw_auth == (b"user", b"pw")


def test_a_proxy_setting_that_is_no_url_is_a_configuration_error(environment: Any) -> None:
    environment({"HTTPS_PROXY": "ftp://p:1"})
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY"):
        environment_proxy("https://api.cloudflare.com/client/v4")


@pytest.mark.parametrize("kind", [Vectorize, AsyncVectorize])
def test_both_clients_build_their_transport_through_the_environment_proxy(
    kind: type[Vectorize] | type[AsyncVectorize], environment: Any
) -> None:
    environment({"HTTPS_PROXY": "http://p:1"})
    client = kind(account_id="a" * 32, auth=ApiToken("t" * 40))
    made = httpx.MockTransport(lambda request: httpx.Response(200))
    proxies: list[httpx.Proxy | None] = []

    def make(proxy: httpx.Proxy | None) -> httpx.MockTransport:
        proxies.append(proxy)
        return made

    assert client._http_settings(None, make)["transport"] is made
    assert [str(p.url) for p in proxies if p is not None] == ["http://p:1"]
    passed = httpx.MockTransport(lambda request: httpx.Response(200))
    assert client._http_settings(passed, make)["transport"] is passed
    assert len(proxies) == 1  # none made for a transport passed in


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_host_no_proxy_covers_is_reached_directly(kind: str, environment: Any) -> None:
    with FaultServer([found]) as proxy, FaultServer([found]) as server:
        environment({"HTTP_PROXY": f"http://127.0.0.1:{proxy.port}", "NO_PROXY": "127.0.0.1"})
        settings: dict[str, Any] = {"account_id": "a" * 32, "auth": ApiToken("t" * 40)}
        settings |= {"base_url": server.base_url, "pacing": None}
        if kind == "sync":
            with Vectorize(**settings) as client:
                client.get_by_ids("my-index", ["a"])
        else:

            async def fetch() -> None:
                async with AsyncVectorize(**settings) as client:
                    await client.get_by_ids("my-index", ["a"])

            asyncio.run(fetch())
    assert len(server.requests) == 1 and proxy.requests == []
