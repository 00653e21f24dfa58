"""Vectorize: the synchronous client."""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

import httpx

from ._api_client import sync_api_client
from ._auth import Credential
from ._base import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    Cancelled,
    ClientBase,
    StreamBase,
    Timeout,
)
from ._body import DEFAULT_MAX_RESPONSE_BYTES, read_body
from ._calls import (
    MAPPED_ERRORS,
    Action,
    ApiRequest,
    Attempts,
    CallSettings,
    Send,
    mapped_error,
    seconds_to_wait,
)
from ._cookies import QuietClient
from ._deadline import calling_thread
from ._durations import MAX_SECONDS
from ._errors import APIError, APITimeoutError, ClientClosedError, VectorizeError
from ._pacing import DEFAULT_PACING, Pacing
from ._plan import WAIT, Chunk, Outcome
from ._results import VectorList, in_order, mark_unfetched
from ._retry import DEFAULT_MAX_RETRIES

if TYPE_CHECKING:  # the generated package loads with the first answer, keeping imports cheap
    from cf_vectorize_api import Client
    from cf_vectorize_api.models import Vector

    from ._base import FetchPage
    from ._listing import IdListing, Listing, Page  # noqa: F401 - Page: a type argument below

T = TypeVar("T")
RESULT_POLL = 0.25  # seconds between looks for an interrupt while chunks are in flight
Job = tuple[int, "ApiRequest[list[Vector]]"]  # a chunk's number and its request


