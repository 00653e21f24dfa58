"""What the sync and async clients share: settings, request building, retry bookkeeping."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx

from ._auth import BoundCredential, Credential
from ._config import hide_userinfo, resolve
from ._errors import APIError, ConfigurationError, InvalidInputError
from ._pacing import Pacing
from ._proxy import direct_only, environment_proxy
from ._retry import RetryPolicy
from ._version import __version__

logger = logging.getLogger("cf_vectorize")

# Chunks in flight at once in a batched call. Eight keeps a bulk fetch fast at the usual
# 50-150 ms round trip while staying well under Cloudflare's 200 requests/s per IP.
DEFAULT_MAX_CONCURRENCY = 8
USER_AGENT = f"cf-vectorize/{__version__}"
_PROXY_VARIABLES = "HTTP_PROXY, HTTPS_PROXY or ALL_PROXY"

HTTPClient = TypeVar("HTTPClient", httpx.Client, httpx.AsyncClient)

Transport = TypeVar("Transport", httpx.BaseTransport, httpx.AsyncBaseTransport)


@dataclass(frozen=True)
class Timeout:
    """Time limits of one attempt, in seconds.

    `total` bounds the whole attempt, a server that drips its answer included; `connect`
    bounds opening the connection.
    """

    total: float = 60.0
    connect: float = 5.0

    def __post_init__(self) -> None:
        if not (self.total > 0 and self.connect > 0):
            raise InvalidInputError(f"timeouts must be positive: {self}")

    def for_httpx(self) -> httpx.Timeout:
        """Per-phase limits for httpx; the total is enforced by the client around them."""
        return httpx.Timeout(self.total, connect=min(self.connect, self.total))


DEFAULT_TIMEOUT = Timeout()


def as_timeout(timeout: float | Timeout) -> Timeout:
    """Accept a number of seconds (the total) or a Timeout."""
    if isinstance(timeout, Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InvalidInputError(f"timeout must be seconds or a Timeout, not {timeout!r}")
    return Timeout(total=float(timeout), connect=min(DEFAULT_TIMEOUT.connect, float(timeout)))


def check_count(value: int, name: str, minimum: int) -> int:
    """Return value if it is an int of at least minimum."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{name} must be an int >= {minimum}, not {value!r}")
    return value


