"""get_by_ids of at most 20 ids: one request on the caller's thread or task, no stream.

It must behave as the streamed path does: ids checked first, the answer in the order
asked, typed errors naming every id, and closing the client ending the call at once.
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    ClientClosedError,
    InvalidInputError,
    NotFoundError,
    Vectorize,
)
from tests.clientkit import ACCOUNT, TOKEN, Server, failure, found

found_handler = Server([found(unknown=["zz-missing"])])


def test_one_request_starts_no_thread() -> None:
    before = threading.active_count()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(threading.current_thread().name)
        return found_handler(request)

    transport = httpx.MockTransport(handler)
    with Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport) as client:
        vectors = client.get_by_ids("my-index", ["b", "a", "b", "zz-missing"])
    assert [v.id for v in vectors] == ["b", "a"]
    assert vectors.missing_ids == ("zz-missing",)
    assert seen == [threading.current_thread().name]
    assert threading.active_count() == before


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_ids_are_checked_before_the_client_state(kind: str) -> None:
    """A bad id is named even by a closed client, as the streamed path does."""
    transport = httpx.MockTransport(found_handler)
    if kind == "sync":
        client = Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport)
        client.close()
        with pytest.raises(InvalidInputError, match=r"ids\[1\]"):
            client.get_by_ids("my-index", ["a", ""])
        with pytest.raises(ClientClosedError):
            client.get_by_ids("my-index", ["a"])
    else:

        async def go() -> None:
            client = AsyncVectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport)
            await client.aclose()
            with pytest.raises(InvalidInputError, match=r"ids\[1\]"):
                client.get_by_ids("my-index", ["a", ""])  # type: ignore[unused-coroutine]
            with pytest.raises(ClientClosedError):
                await client.get_by_ids("my-index", ["a"])

        asyncio.run(go())


def test_async_bad_arguments_raise_at_the_call() -> None:
    """Raised by the call itself: no coroutine is made, nothing is left to await."""
    client = AsyncVectorize(
        account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=httpx.MockTransport(found_handler)
    )
    with pytest.raises(InvalidInputError):
        client.get_by_ids("Not An Index", ["a"])  # type: ignore[unused-coroutine]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_failure_names_every_id_asked(kind: str) -> None:
    transport = httpx.MockTransport(lambda request: failure(404, 3000, "vectorize.index.not_found"))
    with pytest.raises(NotFoundError) as caught:
        if kind == "sync":
            client = Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport)
            client.get_by_ids("my-index", ["a", "b", "a"])
        else:
            aclient = AsyncVectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), transport=transport)
            asyncio.run(aclient.get_by_ids("my-index", ["a", "b", "a"]))
    assert caught.value.unfetched_ids == ("a", "b")


async def _never_answers(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(60)
    raise AssertionError("not reached")


def test_async_aclose_ends_a_call_in_flight_and_leaves_the_task_uncancelled() -> None:
    async def go() -> float:
        client = AsyncVectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            transport=httpx.MockTransport(_never_answers),
            max_retries=0,
        )
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, lambda: asyncio.ensure_future(client.aclose()))
        started = loop.time()
        with pytest.raises(ClientClosedError):
            await client.get_by_ids("my-index", ["a", "b"])
        took = loop.time() - started
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0
        await asyncio.sleep(0.01)  # no cancellation left pending on the caller's task
        return took

    assert asyncio.run(go()) < 5  # at once, not at a timeout


def test_async_a_cancelled_caller_is_cancelled_not_closed() -> None:
    async def go() -> None:
        client = AsyncVectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            transport=httpx.MockTransport(_never_answers),
        )
        call = asyncio.ensure_future(client.get_by_ids("my-index", ["a"]))
        await asyncio.sleep(0.05)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert len(client._streams) == 0  # nothing stays registered after the call
        await client.aclose()

    asyncio.run(go())


def test_async_aclose_and_a_caller_cancel_together_stay_a_cancel() -> None:
    async def go() -> None:
        client = AsyncVectorize(
            account_id=ACCOUNT,
            auth=ApiToken(TOKEN),
            transport=httpx.MockTransport(_never_answers),
        )
        call = asyncio.ensure_future(client.get_by_ids("my-index", ["a"]))
        await asyncio.sleep(0.05)
        call.cancel()
        await client.aclose()
        with pytest.raises(asyncio.CancelledError):
            await call

    asyncio.run(go())
