"""Smoke suite: the client's main paths over 127.0.0.1, sync and async.

`make test` runs it twice: here, and in `.venv-lowest` with the lowest versions that
pyproject.toml allows for each dependency (`scripts/lowest_pins.py`). There only the
runtime dependencies, the extras and pytest are installed, and pytest runs without
conftest or plugins: this module imports nothing else of the test suite but the fault
server (standard library only).
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import numpy
import pytest

from cf_vectorize import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ApiToken,
    AsyncVectorize,
    DeadlineTransport,
    InvalidInputError,
    NotFoundError,
    Timeout,
    Vectorize,
    VectorList,
)
from cf_vectorize.numpy import values_matrix
from tests.faultserver import (
    Exchange,
    FaultServer,
    drip,
    envelope,
    failure_body,
    reset_before_body,
    respond,
    respond_json,
    vector,
)

TOKEN = "smoke-token-" + "x" * 28
TOTAL = 0.5
KINDS = ["sync", "async"]


def known_only(exchange: Exchange) -> bool:
    """Answer with a vector for each id asked, except those starting with "unknown"."""
    ids = [i for i in exchange.request.json()["ids"] if not i.startswith("unknown")]
    return respond_json(200, envelope([vector(i) for i in ids]))(exchange)


def fetch(kind: str, base_url: str, ids: list[str], **settings: Any) -> VectorList:
    """get_by_ids through a fresh sync or async client, closed afterwards."""
    settings = {"account_id": "a" * 32, "auth": ApiToken(TOKEN), "pacing": None, **settings}
    if kind == "sync":
        with Vectorize(base_url=base_url, sleep=lambda seconds: None, **settings) as client:
            return client.get_by_ids("my-index", ids)

    async def no_sleep(seconds: float) -> None:
        return None

    async def run() -> VectorList:
        async with AsyncVectorize(base_url=base_url, sleep=no_sleep, **settings) as client:
            return await client.get_by_ids("my-index", ids)

    return asyncio.run(run())


@pytest.mark.parametrize("kind", KINDS)
def test_vectors_come_back_in_the_order_asked(kind: str) -> None:
    with FaultServer([known_only]) as server:
        result = fetch(kind, server.base_url, ["b", "unknown-1", "a"])
    assert [v.id for v in result] == ["b", "a"]
    assert result[0].values == [0.5, -0.25]
    assert result.missing_ids == ("unknown-1",)
    assert server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert server.requests[0].json() == {"ids": ["b", "unknown-1", "a"]}


@pytest.mark.parametrize("concurrency", [1, 8])
@pytest.mark.parametrize("kind", KINDS)
def test_a_large_call_is_sent_in_chunks_of_twenty(kind: str, concurrency: int) -> None:
    ids = [f"id-{n:03}" for n in range(45)] + ["id-000"]  # a duplicate, dropped
    with FaultServer([known_only]) as server:
        result = fetch(kind, server.base_url, ids, max_concurrency=concurrency)
    assert [v.id for v in result] == ids[:45]
    assert sorted(len(r.json()["ids"]) for r in server.requests) == [5, 20, 20]


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_dripping_its_answer_ends_in_a_timeout_near_the_total(kind: str) -> None:
    with FaultServer([drip(0.1)]) as server:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="total timeout"):
            fetch(kind, server.base_url, ["a"], timeout=Timeout(TOTAL, TOTAL), max_retries=0)
        assert time.monotonic() - started < TOTAL + 3.0  # the drip lasts 20 s or more


@pytest.mark.parametrize("kind", KINDS)
def test_errors_are_typed(kind: str) -> None:
    not_found = respond_json(404, failure_body(3000, "vectorize.index.not_found"))
    with FaultServer([not_found]) as server, pytest.raises(NotFoundError) as caught:
        fetch(kind, server.base_url, ["a"])
    assert caught.value.codes == [3000] and caught.value.unfetched_ids == ("a",)
    html = respond(200, b"<html>bad gateway</html>", "text/html")
    with FaultServer([html]) as server, pytest.raises(APIResponseValidationError):
        fetch(kind, server.base_url, ["a"])
    with FaultServer([reset_before_body]) as server, pytest.raises(APIConnectionError):
        fetch(kind, server.base_url, ["a"], max_retries=1)
    assert server.attempts == 2  # retried once


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_then_a_success_is_retried(kind: str) -> None:
    with FaultServer([respond_json(503, failure_body(10001, "busy")), known_only]) as server:
        result = fetch(kind, server.base_url, ["a"])
    assert [v.id for v in result] == ["a"] and server.attempts == 2


def test_the_sync_transport_goes_through_a_proxy() -> None:
    """The transport the sync client makes, through an HTTP proxy (a server on 127.0.0.1)."""
    with FaultServer([known_only]) as proxy:
        transport = DeadlineTransport(proxy=f"http://127.0.0.1:{proxy.port}")
        url = "http://vectorize.invalid/client/v4"
        result = fetch("sync", url, ["a"], transport=transport, allow_insecure_http=True)
    assert [v.id for v in result] == ["a"]
    assert proxy.requests[0].target.startswith(url)


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    with FaultServer([known_only]) as server:
        with pytest.raises(InvalidInputError):
            fetch("sync", server.base_url, ["x" * 65])
        with pytest.raises(InvalidInputError):
            fetch("sync", server.base_url, ["a"], timeout=-1)
    assert server.requests == []


def test_the_extras_work() -> None:
    """orjson (`fast`) decodes the answers and `cf_vectorize.numpy` makes the matrix."""
    with FaultServer([known_only]) as server:
        matrix = values_matrix(fetch("sync", server.base_url, ["a", "b"]))
    assert "orjson" in sys.modules  # loaded with the first answer, to decode it
    assert matrix.dtype == numpy.float32 and matrix.tolist() == [[0.5, -0.25], [0.5, -0.25]]
