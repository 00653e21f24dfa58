"""Any number of ids: chunks of at most 20, concurrent, answers back in the order asked."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from cf_vectorize import MAX_IDS_PER_REQUEST, APIResponseValidationError, NotFoundError, VectorList
from tests.clientkit import Runner, Server, envelope, failure, found, vector


def test_45_ids_make_3_requests_of_at_most_20(runner: Runner) -> None:
    server = Server([found()])
    ids = [f"id-{n:02}" for n in range(45)]
    result = runner.get(server, "my-index", ids)
    assert MAX_IDS_PER_REQUEST == 20
    assert sorted(len(body) for body in server.bodies) == [5, 20, 20]
    assert sorted(i for body in server.bodies for i in body) == sorted(ids)
    assert [v.id for v in result] == ids


def test_duplicates_are_sent_once_and_order_is_first_seen(runner: Runner) -> None:
    server = Server([found()])
    ids = ["b", "a", "b", "c", "a"]
    result = runner.get(server, "my-index", ids)
    assert server.bodies == [["b", "a", "c"]]
    assert [v.id for v in result] == ["b", "a", "c"]


def test_generators_are_accepted(runner: Runner) -> None:
    server = Server([found()])
    result = runner.get(server, "my-index", (f"g{n}" for n in range(3)))
    assert [v.id for v in result] == ["g0", "g1", "g2"]


def test_missing_ids_are_left_out_and_named(runner: Runner) -> None:
    server = Server([found(unknown={"id-3", "id-30", "id-44"})])
    ids = [f"id-{n}" for n in range(45)]
    result = runner.get(server, "my-index", ids)
    assert isinstance(result, VectorList)
    assert result.missing_ids == ("id-3", "id-30", "id-44")
    assert [v.id for v in result] == [i for i in ids if i not in result.missing_ids]
    assert "missing_ids=('id-3', 'id-30', 'id-44')" in repr(result)


def test_values_metadata_and_namespace_come_through(runner: Runner) -> None:
    answer = envelope(
        [
            {"id": "a", "values": [1e-7, -2.5e3, 3], "metadata": {"k": {"nested": [1, 2]}}},
            {"id": "b", "values": [0.5], "namespace": "ns-1"},
        ]
    )
    server = Server([lambda request, ids: httpx.Response(200, json=answer)])
    a, b = runner.get(server, "my-index", ["a", "b"])
    assert a.values == [1e-7, -2.5e3, 3]
    assert type(a.metadata) is dict and a.metadata == {"k": {"nested": [1, 2]}}
    assert (a.namespace, b.namespace, b.metadata) == (None, "ns-1", None)


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (["a", "stranger"], "2 vectors for 1 id"),
        (["stranger"], "'stranger' was not asked for"),
        (["a", "a"], "2 vectors for 1 id"),
    ],
)
def test_vectors_not_asked_for_are_refused(runner: Runner, result: list[str], problem: str) -> None:
    """An answer about other ids than those asked is not an answer to this request."""
    answer = envelope([vector(i) for i in result])
    server = Server([lambda request, ids: httpx.Response(200, json=answer)])
    with pytest.raises(APIResponseValidationError, match=problem) as caught:
        runner.get(server, "my-index", ["a"])
    assert caught.value.unfetched_ids == ("a",)
    assert len(server.requests) == 1  # not retried: the server would say the same again


def test_a_vector_asked_for_twice_in_one_answer_is_refused(runner: Runner) -> None:
    answer = envelope([vector("a"), vector("a")])
    server = Server([lambda request, ids: httpx.Response(200, json=answer)])
    with pytest.raises(APIResponseValidationError, match="'a' comes twice"):
        runner.get(server, "my-index", ["a", "b"])


@pytest.mark.parametrize("limit", [1, 3])
def test_chunks_run_concurrently_up_to_max_concurrency(runner: Runner, limit: int) -> None:
    """All `limit` chunks must be in flight at once to pass the barrier; never more."""
    barrier = threading.Barrier(limit, timeout=5)
    in_flight, peak, lock = [0], [0], threading.Lock()
    ids = [f"id-{n}" for n in range(20 * limit * 2)]

    def answer(request: httpx.Request, asked: list[str]) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        if runner.kind == "sync":
            barrier.wait()
        with lock:
            in_flight[0] -= 1
        return httpx.Response(200, json=envelope([vector(i) for i in asked]))

    result = runner.get(Server([answer]), "my-index", ids, max_concurrency=limit)
    assert [v.id for v in result] == ids
    assert peak[0] <= limit
    if runner.kind == "sync":
        assert peak[0] == limit


def test_async_chunks_overlap() -> None:
    """The async client keeps several requests in flight (MockTransport runs them in turn,
    so overlap is shown with an async transport that waits for its peers)."""
    import asyncio  # noqa: PLC0415

    from cf_vectorize import ApiToken, AsyncVectorize  # noqa: PLC0415

    class Gate(httpx.AsyncBaseTransport):
        def __init__(self, width: int) -> None:
            self.width, self.waiting, self.peak = width, 0, 0
            self.opened = asyncio.Event()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.waiting += 1
            self.peak = max(self.peak, self.waiting)
            if self.waiting >= self.width:
                self.opened.set()
            await asyncio.wait_for(self.opened.wait(), 5)
            self.waiting -= 1
            ids = json.loads(request.content)["ids"]
            return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    async def run() -> tuple[list[str], int]:
        gate = Gate(4)
        async with AsyncVectorize(
            account_id="a", auth=ApiToken("t"), transport=gate, max_concurrency=4, pacing=None
        ) as client:
            result = await client.get_by_ids("my-index", [f"i{n}" for n in range(200)])
        return [v.id for v in result], gate.peak

    ids, peak = asyncio.run(run())
    assert ids == [f"i{n}" for n in range(200)]
    assert peak == 4


def test_a_chunk_failing_for_good_raises_naming_unfetched_ids(runner: Runner) -> None:
    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        if "id-25" in ids:
            return failure(404, 3000, 'vectorize.index.not_found - Index name "my-index"')
        return httpx.Response(200, json=envelope([vector(i) for i in ids]))

    ids = [f"id-{n}" for n in range(45)]
    with pytest.raises(NotFoundError) as caught:
        runner.get(Server([answer]), "my-index", ids, max_concurrency=1)
    assert caught.value.unfetched_ids == tuple(ids[20:])  # the failed chunk and all after
    assert any("were not fetched" in note for note in caught.value.__notes__)


def test_a_single_chunk_failure_names_all_its_ids(runner: Runner) -> None:
    server = Server([lambda request, ids: failure(404, 3000, "vectorize.index.not_found")])
    with pytest.raises(NotFoundError) as caught:
        runner.get(server, "my-index", ["a", "b"])
    assert caught.value.unfetched_ids == ("a", "b")
