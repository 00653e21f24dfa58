"""iter_by_ids, sync and async: order, missing ids as it goes, laziness, failures, cancelling."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from cf_vectorize import (
    APITimeoutError,
    ApiToken,
    AsyncVectorize,
    InvalidInputError,
    InvalidInputTypeError,
    NotFoundError,
    Timeout,
    Vectorize,
)
from tests.clientkit import (
    ACCOUNT,
    TOKEN,
    Runner,
    Server,
    envelope,
    failure,
    found,
    iterate,
    vector,
)
from tests.faultserver import FaultServer, never_answer

IDS = [f"id-{n:03d}" for n in range(95)]  # 5 chunks, the last of 15


def test_vectors_come_in_the_order_asked_and_missing_ids_are_named(runner: Runner) -> None:
    unknown = {"id-003", "id-030", "id-094"}
    seen = iterate(runner, Server([found(unknown)]), IDS)
    assert seen.error is None
    assert seen.ids == [i for i in IDS if i not in unknown]
    assert seen.missing_ids == ("id-003", "id-030", "id-094")
    assert seen.ids_done == len(IDS)


def test_missing_ids_fill_in_as_chunks_are_delivered(runner: Runner) -> None:
    seen = iterate(runner, Server([found({"id-003", "id-030"})]), IDS, max_concurrency=1)
    first_chunk = seen.missing_seen[:19]  # the 19 vectors of chunk 1
    assert set(first_chunk) == {("id-003",)}
    assert seen.missing_seen[19] == ("id-003", "id-030")  # the first of chunk 2


def test_an_endless_generator_is_drawn_only_as_needed(runner: Runner) -> None:
    drawn = itertools.count()
    ids = (f"id-{next(drawn)}" for _ in itertools.count())
    server = Server([found()])
    seen = iterate(runner, server, ids, take=50, max_concurrency=2)
    assert seen.ids == [f"id-{n}" for n in range(50)]
    # 3 chunks give 50 vectors; at most a window of 2 x 2 more were started, one drawn ahead.
    assert len(server.requests) <= 3 + 4
    assert next(drawn) <= (3 + 4 + 1) * 20


def test_leaving_the_loop_sends_nothing_more(runner: Runner) -> None:
    server = Server([found()])
    seen = iterate(runner, server, IDS * 1, take=1, max_concurrency=1)
    assert seen.ids == [IDS[0]]
    assert len(server.requests) == 1


@pytest.mark.parametrize("limit", [1, 8])
def test_a_failure_yields_what_came_before_then_raises_naming_the_rest(
    runner: Runner, limit: int
) -> None:
    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        if "id-045" in ids:
            return failure(404, 3000, "vectorize.index.not_found")
        return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    seen = iterate(runner, Server([answer]), IDS, max_concurrency=limit)
    assert seen.ids == IDS[:40]
    assert isinstance(seen.error, NotFoundError)
    # The failed chunk and every id drawn after it; with one chunk in flight, one chunk
    # was drawn ahead and the rest of the ids left undrawn, from where resume_from says.
    resume = seen.error.resume_from
    assert resume == (80 if limit == 1 else None)
    assert seen.error.unfetched_ids == tuple(IDS[40:resume])


def test_no_ids_send_nothing(runner: Runner) -> None:
    server = Server([found()])
    seen = iterate(runner, server, [])
    assert (seen.ids, seen.missing_ids, seen.error, server.requests) == ([], (), None, [])
    assert runner.get(server, "my-index", []) == []
    assert server.requests == []


@pytest.mark.parametrize("limit", [1, 2, 8])
def test_the_results_are_the_same_whatever_the_concurrency(runner: Runner, limit: int) -> None:
    seen = iterate(runner, Server([found({"id-050"})]), IDS, max_concurrency=limit)
    assert seen.ids == [i for i in IDS if i != "id-050"]
    assert seen.missing_ids == ("id-050",)


def test_bad_ids_in_a_collection_are_refused_before_anything_is_sent(runner: Runner) -> None:
    server = Server([found()])
    ids: list[object] = [*IDS[:45], 7, *IDS[45:]]
    with pytest.raises(InvalidInputTypeError, match=r"ids\[45\]"):
        iterate(runner, server, ids)  # type: ignore[arg-type]
    assert server.requests == []


def test_bad_ids_in_a_generator_are_refused_when_reached(runner: Runner) -> None:
    server = Server([found()])
    ids = (i if i != "id-045" else "" for i in IDS)
    seen = iterate(runner, server, ids, max_concurrency=1)
    assert isinstance(seen.error, InvalidInputError)
    assert "ids[45] is empty" in str(seen.error)
    assert seen.ids == IDS[:45]  # every id before it
    assert len(server.requests) == 3


def test_a_per_call_timeout_overrides_the_clients(runner: Runner) -> None:
    server = Server([found()])
    runner.get(server, "my-index", ["a"], call={"timeout": 7}, timeout=Timeout(30, 2))
    runner.get(server, "my-index", ["a"], call={"timeout": Timeout(3, 1)}, timeout=30)
    runner.get(server, "my-index", ["a"], timeout=Timeout(30, 2))
    timeouts = [request.extensions["timeout"] for request in server.requests]
    assert [(t["read"], t["connect"]) for t in timeouts] == [(7, 5), (3, 1), (30, 2)]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_per_call_total_timeout_ends_a_silent_server(kind: str) -> None:
    with FaultServer([never_answer]) as server:
        kwargs = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "base_url": server.base_url}
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"within 0\.3 s"):
            if kind == "sync":
                with Vectorize(timeout=60, max_retries=0, **kwargs) as client:  # type: ignore[arg-type]
                    client.get_by_ids("my-index", ["a"], timeout=0.3)
            else:
                asyncio.run(_async_get_with_timeout(kwargs))
        assert time.monotonic() - started < 30  # a bound proving the 60 s did not apply


async def _async_get_with_timeout(kwargs: dict[str, object]) -> None:
    async with AsyncVectorize(timeout=60, max_retries=0, **kwargs) as client:  # type: ignore[arg-type]
        await client.get_by_ids("my-index", ["a"], timeout=0.3)


def test_sync_vectors_come_before_later_chunks_are_answered() -> None:
    """Chunk 3 is answered only once the caller holds a vector of chunk 1: no deadlock."""
    first_seen = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        if ids[0] == "id-040":
            assert first_seen.wait(5), "the first vector was never yielded"
        return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    with Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        transport=httpx.MockTransport(handler),
        pacing=None,
    ) as client:
        got = []
        for item in client.iter_by_ids("my-index", IDS):
            first_seen.set()
            got.append(item.id)
    assert got == IDS


def test_async_vectors_come_before_later_chunks_are_answered() -> None:
    class Held(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.first_seen = asyncio.Event()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            ids = json.loads(request.content)["ids"]
            if ids[0] == "id-040":
                await asyncio.wait_for(self.first_seen.wait(), 5)
            return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    async def run() -> list[str]:
        transport = Held()
        got = []
        async with AsyncVectorize(
            account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport, pacing=None
        ) as client:
            async for item in client.iter_by_ids("my-index", IDS):
                transport.first_seen.set()
                got.append(item.id)
        return got

    assert asyncio.run(run()) == IDS


def test_a_closed_stream_ends_and_its_repr_says_how_far_it_got() -> None:
    server = Server([found({"id-001"})])
    with Vectorize(
        account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=httpx.MockTransport(server), pacing=None
    ) as client:
        with client.iter_by_ids("my-index", IDS) as stream:
            next(stream)
            text = repr(stream)
        assert list(stream) == []
    assert text.startswith("<VectorStream 'my-index': ")
    assert "1 missing" in text
    assert TOKEN not in text


def test_a_stream_over_the_stand_in_shape_of_ids_keeps_first_seen_order(runner: Runner) -> None:
    ids: Iterator[str] = iter(["b", "a", "b", "c", "a"])
    server = Server([found()])
    seen = iterate(runner, server, ids)
    assert seen.ids == ["b", "a", "c"]
    assert server.bodies == [["b", "a", "c"]]


def test_without_deduplication_nothing_is_kept_and_a_repeat_comes_again(runner: Runner) -> None:
    server = Server([found()])
    seen = iterate(runner, server, ["a", "b", "a"], call={"deduplicate": False})
    assert seen.ids == ["a", "b", "a"]
    assert server.bodies == [["a", "b", "a"]]
