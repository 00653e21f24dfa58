"""AsyncVectorize: the asyncio client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from ._api_client import async_api_client
from ._auth import Credential
from ._base import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    ClientBase,
    Timeout,
    mark_unfetched,
)
from ._errors import APIConnectionError, APIError, APITimeoutError
from ._pacing import DEFAULT_PACING, AsyncPacer, Pacing
from ._response import undecodable, vectors_from
from ._results import VectorList, chunks, in_order
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._validation import check_index_name, unique_ids

if TYPE_CHECKING:  # the generated package loads with the first answer (issue 7: import time)
    from cf_vectorize_api import Client
    from cf_vectorize_api.models import Vector


class AsyncVectorize(ClientBase):
    """Asyncio client for Vectorize get_by_ids; the same settings as `Vectorize`.

    Batched calls run up to `max_concurrency` chunks at once as tasks.
    `sleep` and `clock` exist for tests (pacing and retry waits use them).
    """

    def __init__(
        self,
        *,
        account_id: str | None = None,
        auth: Credential | None = None,
        base_url: str | None = None,
        timeout: float | Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        pacing: Pacing = DEFAULT_PACING,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            account_id=account_id,
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrency=max_concurrency,
            pacing=pacing,
            allow_insecure_http=allow_insecure_http,
        )
        self._owns_http = http_client is None
        self._http = self._http_client(
            http_client, httpx.AsyncClient, transport, httpx.AsyncHTTPTransport
        )
        self._sleep = sleep
        self._pacer = AsyncPacer(pacing, clock=clock, sleep=sleep)

    @property
    def api_client(self) -> Client:
        """The generated low-level client, sending through this client's httpx client.

        Use its `asyncio` functions; they send at most 20 ids, without retries, pacing or
        typed errors, but as this client does: to the base URL, with the credential, never
        following a redirect.
        """
        return async_api_client(
            self.base_url,
            self._http,
            self._owns_http,
            self._http_settings(),
            self._request_extensions,
        )

    async def get_by_ids(
        self, index_name: str, ids: Iterable[str], *, max_retries: int | None = None
    ) -> VectorList:
        """Return the vectors with these ids, in the order asked, unknown ids left out.

        Any number of ids: duplicates are removed and chunks of at most 20 are sent, up to
        `max_concurrency` at once. The result's `missing_ids` names the ids not found.
        Raises an APIError subclass, with `unfetched_ids`, when any chunk fails for good.
        """
        index_name = check_index_name(index_name)
        wanted = unique_ids(ids)
        policy = self._policy(max_retries)
        parts = chunks(wanted)
        if not parts:
            return VectorList()
        if len(parts) == 1:
            try:
                return in_order(wanted, [await self._fetch(index_name, parts[0], policy)])
            except APIError as error:
                mark_unfetched(error, wanted)
                raise
        return in_order(wanted, await self._run_concurrently(index_name, parts, policy))

    async def _run_concurrently(
        self, index_name: str, parts: list[list[str]], policy: RetryPolicy
    ) -> list[list[Vector]]:
        slots = asyncio.Semaphore(self._max_concurrency)

        async def run(part: list[str]) -> list[Vector]:
            async with slots:
                return await self._fetch(index_name, part, policy)

        tasks = [asyncio.ensure_future(run(part)) for part in parts]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:  # after a failure (or our own cancellation) stop the rest
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        failures = [t.exception() for t in tasks if not t.cancelled() and t.exception()]
        if not failures:
            return [task.result() for task in tasks]
        unfetched = [
            vector_id
            for part, task in zip(parts, tasks, strict=True)
            if task.cancelled() or task.exception() is not None
            for vector_id in part
        ]
        error = next((f for f in failures if isinstance(f, APIError)), None)
        if error is None:
            raise failures[0]  # type: ignore[misc]  # a bug, not an API failure: let it out
        raise mark_unfetched(error, unfetched)

    async def _fetch(self, index_name: str, ids: list[str], policy: RetryPolicy) -> list[Vector]:
        """Fetch one chunk, retrying as the policy says."""
        retry = 0
        while True:
            await self._pacer.wait()
            try:
                return await self._attempt(index_name, ids)
            except APIError as error:
                delay = policy.delay(error, retry)
                if delay is None:
                    self._log_give_up(index_name, ids, error, retry + 1)
                    raise
                self._log_retry(index_name, ids, error, retry, delay)
                await self._sleep(delay)
                retry += 1

    async def _attempt(self, index_name: str, ids: list[str]) -> list[Vector]:
        """Send one request and read its whole answer within the total timeout."""
        request = self._http.build_request(**self._request_args(index_name, ids))
        try:
            async with asyncio.timeout(self._timeout.total):
                response = await self._http.send(
                    request, auth=self._auth, stream=True, follow_redirects=False
                )
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
        except TimeoutError as error:
            raise APITimeoutError(
                f"no complete answer within {self._timeout.total:g} s (total timeout)"
            ) from error
        except httpx.TimeoutException as error:
            raise APITimeoutError(f"request timed out: {error}") from error
        except httpx.TransportError as error:
            raise APIConnectionError(f"connection failed: {error}") from error
        except httpx.DecodingError as error:
            raise undecodable(response, error) from error
        return vectors_from(response.status_code, response.headers, content)

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