class ClientBase:
    """Settings and helpers common to Vectorize and AsyncVectorize."""

    def __init__(
        self,
        *,
        account_id: str | None,
        auth: Credential | None,
        base_url: str | None,
        timeout: float | Timeout,
        max_retries: int,
        max_concurrency: int,
        pacing: Pacing,
        allow_insecure_http: bool,
    ) -> None:
        self._settings = resolve(
            account_id=account_id,
            auth=auth,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
        )
        self._timeout = as_timeout(timeout)
        self._retry = RetryPolicy(max_retries=check_count(max_retries, "max_retries", 0))
        self._max_concurrency = check_count(max_concurrency, "max_concurrency", 1)
        self._pacing = pacing
        # What every request is sent with: the credential, for the base URL's origin only.
        self._auth = BoundCredential(self._settings.auth, self._settings.base_url)
        # httpx request extensions of every request (set by _check_route).
        self._request_extensions: dict[str, Any] = {}

    @property
    def account_id(self) -> str:
        """The account whose indexes are read."""
        return self._settings.account_id

    @property
    def base_url(self) -> str:
        """The API base URL, such as https://api.cloudflare.com/client/v4."""
        return self._settings.base_url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_id={self.account_id!r}, "
            f"auth={self._settings.auth!r}, base_url={self.base_url!r})"
        )

    @property
    def _trust_env(self) -> bool:
        """Whether proxies and CA certificates come from the environment: for https only.

        Through a proxy an https request is a CONNECT tunnel, and the proxy sees no header;
        a plain-http request would show it the credential, so plain http (the stand-in on
        loopback, or an allow_insecure_http URL) always goes straight to its host.
        """
        return httpx.URL(self.base_url).scheme == "https"

    def _http_settings(self) -> dict[str, Any]:
        """Return the settings of the httpx client a client makes for itself (but its transport)."""
        return {
            "auth": self._auth,
            "base_url": self.base_url,
            "timeout": self._timeout.for_httpx(),
            "headers": {"User-Agent": USER_AGENT},
            # Never follow: a redirect must not carry the credential to another host.
            "follow_redirects": False,
            "trust_env": self._trust_env,
        }

    def _http_client(
        self,
        given: HTTPClient | None,
        make: Callable[..., HTTPClient],
        transport: Transport | None,
        make_transport: Callable[..., Transport],
    ) -> HTTPClient:
        """Return the caller's httpx client if it is safe to use, else a new one of ours.

        Ours has the transport passed in, or one made here (make_transport) through the
        proxy the environment names for the base URL: httpx reads none for a client given a
        transport, so this is where the proxy is decided. What an unusable setting of the
        environment (proxies, SSL_CERT_FILE) raises becomes a ConfigurationError naming it.
        """
        if given is not None:
            self._check_route(given, asynchronous=isinstance(given, httpx.AsyncClient))
            return given
        try:
            if transport is None:
                proxy = environment_proxy(self.base_url) if self._trust_env else None
                transport = make_transport(proxy=proxy, trust_env=self._trust_env)
            return make(transport=transport, **self._http_settings())
        except ImportError:  # the one import made here: socksio, for a SOCKS proxy
            raise ConfigurationError(
                f"a SOCKS proxy is set in {_PROXY_VARIABLES}, and httpx needs its socks extra "
                "for it: pip install 'httpx[socks]' (or unset the variable, or list the host "
                "in NO_PROXY)"
            ) from None
        except (ValueError, httpx.InvalidURL) as error:
            raise ConfigurationError(
                f"the proxy set in {_PROXY_VARIABLES} is not usable: {hide_userinfo(str(error))}"
            ) from None
        except OSError as error:  # ssl.SSLError included
            raise ConfigurationError(
                f"the CA certificates named by SSL_CERT_FILE / SSL_CERT_DIR cannot be loaded: "
                f"{error}"
            ) from None

    def _check_route(self, client: httpx.Client | httpx.AsyncClient, *, asynchronous: bool) -> None:
        """Refuse a caller's client that would send plain http through a proxy.

        httpx has no public way to ask a client for its routes: a proxy from the environment
        (the client's `trust_env`) is refused here; one the client was made with is refused
        by the first request, before it connects (`direct_only`).
        """
        if self._trust_env:
            return
        if client.trust_env and environment_proxy(self.base_url) is not None:
            raise ConfigurationError(
                f"the http_client given would send {self.base_url} (plain http) through a "
                "proxy, which would read the credential: use https, or make that client with "
                "trust_env=False (or no proxy for this host, NO_PROXY)"
            )
        self._request_extensions = {"trace": direct_only(self.base_url, asynchronous)}

    def _policy(self, max_retries: int | None) -> RetryPolicy:
        if max_retries is None:
            return self._retry
        return replace(self._retry, max_retries=check_count(max_retries, "max_retries", 0))

    def _request_args(self, index_name: str, ids: list[str]) -> dict[str, Any]:
        """Return method, URL, body and headers of one request, built by the generated code."""
        # Imported here, not at the top: the generated package (and attrs) load with the
        # first request, so `import cf_vectorize` stays cheap (issue 7: import time).
        from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id  # noqa: PLC0415
        from cf_vectorize_api.models import GetVectorsByIdRequest  # noqa: PLC0415

        kwargs = vectorize_get_vectors_by_id.request_kwargs(
            self.account_id, index_name, body=GetVectorsByIdRequest(ids=ids)
        )
        kwargs["url"] = self.base_url + kwargs["url"]
        if self._request_extensions:
            kwargs["extensions"] = self._request_extensions
        return kwargs

    @staticmethod
    def _log_retry(
        index_name: str, ids: Sequence[str], error: APIError, retry: int, delay: float
    ) -> None:
        logger.debug(
            "get_by_ids %s (%d ids): %s; retry %d in %.2f s",
            index_name, len(ids), error, retry + 1, delay,
        )  # fmt: skip

    @staticmethod
    def _log_give_up(index_name: str, ids: Sequence[str], error: APIError, attempts: int) -> None:
        logger.debug(
            "get_by_ids %s (%d ids): giving up after %d attempt(s): %s",
            index_name, len(ids), attempts, error,
        )  # fmt: skip


def mark_unfetched(error: APIError, unfetched: Sequence[str]) -> APIError:
    """Record on error the ids a batched call did not fetch, and say so in its notes."""
    error.unfetched_ids = tuple(unfetched)
    if unfetched:
        shown = ", ".join(repr(i) for i in unfetched[:5]) + (", …" if len(unfetched) > 5 else "")
        error.add_note(f"{len(unfetched)} requested id(s) were not fetched: {shown}")
    return error
