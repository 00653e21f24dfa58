"""Vectorize.list_ids and AsyncVectorize.list_ids: every id once, through both clients.

Against the stand-in over 127.0.0.1 (every request checked against openapi.yaml), and
against MockTransport servers for failures the stand-in does not make.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from cf_vectorize import (
    ApiToken,
    AsyncVectorize,
    BadRequestError,
    InternalServerError,
    InvalidInputError,
    InvalidInputTypeError,
    ListingResumeError,
    NotFoundError,
    RateLimit,
    Vectorize,
    VectorizeError,
)
from cf_vectorize.server import Credentials, StandInServer, Store, parse_index_lines
from tests._spec_check import validate_request
from tests.clientkit import ACCOUNT, TOKEN, failure, refuse

IDS = [f"doc-{n:05d}" for n in range(2_345)]


def index_of(name: str, ids: list[str]) -> Any:
    lines = [json.dumps({"id": i, "values": [0.5, 0.25]}) for i in reversed(ids)]
    return parse_index_lines(name, f"{name}.ndjson", lines)


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    store = Store({"docs": index_of("docs", IDS), "few": index_of("few", ["b", "a", "c"])})
    with StandInServer(store, credentials=Credentials(token=TOKEN)) as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Listed:
    """What a list_ids run gave, and what it sent."""

    ids: list[str] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    error: VectorizeError | None = None
    total_count: int | None = None
    restarts: int = 0
    ids_done: int = 0
    slept: list[float] = field(default_factory=list)
    text: str = ""


class _Recording(httpx.HTTPTransport):
    def __init__(self, seen: list[httpx.Request]) -> None:
        super().__init__()
        self.seen = seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        validate_request(request)
        self.seen.append(request)
        return super().handle_request(request)


class _AsyncRecording(httpx.AsyncHTTPTransport):
    def __init__(self, seen: list[httpx.Request]) -> None:
        super().__init__()
        self.seen = seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        validate_request(request)
        self.seen.append(request)
        return await super().handle_async_request(request)


# Called with the number of ids seen so far; returns True to stop reading.
During = Callable[[int], bool | None]


def run(
    kind: str,
    index: str,
    *,
    server: StandInServer | None = None,
    handler: Callable[[httpx.Request], httpx.Response] | None = None,
    during: During | None = None,
    call: dict[str, Any] | None = None,
    **client: Any,
) -> Listed:
    """List index's ids with the sync or the async client; keep the error, if any."""
    seen = Listed()
    settings: dict[str, Any] = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None}
    if server is not None:
        settings["base_url"] = server.base_url
    settings.update(client)

    def note(vector_id: str) -> bool:
        seen.ids.append(vector_id)
        return bool(during and during(len(seen.ids)))

    def finish(listing: Any) -> Listed:
        seen.total_count, seen.restarts = listing.total_count, listing.restarts
        seen.ids_done, seen.text = listing.ids_done, repr(listing)
        return seen

    if kind == "sync":
        transport: httpx.BaseTransport = (
            httpx.MockTransport(handler) if handler else _Recording(seen.requests)
        )
        with Vectorize(transport=transport, sleep=seen.slept.append, **settings) as sync:
            listing = sync.list_ids(index, **(call or {}))
            try:
                with listing:
                    for vector_id in listing:
                        if note(vector_id):
                            break
            except VectorizeError as error:
                seen.error = error
            return finish(listing)

    async def sleep(seconds: float) -> None:
        seen.slept.append(seconds)

    async def go() -> Listed:
        atransport: httpx.AsyncBaseTransport = (
            httpx.MockTransport(handler) if handler else _AsyncRecording(seen.requests)
        )
        async with AsyncVectorize(transport=atransport, sleep=sleep, **settings) as client:
            listing = client.list_ids(index, **(call or {}))
            try:
                async with listing:
                    async for vector_id in listing:
                        if note(vector_id):
                            break
            except VectorizeError as error:
                seen.error = error
            return finish(listing)

    return asyncio.run(go())


def cursors(listed: Listed) -> list[str | None]:
    return [r.url.params.get("cursor") for r in listed.requests]


# --- against the stand-in ---------------------------------------------------------------


def test_every_id_once_in_pages_of_1000(server: StandInServer, kind: str) -> None:
    listed = run(kind, "docs", server=server)
    assert listed.error is None
    assert listed.ids == IDS  # the stand-in lists in id order
    assert [r.url.params["count"] for r in listed.requests] == ["1000"] * 3
    assert cursors(listed)[0] is None
    assert all(cursors(listed)[1:])
    assert (listed.total_count, listed.ids_done, listed.restarts) == (2345, 2345, 0)
    assert listed.text == "IdListing(ids_done=2345, total_count=2345, restarts=0)".replace(
        "IdListing", "IdListing" if kind == "sync" else "AsyncIdListing"
    )


