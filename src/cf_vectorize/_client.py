"""Vectorize: the synchronous client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from ._api_client import sync_api_client
from ._auth import Credential
from ._base import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    ClientBase,
    Timeout,
    mark_unfetched,
)
from ._deadline import calling_thread
from ._errors import APIConnectionError, APIError, APITimeoutError
from ._pacing import DEFAULT_PACING, Pacer, Pacing
from ._response import undecodable, vectors_from
from ._results import VectorList, chunks, in_order
from ._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from ._validation import check_index_name, unique_ids

if TYPE_CHECKING:  # the generated package loads with the first answer (issue 7: import time)
    from cf_vectorize_api import Client
    from cf_vectorize_api.models import Vector


class Vectorize(ClientBase):
    """Synchronous client for Vectorize get_by_ids.

    Keyword arguments win; the environment fills in CLOUDFLARE_ACCOUNT_ID,
    CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY) and CLOUDFLARE_BASE_URL.
    Batched calls run up to `max_concurrency` chunks at once on a thread pool.
    The total timeout bounds every socket wait of a `DeadlineTransport` (the one made here
    when neither `transport` nor `http_client` is passed); another transport keeps its own
    timeouts, with the total checked as the body arrives.
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
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
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
        # The transport made here keeps the deadline _attempt sets on the calling thread.
        from ._transport import DeadlineTransport  # noqa: PLC0415 (loads httpcore)

        self._http = self._http_client(http_client, httpx.Client, transport, DeadlineTransport)
        self._sleep = sleep
        self._pacer = Pacer(pacing, clock=clock, sleep=sleep)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @property
    def api_client(self) -> Client:
        """The generated low-level client, sending through this client's httpx client.

        Its functions (`cf_vectorize_api.api.vectorize.vectorize_get_vectors_by_id.sync`, …)
        send at most 20 ids, without retries, pacing or typed errors, but as this client
        does: to the base URL, with the credential, never following a redirect.
        """
        return sync_api_client(
            self.base_url,
            self._http,
            self._owns_http,
            self._http_settings(),
            self._request_extensions,
        )

    def get_by_ids(
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
        if len(parts) <= 1 or self._max_concurrency == 1:
            answers = self._run_in_turn(index_name, parts, policy)
        else:
            answers = self._run_on_pool(index_name, parts, policy)
        return in_order(wanted, answers)

    def _run_in_turn(
        self, index_name: str, parts: list[list[str]], policy: RetryPolicy
    ) -> list[list[Vector]]:
        answers: list[list[Vector]] = []
        for position, part in enumerate(parts):
            try:
                answers.append(self._fetch(index_name, part, policy))
            except APIError as error:
                mark_unfetched(error, [i for rest in parts[position:] for i in rest])
                raise
        return answers

    def _run_on_pool(
        self, index_name: str, parts: list[list[str]], policy: RetryPolicy
    ) -> list[list[Vector]]:
        failed = threading.Event()  # once set, chunks not yet started are skipped

        def run(part: list[str]) -> list[Vector] | None:
            if failed.is_set():
                return None
            try:
                return self._fetch(index_name, part, policy)
            except BaseException:
                failed.set()
                raise

        pool = self._executor()
        futures = [pool.submit(run, part) for part in parts]
        answers: list[list[Vector]] = []
        unfetched: list[str] = []
        first_error: APIError | None = None
        for part, future in zip(parts, futures, strict=True):
            try:
                answer = future.result()
            except APIError as error:
                first_error = first_error or error
                answer = None
            if answer is None:
                unfetched += part
            else:
                answers.append(answer)
        if first_error is not None:
            raise mark_unfetched(first_error, unfetched)
        return answers

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._max_concurrency, thread_name_prefix="cf-vectorize"
                )
            return self._pool

    def _fetch(self, index_name: str, ids: list[str], policy: RetryPolicy) -> list[Vector]:
        """Fetch one chunk, retrying as the policy says."""
        retry = 0
        while True:
            self._pacer.wait()
            try:
                return self._attempt(index_name, ids)
            except APIError as error:
                delay = policy.delay(error, retry)
                if delay is None:
                    self._log_give_up(index_name, ids, error, retry + 1)
                    raise
                self._log_retry(index_name, ids, error, retry, delay)
                self._sleep(delay)
                retry += 1

    def _attempt(self, index_name: str, ids: list[str]) -> list[Vector]:
        """Send one request and read its whole answer within the total timeout."""
        request = self._http.build_request(**self._request_args(index_name, ids))
        deadline = time.monotonic() + self._timeout.total
        try:
            calling_thread.at = deadline  # kept by DeadlineTransport's every socket wait
            response = self._http.send(
                request, auth=self._auth, stream=True, follow_redirects=False
            )
            try:
                pieces = []  # joined once at the end: one copy of a body of up to ~0.6 MB
                for piece in response.iter_bytes():
                    pieces.append(piece)
                    # A server that drips bytes resets the read timeout with each byte.
                    if time.monotonic() > deadline:
                        raise APITimeoutError(
                            f"no complete answer within {self._timeout.total:g} s (total timeout)"
                        )
            finally:
                response.close()
        except httpx.TimeoutException as error:
            if time.monotonic() >= deadline:  # a read clamped to the deadline ran out
                raise APITimeoutError(
                    f"no complete answer within {self._timeout.total:g} s (total timeout)"
                ) from error
            raise APITimeoutError(f"request timed out: {error}") from error
        except httpx.TransportError as error:
            raise APIConnectionError(f"connection failed: {error}") from error
        except httpx.DecodingError as error:
            raise undecodable(response, error) from error
        finally:
            calling_thread.at = None
        return vectors_from(response.status_code, response.headers, b"".join(pieces))

    def close(self) -> None:
        """Close the connection pool (unless it was passed in) and the thread pool."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
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
