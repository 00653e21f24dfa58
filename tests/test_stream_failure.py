"""A stream that fails draws no more ids: bounded unfetched_ids, and where to resume from."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable, Iterator

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    InternalServerError,
    NotFoundError,
    Vectorize,
    VectorizeError,
)
from cf_vectorize._plan import Chunk, Plan
from cf_vectorize._validation import Drawn, iter_unique_ids
from cf_vectorize.server import StandInServer
from tests.clientkit import ACCOUNT, Runner, Server, envelope, failure, found, iterate, vector

IDS = [f"id-{n:03d}" for n in range(200)]  # 10 chunks
CONCURRENCY = 8
# Drawn and not delivered at most: the reorder window (2 x concurrency) and a chunk ahead.
MOST_UNFETCHED = (2 * CONCURRENCY + 1) * 20


class Counted:
    """An endless iterator of ids that counts what was drawn from it."""

    def __init__(self) -> None:
        self.drawn = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self.drawn += 1
        return f"id{self.drawn - 1}"


def _stand_in_fetch(kind: str, ids: Iterable[str]) -> VectorizeError:
    with StandInServer() as server:
        server.fail_next(500, code=10001, times=None)
        kwargs = {
            "account_id": ACCOUNT,
            "auth": ApiToken(server.credentials.token or ""),
            "base_url": server.base_url,
            "allow_insecure_http": True,
            "max_retries": 0,
            "pacing": None,
            "max_concurrency": CONCURRENCY,
        }
        if kind == "sync":
            with Vectorize(**kwargs) as client:  # type: ignore[arg-type]
                try:
                    for _ in client.iter_by_ids("sample", ids):
                        pass
                except VectorizeError as error:
                    return error

        async def run() -> VectorizeError:
            async with AsyncVectorize(**kwargs) as client:  # type: ignore[arg-type]
                try:
                    async for _ in client.iter_by_ids("sample", ids):
                        pass
                except VectorizeError as error:
                    return error
            raise AssertionError("the fetch did not fail")

        return asyncio.run(run())
    raise AssertionError("the fetch did not fail")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_endless_generator_and_a_failing_stand_in_end_in_the_typed_error(kind: str) -> None:
    ids = Counted()
    started = time.monotonic()
    error = _stand_in_fetch(kind, ids)
    assert time.monotonic() - started < 30  # a bound proving it ends, not a timing
    assert isinstance(error, InternalServerError)
    assert 20 <= len(error.unfetched_ids) <= MOST_UNFETCHED
    # Nothing was delivered: the ids not fetched are those drawn, then the rest, undrawn.
    assert error.resume_from == ids.drawn
    assert error.unfetched_ids == tuple(f"id{n}" for n in range(ids.drawn))
    assert next(ids) == f"id{error.resume_from}"
    assert "not drawn" in " ".join(error.__notes__)


def _failing_once(at: str) -> Server:
    failed: list[str] = []

    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        if at in ids and not failed:
            failed.append(at)
            return failure(404, 3000, "vectorize.index.not_found")
        return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    return Server([answer])


@pytest.mark.parametrize("limit", [1, 3])
@pytest.mark.parametrize("shape", ["list", "iterator"])
def test_unfetched_ids_then_the_rest_from_resume_from_fetch_exactly_what_was_left(
    runner: Runner, limit: int, shape: str
) -> None:
    server = _failing_once("id-045")
    given: Iterable[str] = IDS if shape == "list" else iter(IDS)
    first = iterate(runner, server, given, max_concurrency=limit)
    error = first.error
    assert isinstance(error, NotFoundError)
    assert first.ids == IDS[:40]
    assert error.resume_from is not None and error.resume_from < len(IDS)
    assert len(error.unfetched_ids) <= (2 * limit + 1) * 20
    rest = IDS[error.resume_from :] if shape == "list" else given
    again = iterate(runner, server, itertools.chain(error.unfetched_ids, rest))
    assert again.error is None
    assert first.ids + again.ids == IDS


def test_a_stream_that_drew_every_id_names_every_one_not_fetched(runner: Runner) -> None:
    seen = iterate(runner, _failing_once("id-045"), IDS[:60], max_concurrency=8)
    assert isinstance(seen.error, NotFoundError)
    assert seen.error.unfetched_ids == tuple(IDS[40:60])
    assert seen.error.resume_from is None


def test_get_by_ids_still_names_every_id_not_fetched(runner: Runner) -> None:
    ids = IDS + IDS[:10]  # duplicates are dropped first; the ids are held whole anyway
    with pytest.raises(NotFoundError) as caught:
        runner.get(_failing_once("id-045"), "my-index", ids, max_concurrency=1)
    assert caught.value.unfetched_ids == tuple(IDS[40:])
    assert caught.value.resume_from is None


def test_a_bounded_plan_draws_nothing_more_after_a_failure() -> None:
    endless = Counted()
    drawn = Drawn()
    plan = Plan(iter_unique_ids(endless, drawn=drawn), concurrency=2, drawn=drawn)
    started: list[Chunk] = []
    plan.pop(started.append)
    plan.settle(0, NotFoundError("gone", status_code=404))
    with pytest.raises(NotFoundError) as caught:
        plan.pop(started.append)
    assert endless.drawn == drawn.count == caught.value.resume_from == 60  # 2 started, 1 ahead
    assert caught.value.unfetched_ids == tuple(f"id{n}" for n in range(60))


def _events(kind: str, handler: Server, ids: list[str], limit: int) -> tuple[list[str], int]:
    """Iterate with on_missing: the vectors and missing ids as they came, and missing_count.

    The stream's missing_ids must stay empty.
    """
    events: list[str] = []

    def on_missing(vector_id: str) -> None:
        events.append(f"missing {vector_id}")

    kwargs = {
        "account_id": ACCOUNT,
        "auth": ApiToken("t"),
        "transport": httpx.MockTransport(handler),
        "pacing": None,
        "max_concurrency": limit,
    }
    if kind == "sync":
        with (
            Vectorize(**kwargs) as client,  # type: ignore[arg-type]
            client.iter_by_ids("my-index", ids, on_missing=on_missing) as stream,
        ):
            events.extend(f"found {vector.id}" for vector in stream)
            assert stream.missing_ids == ()
            return events, stream.missing_count

    async def run() -> int:
        async with (
            AsyncVectorize(**kwargs) as client,  # type: ignore[arg-type]
            client.iter_by_ids("my-index", ids, on_missing=on_missing) as stream,
        ):
            async for vector in stream:
                events.append(f"found {vector.id}")
            assert stream.missing_ids == ()
            return stream.missing_count

    return events, asyncio.run(run())


@pytest.mark.parametrize("limit", [1, 8])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_on_missing_gets_each_id_not_found_at_its_place_in_the_order_asked(
    kind: str, limit: int
) -> None:
    unknown = {"id-000", "id-001", "id-019", "id-020", "id-077", *IDS[100:140], "id-199"}
    events, missing_count = _events(kind, Server([found(unknown)]), IDS, limit)
    assert events == [f"{'missing' if i in unknown else 'found'} {i}" for i in IDS]
    assert missing_count == len(unknown)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_error_raised_by_on_missing_ends_the_stream_with_it(kind: str) -> None:
    def on_missing(vector_id: str) -> None:
        raise LookupError(vector_id)

    server = Server([found({"id-030"})])
    kwargs = {"account_id": ACCOUNT, "auth": ApiToken("t"), "pacing": None}
    transport = httpx.MockTransport(server)
    with pytest.raises(LookupError, match="id-030"):
        if kind == "sync":
            with Vectorize(transport=transport, **kwargs) as client:  # type: ignore[arg-type]
                for _ in client.iter_by_ids("my-index", IDS, on_missing=on_missing):
                    pass
        else:

            async def run() -> None:
                async with AsyncVectorize(transport=transport, **kwargs) as client:  # type: ignore[arg-type]
                    async for _ in client.iter_by_ids("my-index", IDS, on_missing=on_missing):
                        pass

            asyncio.run(run())
