"""AsyncVectorize: the asyncio client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ._api_client import async_api_client
from ._auth import Credential
from ._base import DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT, ClientBase, StreamBase, Timeout
from ._body import DEFAULT_MAX_RESPONSE_BYTES, aread_body
from ._calls import MAPPED_ERRORS, Attempts, Send, mapped_error, seconds_to_wait
from ._cookies import QuietAsyncClient
from ._errors import APIError, ClientClosedError, EventLoopMismatchError, VectorizeError
from ._pacing import DEFAULT_PACING, Pacing
from ._plan import WAIT, Chunk
from ._results import VectorList, in_order, mark_unfetched
from ._retry import DEFAULT_MAX_RETRIES

if TYPE_CHECKING:  # the generated package loads with the first answer, keeping imports cheap
    from cf_vectorize_api import Client
    from cf_vectorize_api.models import Vector

    from ._base import FetchPage
    from ._calls import Action, ApiRequest, CallSettings
    from ._listing import AsyncIdListing, Listing, Page

T = TypeVar("T")


class AsyncVectorize(
    ClientBase[
        "AsyncVectorStream",
        Coroutine[Any, Any, VectorList],
        "AsyncIdListing",
        Coroutine[Any, Any, "Page"],
    ]
):
    """Asyncio client for Vectorize get_by_ids; the same settings as `Vectorize`.

    Batched calls run up to `max_concurrency` chunks at once as tasks. A client belongs to
    the event loop it is first used in: another loop gets EventLoopMismatchError.
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = (account_id, auth, base_url, allow_insecure_http)
        limits = (timeout, max_retries, max_concurrency, pacing)
        super().__init__(*settings, *limits, max_response_bytes, clock)
        self._loop: asyncio.AbstractEventLoop | None = None  # the one it runs in, once known
        self._stream_type = AsyncVectorStream
        self._http = self._http_client(
            http_client, QuietAsyncClient, transport, httpx.AsyncHTTPTransport
        )
        self._sleep = sleep
        self._closing: asyncio.Event | None = None  # made in the loop, by the first wait

    @property
    def api_client(self) -> Client:
        """The generated low-level client, sending through this client's httpx client.

        Use its `asyncio` functions; they send at most 20 ids, without retries, pacing or
        typed errors, but as this client does: to the base URL, with the credential, never
        following a redirect.
        """
        return async_api_client(self._http, *self._api_client_settings())

    async def _collect(self, stream: AsyncVectorStream) -> VectorList:
        async with stream:
            return VectorList([vector async for vector in stream], stream.missing_ids)

    async def _fetch_one(
        self, index_name: str, ids: list[str], settings: CallSettings
    ) -> VectorList:
        self._check_loop()
        if not ids:
            return VectorList()
        request = self._get_by_ids_request(index_name, ids)
        # Sent in the caller's task, which closing the client cancels (as it cancels a
        # stream's tasks): no await comes between registering it and sending.
        caller = _CallerTask(asyncio.current_task())
        self._streams.add(caller)
        try:
            vectors = await self._call(request, settings)
        except asyncio.CancelledError:
            if caller.aborted and caller.uncancel() == 0:
                raise ClientClosedError("the client was closed during the call") from None
            raise
        except APIError as error:
            if not error.unfetched_ids:
                mark_unfetched(error, ids)
            raise
        finally:
            self._streams.discard(caller)
        return in_order(ids, vectors)

    def _listing_iterator(self, listing: Listing, fetch: FetchPage) -> AsyncIdListing:
        from ._listing import AsyncIdListing, aiterate  # noqa: PLC0415 - loaded by the first listing

        return AsyncIdListing(listing, aiterate(listing, fetch))

    async def _request_once(
        self, request: ApiRequest[T], max_retries: int | None, timeout: float | Timeout | None
    ) -> T:
        """Send one request of any operation with retries, pacing, timeouts and typed errors.

        As `Vectorize._request_once`: an operation of one request per call awaits this.
        """
        self._check_open()
        self._check_loop()
        return await self._call(request, self._call_settings(max_retries, timeout))

    async def _outcome(self, request: ApiRequest[T], settings: CallSettings) -> T | VectorizeError:
        """Return the value of request, or the error that ended it (for the stream)."""
        try:
            return await self._call(request, settings)
        except (APIError, ClientClosedError) as error:
            return error

    async def _call(self, request: ApiRequest[T], settings: CallSettings) -> T:
        """Send request with retries and pacing, as `Attempts` decides."""
        flow = Attempts(request, settings.policy)
        while (step := flow.step()) is not None:
            flow.report(await self._perform(step, request, settings.timeout))
        return flow.value

    async def _perform(self, step: Action, request: ApiRequest[T], timeout: Timeout) -> object:
        if not isinstance(step, Send):
            seconds = seconds_to_wait(step, self._pacer)
            if seconds > 0:
                await self._pause(seconds)
            self._check_open()
            return None
        try:
            return await self._attempt(request, timeout)
        except APIError as error:
            return error

    async def _attempt(self, request: ApiRequest[T], timeout: Timeout) -> T:
        """Send one request and read its whole answer within the total timeout."""
        http_request = self._http.build_request(**request.args, timeout=timeout.for_httpx())
        total = timeout.total
        deadline = time.monotonic() + total
        try:
            async with asyncio.timeout(total):
                response = await self._http.send(
                    http_request, auth=self._auth, stream=True, follow_redirects=False
                )
                try:
                    content = await aread_body(response, self._max_response_bytes)
                finally:
                    await response.aclose()
        except MAPPED_ERRORS as error:
            mapped = mapped_error(error, total, deadline, self._is_closed)
            if mapped is error:
                raise
            raise mapped  # noqa: B904 (its cause is set by mapped_error)
        return request.parse(response.status_code, response.headers, content)

    async def _pause(self, seconds: float) -> None:
        """Wait seconds, or until the client closes (with the default sleep)."""
        if self._sleep is not asyncio.sleep:
            await self._sleep(seconds)
            return
        if self._closing is None:
            self._closing = asyncio.Event()
        with suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _check_loop(self) -> None:
        """Refuse an event loop other than the first: the connections belong to that one."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise EventLoopMismatchError(
                "this AsyncVectorize was first used in another event loop, which its "
                "connections belong to; make one client per event loop (per asyncio.run)"
            )

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in); calls in flight end at once.

        A call in flight raises ClientClosedError; so does any later call.
        """
        self._mark_closed()
        if self._closing is not None:
            self._closing.set()
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