class Vectorize(ClientBase["VectorStream", "VectorList", "IdListing", "Page"]):
    """Synchronous client for Vectorize get_by_ids.

    Keyword arguments win; the environment fills in CLOUDFLARE_ACCOUNT_ID,
    CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY) and CLOUDFLARE_BASE_URL.
    Batched calls run up to `max_concurrency` chunks at once on daemon threads.
    The total timeout bounds every socket wait of a `DeadlineTransport` (the one made here
    when neither `transport` nor `http_client` is passed); another transport keeps its own
    timeouts, with the total checked as the body arrives.
    `sleep` and `clock` exist for tests (pacing and retry waits use them); by default a
    wait is on an event that closing the call or the client sets, so it ends at once.
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
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = (account_id, auth, base_url, allow_insecure_http)
        limits = (timeout, max_retries, max_concurrency, pacing)
        super().__init__(*settings, *limits, max_response_bytes, clock)
        self._stream_type = VectorStream
        # The transport made here keeps the deadline _attempt sets on the calling thread.
        from ._transport import DeadlineTransport  # noqa: PLC0415 (loads httpcore)

        self._http = self._http_client(http_client, QuietClient, transport, DeadlineTransport)
        self._sleep = sleep
        self._closing = threading.Event()  # ends the waits of calls outside any stream

    @property
    def api_client(self) -> Client:
        """The generated low-level client, sending through this client's httpx client.

        Its functions (`cf_vectorize_api.api.vectorize.vectorize_get_vectors_by_id.sync`, …)
        send at most 20 ids, without retries, pacing or typed errors, but as this client
        does: to the base URL, with the credential, never following a redirect.
        """
        return sync_api_client(self._http, *self._api_client_settings())

    def _listing_iterator(self, listing: Listing, fetch: FetchPage) -> IdListing:
        from ._listing import IdListing, iterate  # noqa: PLC0415 - loaded by the first listing

        return IdListing(listing, iterate(listing, fetch))

    def _collect(self, stream: VectorStream) -> VectorList:
        with stream:
            return VectorList(list(stream), stream.missing_ids)

    def _fetch_one(self, index_name: str, ids: list[str], settings: CallSettings) -> VectorList:
        if not ids:
            return VectorList()
        try:
            vectors = self._call(self._get_by_ids_request(index_name, ids), settings, self._closing)
        except Cancelled:  # closed from another thread between two steps
            raise ClientClosedError("the client was closed during the call") from None
        except APIError as error:
            if not error.unfetched_ids:
                mark_unfetched(error, ids)
            raise
        return in_order(ids, vectors)

    def _request_once(
        self, request: ApiRequest[T], max_retries: int | None, timeout: float | Timeout | None
    ) -> T:
        """Send one request of any operation with retries, pacing, timeouts and typed errors.

        An operation of one request per call (a page of List Vectors, say) is a public
        method that builds its ApiRequest (in ClientBase) and hands it here.
        """
        self._check_open()
        return self._call(request, self._call_settings(max_retries, timeout), self._closing)

    def _outcome(
        self, request: ApiRequest[T], settings: CallSettings, stop: threading.Event
    ) -> T | VectorizeError:
        """Return the value of request, or the error that ended it (for the stream)."""
        try:
            return self._call(request, settings, stop)
        except (APIError, ClientClosedError) as error:
            return error

    def _call(self, request: ApiRequest[T], settings: CallSettings, stop: threading.Event) -> T:
        """Send request with retries and pacing, as `Attempts` decides."""
        flow = Attempts(request, settings.policy)
        while (step := flow.step()) is not None:
            flow.report(self._perform(step, request, settings.timeout, stop))
        return flow.value

    def _perform(
        self,
        step: Action,
        request: ApiRequest[T],
        timeout: Timeout,
        stop: threading.Event,
    ) -> object:
        if isinstance(step, Send):
            try:
                return self._attempt(request, timeout)
            except APIError as error:
                return error
        seconds = seconds_to_wait(step, self._pacer)
        if seconds > 0:
            # stop is set by closing the stream or the client: never a blind sleep.
            (self._sleep or functools.partial(_wait, stop))(seconds)
        self._check_open()
        if stop.is_set():
            raise Cancelled
        return None

    def _attempt(self, request: ApiRequest[T], timeout: Timeout) -> T:
        """Send one request and read its whole answer within the total timeout."""
        http_request = self._http.build_request(**request.args, timeout=timeout.for_httpx())
        total = timeout.total
        deadline = time.monotonic() + total

        def past_deadline() -> None:  # a drip of bytes resets the read timeout each time
            if time.monotonic() > deadline:
                raise APITimeoutError(f"no complete answer within {total:g} s (total timeout)")

        calling_thread.at = deadline  # kept by DeadlineTransport's every socket wait
        try:
            response = self._http.send(
                http_request, auth=self._auth, stream=True, follow_redirects=False
            )
            try:
                content = read_body(response, self._max_response_bytes, past_deadline)
            finally:
                response.close()
        except MAPPED_ERRORS as error:
            mapped = mapped_error(error, total, deadline, self._is_closed)
            if mapped is error:
                raise
            raise mapped  # noqa: B904 (its cause is set by mapped_error)
        finally:
            calling_thread.at = None
        return request.parse(response.status_code, response.headers, content)

    def close(self) -> None:
        """Close the connection pool (unless it was passed in); calls in flight end at once.

        A call running in another thread raises ClientClosedError; so does any later call.
        """
        self._mark_closed()
        self._closing.set()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class VectorStream(StreamBase):
    """The vectors of `Vectorize.iter_by_ids`, in the order asked; see its docstring.

    An iterator and a context manager: leaving the `with` block, `close()`, or dropping
    the stream cancels the chunks not yet sent. `missing_ids` and `ids_done` grow as it goes.
    Chunks run on daemon threads (inline, on the caller's thread, when only one can run),
    so an interrupted program never waits for a request in flight to end.
    """

    def _prepare(self, client: Vectorize) -> None:
        self._client = client
        self._stop = threading.Event()
        self._results: queue.SimpleQueue[tuple[int | None, Outcome]] = queue.SimpleQueue()
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._workers = 0

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> Vector:
        with self._cancelled_on_error():
            while (item := self._plan.pop(self._start)) is WAIT:
                self._plan.settle(*self._next_result())
        return self._item(item, StopIteration)

    def _next_result(self) -> tuple[int | None, Outcome]:
        # A timed wait, so that Ctrl-C is seen within a moment even where a blocked lock
        # does not wake for signals (Windows, or an interrupt raised without a signal).
        while True:
            with suppress(queue.Empty):
                return self._results.get(timeout=RESULT_POLL)

    def _start(self, chunk: Chunk) -> None:
        request, client = self._request(chunk), self._client
        if chunk.alone or client._max_concurrency == 1:
            with suppress(Cancelled):  # closed from another thread: the plan is abandoned
                outcome: Outcome = client._outcome(request, self._settings, self._stop)
                self._plan.settle(chunk.seq, outcome)
            return
        self._jobs.put((chunk.seq, request))
        if self._workers < self._plan.in_flight:  # one worker per chunk in flight, at most
            self._workers += 1
            threading.Thread(
                target=_work,
                args=(client, self._settings, self._stop, self._jobs, self._results),
                name="cf-vectorize-chunk",
                daemon=True,
            ).start()

    def close(self) -> None:
        """Cancel what is not yet sent; requests in flight are abandoned, not waited for."""
        self._abandon()

    def _abandon(self) -> None:
        self._stop.set()
        for _ in range(self._workers):  # each idle worker ends at its next job
            self._jobs.put(None)
        self._workers = 0
        self._plan.abandon()

    def _abort(self) -> None:
        self._stop.set()
        self._results.put((None, ClientClosedError("the client was closed during the call")))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _wait(stop: threading.Event, seconds: float) -> None:
    """Wait seconds, or until stop is set, in waits of at most MAX_SECONDS.

    Each pacing window is at most that long, but the send times reserved by many threads
    sharing a client add up, and one Event.wait past the platform's TIMEOUT_MAX (about 49.7
    days on Windows) would raise OverflowError.
    """
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and not stop.wait(min(left, MAX_SECONDS)):
        pass


def _work(
    client: Vectorize,
    settings: CallSettings,
    stop: threading.Event,
    jobs: queue.SimpleQueue[Job | None],
    results: queue.SimpleQueue[tuple[int | None, Outcome]],
) -> None:
    """Fetch chunks on a worker thread of a stream, handing each outcome to it.

    A stream keeps its workers for its whole fetch (threads made and dropped per chunk
    would leave the allocator's memory growing with the number of chunks); they end when
    the stream closes. They hold no reference to the stream, so dropping it closes it.
    """
    while (job := jobs.get()) is not None and not stop.is_set():
        seq, request = job
        try:
            outcome: Outcome = client._outcome(request, settings, stop)
        except Cancelled:
            return
        except BaseException as error:  # a bug: handed to the caller's thread, raised there
            outcome = error
        results.put((seq, outcome))
