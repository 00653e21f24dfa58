"""The stand-in's delay_next: answers held back for testing clients' timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from cf_vectorize import APITimeoutError, ApiToken, AsyncVectorize, Vectorize
from cf_vectorize.server import Credentials, StandInServer

TOKEN = "delays-token-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
PATH = "/accounts/acc/vectorize/v2/indexes/sample/get_by_ids"


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer(credentials=Credentials(token=TOKEN), record_requests=True) as running:
        yield running


def _post(server: StandInServer) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        answer = http.post(PATH, json={"ids": ["doc-001"]}, headers=BEARER)
    return time.monotonic() - started, answer


def test_a_delay_holds_the_next_requests_then_answers_as_usual(server: StandInServer) -> None:
    server.delay_next(0.4, times=2)
    for _ in range(2):
        took, answer = _post(server)
        assert took >= 0.4
        assert answer.status_code == 200
        assert [v["id"] for v in answer.json()["result"]] == ["doc-001"]
    took, answer = _post(server)
    assert took < 0.4  # used up
    assert answer.status_code == 200


def test_a_delay_comes_before_a_fault(server: StandInServer) -> None:
    server.delay_next(0.3)
    server.fail_next(503, code=10503)
    took, answer = _post(server)
    assert took >= 0.3
    assert answer.status_code == 503


def test_a_delay_for_one_route_leaves_the_others(server: StandInServer) -> None:
    server.delay_next(5, route="list_vectors", times=None)
    took, answer = _post(server)
    assert took < 5
    assert answer.status_code == 200
    server.clear_faults()


@pytest.mark.parametrize(
    ("seconds", "error", "words"),
    [
        (0, ValueError, "more than 0"),
        (-1, ValueError, "more than 0"),
        (math.inf, ValueError, "at most 86400"),
        (math.nan, ValueError, "at most 86400"),
        ("1", TypeError, "a number of seconds, not str"),
        (True, TypeError, "a number of seconds, not bool"),
    ],
)
def test_delay_arguments_are_checked(
    server: StandInServer, seconds: object, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        server.delay_next(seconds)  # type: ignore[arg-type]


def test_times_and_route_are_checked(server: StandInServer) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        server.delay_next(1, times=0)
    with pytest.raises(ValueError, match="no route 'get-by-ids'"):
        server.delay_next(1, route="get-by-ids")


def test_stopping_ends_a_delay_at_once() -> None:
    server = StandInServer(credentials=Credentials(token=TOKEN))
    server.start()
    server.delay_next(60)
    outcome: list[float] = []

    def call() -> None:
        started = time.monotonic()
        with contextlib.suppress(httpx.HTTPError):
            _post(server)
        outcome.append(time.monotonic() - started)

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.3)  # the request is being held
    stopping = time.monotonic()
    server.stop()
    caller.join(timeout=10)
    assert outcome, "the held request did not end"
    assert time.monotonic() - stopping < 5  # not the 60 s of the delay


def test_a_client_timeout_ends_a_delayed_call(server: StandInServer) -> None:
    server.delay_next(30)
    client = Vectorize(
        auth=ApiToken(TOKEN), account_id="acc", base_url=server.base_url, max_retries=0
    )
    started = time.monotonic()
    with client, pytest.raises(APITimeoutError):
        client.get_by_ids("sample", ["doc-001"], timeout=0.5)
    assert time.monotonic() - started < 10


def test_an_async_client_timeout_ends_a_delayed_call(server: StandInServer) -> None:
    server.delay_next(30)

    async def main() -> None:
        async with AsyncVectorize(
            auth=ApiToken(TOKEN), account_id="acc", base_url=server.base_url, max_retries=0
        ) as client:
            await client.get_by_ids("sample", ["doc-001"], timeout=0.5)

    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        asyncio.run(main())
    assert time.monotonic() - started < 10
