"""The generated low-level client, sending as the hand-written clients do.

Its functions (`vectorize_get_vectors_by_id.sync(...)`, ...) send through the httpx client
they are given with its defaults: a relative URL, the client's `auth`, its redirect policy.
The httpx client a `Vectorize` makes for itself already has the base URL, the credential
bound to that URL's origin, and redirects off, so it is shared as is. A caller's client has
none of these, and may follow redirects (httpx then copies X-Auth-Key to the next host); it
is wrapped in an httpx client of ours whose transport is the caller's client, asked to send
each request exactly as given: its pool, proxies and TLS settings serve, never a redirect,
with the request extensions of the hand-written client (the guard against a proxy for
plain http, see ClientBase._check_route).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from cf_vectorize_api import Client


class _Through(httpx.BaseTransport):
    """Sends each request through a caller's httpx.Client, one hop, no auth of its own."""

    def __init__(self, client: httpx.Client, extensions: dict[str, Any]) -> None:
        self._client, self._extensions = client, extensions

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send request as built (our credential is on it already); never follow a redirect."""
        request.extensions = {**request.extensions, **self._extensions}
        response = self._client.send(request, auth=None, follow_redirects=False, stream=True)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Leave the caller's client open: it is theirs."""


class _AsyncThrough(httpx.AsyncBaseTransport):
    """Sends each request through a caller's httpx.AsyncClient, one hop, no auth of its own."""

    def __init__(self, client: httpx.AsyncClient, extensions: dict[str, Any]) -> None:
        self._client, self._extensions = client, extensions

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send request as built (our credential is on it already); never follow a redirect."""
        request.extensions = {**request.extensions, **self._extensions}
        response = await self._client.send(request, auth=None, follow_redirects=False, stream=True)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Leave the caller's client open: it is theirs."""


def sync_api_client(
    http: httpx.Client,
    base_url: str,
    owned: bool,
    settings: dict[str, Any],
    extensions: dict[str, Any],
) -> Client:
    """Return the generated client over http (ours as is, a caller's one wrapped: see above)."""
    from cf_vectorize_api import Client  # noqa: PLC0415 (loads with first use: import time)

    if not owned:
        http = httpx.Client(transport=_Through(http, extensions), **settings)
    return Client(base_url=base_url).set_httpx_client(http)


def async_api_client(
    http: httpx.AsyncClient,
    base_url: str,
    owned: bool,
    settings: dict[str, Any],
    extensions: dict[str, Any],
) -> Client:
    """Return the generated client over http (ours as is, a caller's one wrapped: see above)."""
    from cf_vectorize_api import Client  # noqa: PLC0415 (loads with first use: import time)

    if not owned:
        http = httpx.AsyncClient(transport=_AsyncThrough(http, extensions), **settings)
    return Client(base_url=base_url).set_async_httpx_client(http)