class _CallerTask:
    """The task of a one-request call in flight: closing the client cancels it."""

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self._task = task
        self.aborted = False

    def _abort(self) -> None:
        self.aborted = True
        if self._task is not None:
            self._task.cancel()

    def uncancel(self) -> int:
        """Withdraw the cancellation made by closing; return the cancellations left."""
        return self._task.uncancel() if self._task is not None else 0


class AsyncVectorStream(StreamBase):
    """The vectors of `AsyncVectorize.iter_by_ids`, in the order asked, for `async for`.

    Each chunk runs as a task; `missing_ids` and `ids_done` grow as it goes.
    """

    def _prepare(self, client: AsyncVectorize) -> None:
        self._client = client
        self._tasks: dict[asyncio.Future[Any], int] = {}
        self._closed_by_client = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Vector:
        self._client._check_loop()
        with self._cancelled_on_error():
            while (item := self._plan.pop(self._start)) is WAIT:
                await self._settle_some()
        return self._item(item, StopAsyncIteration)

    def _start(self, chunk: Chunk) -> None:
        coroutine = self._client._outcome(self._request(chunk), self._settings)
        self._tasks[asyncio.ensure_future(coroutine)] = chunk.seq

    async def _settle_some(self) -> None:
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        if self._closed_by_client:
            self._plan.settle(None, ClientClosedError("the client was closed during the call"))
        for task in done:
            seq = self._tasks.pop(task)
            # Cancelled by someone else (the loop shutting down): that ends the fetch too.
            cancelled = asyncio.CancelledError("a chunk's task was cancelled")
            outcome = cancelled if task.cancelled() else task.exception() or task.result()
            self._plan.settle(seq, outcome)

    async def aclose(self) -> None:
        """Cancel the chunks in flight; nothing more is sent."""
        self._abandon()

    def _abandon(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self._plan.abandon()

    def _abort(self) -> None:
        self._closed_by_client = True
        for task in self._tasks:
            task.cancel()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
