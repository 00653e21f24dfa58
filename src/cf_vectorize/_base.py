"""What the sync and async clients share: settings, request building, retry bookkeeping."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx

from ._auth import Credential
from ._body import ACCEPT_ENCODING
from ._config import resolve
from ._errors import APIError, InvalidInputError
from ._pacing import Pacing
from ._retry import RetryPolicy
from ._version import __version__

logger = logging.getLogger("cf_vectorize")

# Chunks in flight at once in a batched call. Eight keeps a bulk fetch fast at the usual
# 50-150 ms round trip while staying well under Cloudflare's 200 requests/s per IP.
DEFAULT_MAX_CONCURRENCY = 8
USER_AGENT = f"cf-vectorize/{__version__}"


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
        max_response_bytes: int,
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
        # The most bytes one response body may take, as sent and as decoded.
        self._max_response_bytes = check_count(max_response_bytes, "max_response_bytes", 1)

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

    def _http_settings(self) -> dict[str, Any]:
        """Return the settings of the httpx client a client makes for itself."""
        return {
            "auth": self._settings.auth,
            "base_url": self.base_url,
            "timeout": self._timeout.for_httpx(),
            "headers": {"User-Agent": USER_AGENT},
            # Never follow: a redirect must not carry the credential to another host.
            "follow_redirects": False,
        }

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

        kwargs = vectorize_get_vectors_by_id._get_kwargs(
            self.account_id, index_name, body=GetVectorsByIdRequest(ids=ids)
        )
        kwargs["url"] = self.base_url + kwargs["url"]
        # Only encodings the body reader inflates under the cap, whatever httpx could decode.
        kwargs["headers"]["Accept-Encoding"] = ACCEPT_ENCODING
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
