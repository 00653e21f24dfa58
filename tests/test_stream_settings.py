"""iter_by_ids over several requests: per-call timeout and max_retries, and leaving the loop.

Sync and async. A per-call setting must reach every request of the stream, not only the
first; a loop left with `break` (no `with`, no `aclose`) at the default concurrency must
send nothing more, retries of the requests then in flight included.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    DEFAULT_MAX_CONCURRENCY,
    APIError,
    APITimeoutError,
    ApiToken,
    AsyncVectorize,
    InternalServerError,
    Vectorize,
)
from cf_vectorize.testing import VectorizeServer
from tests.clientkit import ACCOUNT, TOKEN, envelope, failure, vector
from tests.faultserver import FaultServer, failing_for, slow

IDS = [f"id-{n:03d}" for n in range(45)]  # three requests: 20, 20 and 5 ids
BOUND = 30  # seconds; proves the client's 60 s did not apply, never an expected duration
HELD = 5  # seconds a held request waits for the loop to be left, at most


def _kwargs(base_url: str) -> dict[str, Any]:
    return {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "base_url": base_url}


# --- a per-call timeout --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_per_call_timeout_ends_a_stream_whose_second_request_is_slow(kind: str) -> None:
    got: list[str] = []
    with FaultServer([failing_for("id-025", slow(60))]) as server:
        kwargs = {**_kwargs(server.base_url), "timeout": 60, "max_retries": 0, "pacing": None}
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"within 0\.5 s") as raised:
            if kind == "sync":
                with Vectorize(**kwargs) as client:
                    got.extend(v.id for v in client.iter_by_ids("my-index", IDS, timeout=0.5))
            else:

                async def run() -> None:
                    async with AsyncVectorize(**kwargs) as client:
                        async for v in client.iter_by_ids("my-index", IDS, timeout=0.5):
                            got.append(v.id)

                asyncio.run(run())
        assert time.monotonic() - started < BOUND
        assert len(server.requests) == 3  # every request went out, the slow one timed out
    assert got == IDS[:20]  # the chunk before the slow one, in order
    assert raised.value.unfetched_ids == tuple(IDS[20:])


# --- per-call max_retries ------------------------------------------------------------------


def _fetch(server: VectorizeServer, kind: str, client: dict[str, Any], call: dict[str, Any]) -> Any:
    """Stream IDS from the stand-in; return the APIError that ended it (retries never wait)."""
    if kind == "sync":
        with (
            server.client(sleep=lambda _: None, pacing=None, **client) as sync,
            pytest.raises(APIError) as raised,
        ):
            list(sync.iter_by_ids("sample", IDS, **call))
        return raised.value

    async def no_wait(_: float) -> None:
        return None

    async def run() -> None:
        async with (
            server.async_client(sleep=no_wait, pacing=None, **client) as aclient,
            aclient.iter_by_ids("sample", IDS, **call) as stream,
        ):
            [v async for v in stream]

    with pytest.raises(APIError) as raised:
        asyncio.run(run())
    return raised.value


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_max_retries_per_call_overrides_the_clients_for_every_request(kind: str) -> None:
    with VectorizeServer() as server:
        server.fail_next(500, code=10500, times=None, route="get_by_ids")
        one_at_a_time = {"max_retries": 3, "max_concurrency": 1}

        error = _fetch(server, kind, one_at_a_time, {})
        assert isinstance(error, InternalServerError)
        assert len(server.requests) == 4  # the client's 3 retries of the first request

        server.clear_requests()
        error = _fetch(server, kind, one_at_a_time, {"max_retries": 0})
        assert isinstance(error, InternalServerError)
        # The failed chunk and the one drawn ahead; the rest is left undrawn, from resume_from.
        assert error.unfetched_ids == tuple(IDS[:40])
        assert error.resume_from == 40
        assert len(server.requests) == 1

        server.clear_requests()
        error = _fetch(server, kind, {"max_retries": 3}, {"max_retries": 0})
        assert isinstance(error, InternalServerError)
        asked = [tuple(request.ids or ()) for request in server.requests]
        assert len(asked) == len(set(asked)) <= 3  # each request sent once: none retried


# --- leaving the loop ----------------------------------------------------------------------


class _Held:
    """Answers the first request at once and holds every other until `left`, then 503s.

    Were the held requests retried after the loop was left, some ids would be asked twice.
    """

    def __init__(self) -> None:
        self.left = threading.Event()
        self.asked: list[tuple[str, ...]] = []
        self._lock = threading.Lock()

    def first(self, request: httpx.Request) -> tuple[bool, list[str]]:
        ids = json.loads(request.content)["ids"]
        with self._lock:
            self.asked.append(tuple(ids))
        return ids[0] == IDS[0], ids

    def __call__(self, request: httpx.Request) -> httpx.Response:
        first, ids = self.first(request)
        if not first:
            self.left.wait(HELD)
            return failure(503, 10503, "held")
        return httpx.Response(200, json=envelope([vector(i) for i in ids]))


def test_a_break_without_with_sends_nothing_more_at_the_default_concurrency() -> None:
    held = _Held()
    with Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        transport=httpx.MockTransport(held),
        pacing=None,
        sleep=lambda _: None,  # a retry would follow at once
    ) as client:
        assert client._max_concurrency == DEFAULT_MAX_CONCURRENCY == 8
        for vector_ in client.iter_by_ids("my-index", IDS * 10):  # noqa: B007 - left at once
            break
        held.left.set()  # the requests in flight now fail, retryably
        for thread in threading.enumerate():
            if thread.name == "cf-vectorize-chunk":
                thread.join(HELD)
    assert vector_.id == IDS[0]
    assert len(held.asked) == len(set(held.asked)) <= 1 + DEFAULT_MAX_CONCURRENCY
    assert len(held.asked) > 1  # requests were in flight when the loop was left


def test_an_async_break_without_aclose_sends_nothing_more_at_the_default_concurrency() -> None:
    held = _Held()

    class Transport(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.left = asyncio.Event()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            first, ids = held.first(request)
            if not first:
                await asyncio.wait_for(self.left.wait(), HELD)
                return failure(503, 10503, "held")
            return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    async def run() -> str:
        transport = Transport()
        async with AsyncVectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport, pacing=None
        ) as client:
            async for vector_ in client.iter_by_ids("my-index", IDS * 10):  # noqa: B007
                break
            for _ in range(5):
                await asyncio.sleep(0)  # let every task started so far send its request
            transport.left.set()  # the requests in flight, were they still, now fail
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if others:
                await asyncio.wait(others, timeout=HELD)
            return vector_.id

    assert asyncio.run(run()) == IDS[0]
    assert len(held.asked) == len(set(held.asked)) <= 1 + DEFAULT_MAX_CONCURRENCY