def test_a_page_size_is_sent_as_count(server: StandInServer, kind: str) -> None:
    listed = run(kind, "few", server=server, call={"page_size": 1})
    assert listed.ids == ["a", "b", "c"]
    assert [r.url.params["count"] for r in listed.requests] == ["1", "1", "1"]


def test_cursors_expired_mid_way_restart_without_repeats(server: StandInServer, kind: str) -> None:
    def expire(seen: int) -> None:
        if seen in (700, 1500):  # the consumer is slow: every cursor expires meanwhile
            server.expire_cursors()

    listed = run(kind, "docs", server=server, during=expire, call={"page_size": 500})
    assert listed.error is None
    assert listed.ids == IDS
    assert listed.restarts == 2
    assert cursors(listed).count(None) == 3
    # Pages of 500: pages 1-2, page 3 refused; fresh: 1-2 re-read, 3 new, page 4 refused;
    # fresh: 1-3 re-read, 4-5 new. Each restart re-reads up to where the listing was.
    assert len(listed.requests) == 2 + 1 + 3 + 1 + 5


def test_a_server_that_refuses_every_cursor_ends_the_listing(kind: str) -> None:
    store = Store({"docs": index_of("docs", IDS)})
    with StandInServer(store, credentials=Credentials(token=TOKEN), cursor_ttl=0) as zero:
        listed = run(kind, "docs", server=zero, call={"page_size": 1000})
    assert isinstance(listed.error, BadRequestError)
    assert listed.error.codes == [40003]
    assert "refused again after 2 fresh listing(s)" in "".join(listed.error.__notes__)
    assert listed.ids == IDS[:1000]  # yielded once, never again
    assert cursors(listed).count(None) == 3


def test_an_unknown_index_is_a_not_found_error(server: StandInServer, kind: str) -> None:
    listed = run(kind, "missing-index", server=server)
    assert isinstance(listed.error, NotFoundError)
    assert listed.error.codes == [3000]
    assert listed.ids == []
    assert len(listed.requests) == 1


def test_closing_the_listing_stops_it(server: StandInServer, kind: str) -> None:
    listed = run(kind, "docs", server=server, during=lambda seen: seen == 1500)
    assert len(listed.ids) == 1500
    assert len(listed.requests) == 2  # the third page is never asked for


def test_a_sync_listing_is_lazy(server: StandInServer) -> None:
    seen: list[httpx.Request] = []
    with Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        base_url=server.base_url,
        transport=_Recording(seen),
    ) as client:
        listing = client.list_ids("docs", page_size=100)
        assert seen == []
        assert [next(listing) for _ in range(101)] == IDS[:101]
        assert len(seen) == 2
        listing.close()
        with pytest.raises(StopIteration):
            next(listing)
    assert len(seen) == 2


# --- failures, by MockTransport -----------------------------------------------------------


def pages(ids: list[str], size: int, answers: dict[int, httpx.Response] | None = None) -> Any:
    """A List Vectors handler over ids; request number n gets answers[n] when given."""
    numbered: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        numbered.append(request)
        special = (answers or {}).get(len(numbered) - 1)
        if special is not None:
            return special
        cursor = request.url.params.get("cursor")
        position = int(cursor) if cursor else 0
        count = int(request.url.params["count"])
        chunk = ids[position : position + count]
        following = position + len(chunk)
        more = following < len(ids)
        result = {
            "count": len(chunk),
            "totalCount": len(ids),
            "isTruncated": more,
            "nextCursor": str(following) if more else None,
            "cursorExpirationTimestamp": "2026-01-01T00:00:00.000000000+00:00" if more else None,
            "vectors": [{"id": i} for i in chunk],
        }
        return httpx.Response(
            200, json={"success": True, "errors": [], "messages": [], "result": result}
        )

    handler.requests = numbered  # type: ignore[attr-defined]
    return handler


def test_a_failed_page_is_retried(kind: str) -> None:
    handler = pages(IDS[:30], 10, {1: failure(503, 10001, "busy", **{"retry-after": "2"})})
    listed = run(kind, "docs", handler=handler, call={"page_size": 10})
    assert listed.error is None
    assert listed.ids == IDS[:30]
    assert listed.slept == [2.0]
    # The retry asked for the same page again, with the same cursor.
    asked = [r.url.params.get("cursor") for r in handler.requests]
    assert asked == [None, "10", "10", "20"]


def test_a_page_that_fails_for_good_raises_after_what_was_yielded(kind: str) -> None:
    down = failure(500, 10001, "down")
    handler = pages(IDS[:30], 10, {1: down, 2: down, 3: down})
    listed = run(kind, "docs", handler=handler, call={"page_size": 10, "max_retries": 2})
    assert isinstance(listed.error, InternalServerError)
    assert listed.ids == IDS[:10]
    assert len(handler.requests) == 4


