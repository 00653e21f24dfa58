"""The batching plan alone (no I/O): what may start, the reorder window, what is delivered."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cf_vectorize import NotFoundError
from cf_vectorize._plan import END, WAIT, Chunk, Plan


def ids(count: int) -> list[str]:
    return [f"id-{n:03d}" for n in range(count)]


def vectors(chunk: Chunk, skip: frozenset[str] = frozenset()) -> list[Any]:
    return [SimpleNamespace(id=i) for i in reversed(chunk.ids) if i not in skip]


class Recorder:
    """Collects the chunks a plan hands out, without settling them."""

    def __init__(self) -> None:
        self.started: list[Chunk] = []

    def __call__(self, chunk: Chunk) -> None:
        self.started.append(chunk)


def test_at_most_concurrency_chunks_start() -> None:
    plan, start = Plan(iter(ids(200)), concurrency=3), Recorder()
    assert plan.pop(start) is WAIT
    assert [c.seq for c in start.started] == [0, 1, 2]
    assert plan.in_flight == 3


def test_a_slow_first_chunk_holds_back_at_most_the_window() -> None:
    plan, start = Plan(iter(ids(400)), concurrency=2, window=4), Recorder()
    plan.pop(start)
    for _ in range(10):  # every chunk but the first settles at once
        for chunk in [c for c in start.started if c.seq != 0 and c.seq in plan._in_flight]:
            plan.settle(chunk.seq, vectors(chunk))
        assert plan.pop(start) is WAIT
    assert [c.seq for c in start.started] == [0, 1, 2, 3]  # the window: 4 chunks from the head
    plan.settle(0, vectors(start.started[0]))
    assert [plan.pop(start).id for _ in range(80)] == ids(80)  # type: ignore[union-attr]


def test_delivery_is_in_the_order_asked_and_missing_ids_follow_it() -> None:
    plan, start = Plan(iter(ids(45)), concurrency=3), Recorder()
    plan.pop(start)
    first, second, third = start.started
    plan.settle(third.seq, vectors(third))
    plan.settle(second.seq, vectors(second, frozenset({"id-021"})))
    assert plan.pop(start) is WAIT and plan.missing_ids == []
    plan.settle(first.seq, vectors(first, frozenset({"id-002"})))
    got = []
    while (item := plan.pop(start)) is not END:
        got.append(item.id)  # type: ignore[union-attr]
    assert got == [i for i in ids(45) if i not in {"id-002", "id-021"}]
    assert plan.missing_ids == ["id-002", "id-021"]
    assert plan.ids_done == 45


def test_only_the_last_chunk_with_nothing_in_flight_is_alone() -> None:
    plan, start = Plan(iter(ids(30)), concurrency=1), Recorder()
    plan.pop(start)
    plan.settle(0, vectors(start.started[0]))
    while plan.pop(start) is not WAIT:
        pass
    assert [c.alone for c in start.started] == [False, True]


def test_a_failure_waits_for_the_chunks_before_it_then_names_the_rest() -> None:
    plan, start = Plan(iter(ids(100)), concurrency=2), Recorder()
    plan.pop(start)
    plan.settle(0, vectors(start.started[0]))
    for _ in range(20):
        plan.pop(start)
    assert [c.seq for c in start.started] == [0, 1, 2]
    plan.settle(2, NotFoundError("gone", status_code=404))
    assert plan.pop(start) is WAIT  # chunk 1 is still in flight, and nothing more starts
    assert [c.seq for c in start.started] == [0, 1, 2]
    plan.settle(1, vectors(start.started[1]))
    assert [plan.pop(start).id for _ in range(20)] == ids(40)[20:]  # type: ignore[union-attr]
    with pytest.raises(NotFoundError) as caught:
        plan.pop(start)
    assert caught.value.unfetched_ids == tuple(ids(100)[40:])


def test_the_earliest_failing_chunk_is_the_one_raised() -> None:
    plan, start = Plan(iter(ids(60)), concurrency=3), Recorder()
    plan.pop(start)
    later, earlier = (
        NotFoundError("later", status_code=404),
        NotFoundError("first", status_code=404),
    )
    plan.settle(2, later)
    plan.settle(1, earlier)
    plan.settle(0, vectors(start.started[0]))
    assert [plan.pop(start).id for _ in range(20)] == ids(20)  # type: ignore[union-attr]
    with pytest.raises(NotFoundError) as caught:
        plan.pop(start)
    assert caught.value is earlier
    assert caught.value.unfetched_ids == tuple(ids(60)[20:])


def test_an_abandoned_plan_ends() -> None:
    plan, start = Plan(iter(ids(100)), concurrency=2), Recorder()
    plan.pop(start)
    plan.abandon()
    assert plan.pop(start) is END
    assert plan.in_flight == 0
