"""The proxy from the environment: chosen as httpx chooses it, in one place for both clients."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from cf_vectorize import ApiToken, AsyncVectorize, DeadlineTransport, Vectorize
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


def test_a_proxy_setting_that_is_no_url_is_refused_as_httpx_refuses_it(environment: Any) -> None:
    environment({"HTTPS_PROXY": "ftp://p:1"})
    with pytest.raises(ValueError, match="scheme"):
        environment_proxy("https://api.cloudflare.com/client/v4")
    with pytest.raises(ValueError, match="scheme"):
        httpx.Client()


@pytest.mark.parametrize(
    ("kind", "made"), [(Vectorize, DeadlineTransport), (AsyncVectorize, httpx.AsyncHTTPTransport)]
)
def test_both_clients_build_their_transport_through_the_environment_proxy(
    kind: type[Vectorize] | type[AsyncVectorize], made: type[Any], environment: Any
) -> None:
    environment({"HTTPS_PROXY": "http://p:1"})
    seen: list[tuple[Any, Any]] = []
    original = made.__init__

    def spy(self: Any, **settings: Any) -> None:
        seen.append((settings.get("proxy"), settings.get("trust_env")))
        original(self, **settings)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(made, "__init__", spy)
        kind(account_id="a" * 32, auth=ApiToken("t" * 40))
        kind(account_id="a" * 32, auth=ApiToken("t" * 40), base_url="http://127.0.0.1:1/v4")
    (https_proxy, https_env), (http_proxy, http_env) = seen
    assert str(https_proxy.url) == "http://p:1" and https_env is True
    # Plain http never goes through a proxy (it would read the credential).
    assert http_proxy is None and http_env is False


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_host_no_proxy_covers_is_reached_directly(
    kind: str, environment: Any, tmp_path: Path
) -> None:
    """https (the only scheme proxies are used for): NO_PROXY wins over HTTPS_PROXY."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with (
        FaultServer([found]) as proxy,
        FaultServer([found], tls=server_context) as server,
    ):
        environment(
            {
                "HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}",
                "NO_PROXY": "127.0.0.1",
                "SSL_CERT_FILE": str(tmp_path / "ca.pem"),
            }
        )
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