def test_a_bad_page_is_a_validation_error(kind: str) -> None:
    handler = pages(IDS[:30], 10, {1: httpx.Response(200, text="<html>")})
    listed = run(kind, "docs", handler=handler, call={"page_size": 10})
    assert type(listed.error).__name__ == "APIResponseValidationError"
    assert listed.ids == IDS[:10]


def test_an_unsorted_listing_that_changed_cannot_resume(kind: str) -> None:
    shuffled = [IDS[(n * 7) % 30] for n in range(30)]
    refused = failure(400, 40003, "cursor expired")
    first = pages(shuffled, 10, {2: refused})
    changed = pages(shuffled[::-1], 10)

    def handler(request: httpx.Request) -> httpx.Response:
        # The first listing until its cursor is refused, then a listing in another order.
        if len(first.requests) < 3:
            return first(request)  # type: ignore[no-any-return]
        return changed(request)  # type: ignore[no-any-return]

    listed = run(kind, "docs", handler=handler, call={"page_size": 10})
    assert isinstance(listed.error, ListingResumeError)
    assert listed.ids == shuffled[:20]


def test_pacing_is_one_budget_with_get_by_ids() -> None:
    """Pages and get_by_ids chunks of one client draw from the same rate limit."""
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    list_handler = pages(IDS[:30], 10)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/list"):
            return list_handler(request)  # type: ignore[no-any-return]
        ids = json.loads(request.content)["ids"]
        result = [{"id": i, "values": [0.5]} for i in ids]
        return httpx.Response(
            200, json={"success": True, "errors": [], "messages": [], "result": result}
        )

    with Vectorize(
        account_id=ACCOUNT,
        auth=ApiToken(TOKEN),
        transport=httpx.MockTransport(handler),
        pacing=RateLimit(2, 100.0),
        sleep=sleep,
        clock=lambda: now[0],
    ) as client:
        listed = list(client.list_ids("docs", page_size=10))  # 3 requests: the third waits
        assert listed == IDS[:30]
        assert slept == [100.0]
        client.get_by_ids("docs", listed[:20])  # the 4th request: within the same window
        assert slept == [100.0]
        client.get_by_ids("docs", listed[:20])  # the 5th waits for the window to move
        assert slept == [100.0, 100.0]


@pytest.mark.parametrize(
    ("arguments", "error", "says"),
    [
        ({"index_name": "Bad Name"}, InvalidInputError, "index_name"),
        ({"index_name": 5}, InvalidInputTypeError, "index_name"),
        ({"page_size": 0}, InvalidInputError, "page_size"),
        ({"page_size": 1001}, InvalidInputError, "page_size"),
        ({"page_size": "10"}, InvalidInputTypeError, "page_size"),
        ({"max_retries": -1}, InvalidInputError, "max_retries"),
        ({"timeout": 0}, InvalidInputError, "timeout must be more than 0"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(
    kind: str, arguments: dict[str, Any], error: type[Exception], says: str
) -> None:
    call = {"index_name": "docs", **arguments}
    settings: dict[str, Any] = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "pacing": None}
    if kind == "sync":
        with (
            Vectorize(transport=httpx.MockTransport(refuse), **settings) as sync,
            pytest.raises(error, match=says),
        ):
            sync.list_ids(**call)
        return

    async def go() -> None:
        async with AsyncVectorize(transport=httpx.MockTransport(refuse), **settings) as client:
            with pytest.raises(error, match=says):
                client.list_ids(**call)

    asyncio.run(go())


def test_the_listing_repr_holds_no_secret(server: StandInServer) -> None:
    with Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=server.base_url) as client:
        listing = client.list_ids("few")
        list(listing)
    assert TOKEN not in repr(listing)
    assert repr(listing) == "IdListing(ids_done=3, total_count=3, restarts=0)"


def test_a_fault_on_a_page_is_retried_and_logged(kind: str) -> None:
    """The stand-in's fault injection and request log cover List Vectors too."""
    store = Store({"docs": index_of("docs", IDS)})
    with StandInServer(store, credentials=Credentials(token=TOKEN), record_requests=True) as server:
        server.fail_next(503, code=10001, route="list_vectors")
        listed = run(kind, "docs", server=server)
        log = server.requests
    assert listed.error is None
    assert listed.ids == IDS
    assert listed.slept  # the 503 was retried after a backoff
    assert [(r.route, r.status, r.injected) for r in log] == [
        ("list_vectors", 503, True),
        ("list_vectors", 200, False),
        ("list_vectors", 200, False),
        ("list_vectors", 200, False),
    ]
    assert [r.query.startswith("count=1000") for r in log] == [True] * 4
    assert "cursor=" in log[2].query
