"""The pure logic of list_ids: pages into typed errors, the end rule, restarts without repeats.

A fake server plays listings (snapshots of ids, pages, cursors, refusals) without HTTP;
`iterate` and `aiterate` are the drivers the clients use.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cf_vectorize import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    BadRequestError,
    InternalServerError,
    InvalidInputError,
    InvalidInputTypeError,
    ListingResumeError,
    NotFoundError,
    RateLimitError,
)
from cf_vectorize._listing import (
    MAX_RESTARTS_WITHOUT_PROGRESS,
    Listing,
    Page,
    aiterate,
    check_page_size,
    cursor_refused,
    iterate,
    page_from,
)
from cf_vectorize._response import status_error
from tests.conftest import FIXTURES

JSON = {"content-type": "application/json", "cf-ray": "8f0e-LHR"}


def examples() -> dict[str, dict[str, Any]]:
    cases = json.loads((FIXTURES / "list_vectors_examples.json").read_text())
    return {case["name"]: case["body"] for case in cases}


def body(result: dict[str, Any]) -> bytes:
    return json.dumps({"success": True, "errors": [], "messages": [], "result": result}).encode()


def page_result(**change: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "count": 2,
        "totalCount": 5,
        "isTruncated": True,
        "nextCursor": "c1",
        "cursorExpirationTimestamp": "2025-08-13T20:32:52.469144957+00:00",
        "vectors": [{"id": "a"}, {"id": "b"}],
    }
    result.update(change)
    return {k: v for k, v in result.items() if v is not ...}


def refusal(code: int = 40003, status: int = 400) -> APIError:
    content = json.dumps(
        {
            "success": False,
            "errors": [{"code": code, "message": "m"}],
            "messages": [],
            "result": None,
        }
    ).encode()
    return status_error(status, JSON, content)


# --- page_from ------------------------------------------------------------------------


def test_the_documented_page_is_read() -> None:
    page = page_from(200, JSON, json.dumps(examples()["api-reference-example"]).encode())
    assert page.ids == ["some-vector-id-023e105f4ecef8ad9ca31a8372d0c353"]
    assert page.total_count == 500
    assert page.next_cursor == "suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099"
    assert page.cursor_expires_at == datetime.datetime(
        2025, 8, 12, 20, 32, 52, 469144, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    "name",
    ["wrangler-mock-last-page", "wrangler-mock-empty-index", "last-page-without-cursor-keys"],
)
def test_last_pages_end_the_listing(name: str) -> None:
    page = page_from(200, JSON, json.dumps(examples()[name]).encode())
    assert (page.next_cursor, page.cursor_expires_at) == (None, None)


def test_a_truncated_page_without_a_cursor_ends_the_listing_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="cf_vectorize"):
        for cursor in (None, ""):
            assert page_from(200, JSON, body(page_result(nextCursor=cursor))).next_cursor is None
    assert caplog.text.count("isTruncated but gives no nextCursor") == 2


def test_a_cursor_on_a_page_that_is_not_truncated_is_not_followed() -> None:
    assert page_from(200, JSON, body(page_result(isTruncated=False))).next_cursor is None


@pytest.mark.parametrize("stamp", ["tomorrow", 1755030772, ["2025"], {"at": 1}])
def test_an_unparsable_expiry_only_informs(stamp: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cf_vectorize"):
        page = page_from(200, JSON, body(page_result(cursorExpirationTimestamp=stamp)))
    assert (page.ids, page.next_cursor, page.cursor_expires_at) == (["a", "b"], "c1", None)
    assert "is not a time; ignored" in caplog.text


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, 40003, BadRequestError),
        (404, 3000, NotFoundError),
        (400, 3000, NotFoundError),
        (429, 10100, RateLimitError),
        (502, 10001, InternalServerError),
    ],
)
def test_error_statuses_are_typed(status: int, code: int, cls: type[APIError]) -> None:
    content = json.dumps(
        {
            "success": False,
            "errors": [{"code": code, "message": "m"}],
            "messages": [],
            "result": None,
        }
    ).encode()
    with pytest.raises(cls) as caught:
        page_from(status, {**JSON, "retry-after": "3"}, content)
    assert caught.value.codes == [code]  # type: ignore[attr-defined]
    assert caught.value.cf_ray == "8f0e-LHR"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("headers", "content", "says"),
    [
        ({"content-type": "text/html"}, b"<html>", "text/html body instead of JSON"),
        (JSON, b'{"success": true', "not valid JSON"),
        (JSON, b"[1, 2]", "not a List Vectors page"),
        (
            JSON,
            b'{"success": false, "errors": [], "messages": [], "result": null}',
            "success: false",
        ),
        (JSON, body(page_result(vectors=...)), "KeyError"),
        (JSON, body(page_result(totalCount=...)), "KeyError"),
        (JSON, body(page_result(count="2")), "count is '2', not a count"),
        (JSON, body(page_result(count=-1)), "count is -1, not a count"),
        (JSON, body(page_result(totalCount=True)), "totalCount is True"),
        (JSON, body(page_result(isTruncated="false")), "isTruncated is 'false'"),
        (JSON, body(page_result(vectors=[{"id": 5}])), "a listed id is 5"),
        (JSON, body(page_result(vectors=[{"id": ""}])), "a listed id is ''"),
        (JSON, body(page_result(vectors=[{"id": "a"}, {"id": "a"}])), "an id comes twice"),
        (JSON, body(page_result(vectors=[{"values": [1]}])), "KeyError"),
        (JSON, body(page_result(vectors={"id": "a"})), "not a List Vectors page"),
        (JSON, body(page_result(nextCursor=5)), "nextCursor is 5"),
    ],
)
def test_a_bad_200_is_a_validation_error(
    headers: dict[str, str], content: bytes, says: str
) -> None:
    with pytest.raises(APIResponseValidationError, match="HTTP 200") as caught:
        page_from(200, headers, content)
    assert says in str(caught.value)
    assert caught.value.status_code == 200


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (refusal(40003), True),
        (refusal(40002), True),
        (refusal(12345), True),  # undocumented codes: any 400 but index-not-found
        (refusal(7003, 404), True),
        (refusal(1, 410), True),
        (refusal(1, 422), True),
        (refusal(3000), False),
        (refusal(3000, 404), False),
        (refusal(10000, 401), False),
        (refusal(10000, 403), False),
        (refusal(10100, 429), False),
        (refusal(10001, 500), False),
        (APIConnectionError("reset"), False),
    ],
)
def test_which_failures_refuse_a_cursor(error: APIError, refused: bool) -> None:
    assert cursor_refused(error) is refused


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_page_sizes_from_1_to_1000_are_accepted(size: int) -> None:
    assert check_page_size(size) == size
    assert Listing(size).page_size == size


@pytest.mark.parametrize(
    ("size", "error"),
    [
        (0, InvalidInputError),
        (1001, InvalidInputError),
        (-5, InvalidInputError),
        (True, InvalidInputTypeError),
        ("10", InvalidInputTypeError),
        (1.0, InvalidInputTypeError),
        (None, InvalidInputTypeError),
    ],
)
def test_bad_page_sizes_are_refused(size: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="page_size"):
        Listing(size)  # type: ignore[arg-type]


# --- listings against a fake server ---------------------------------------------------


class FakeServer:
    """Listings of snapshots: each fresh listing takes the next snapshot (the last repeats).

    `refuse` holds the numbers (0-based) of requests to answer with a refused cursor;
    only requests that carry a cursor can be refused.
    """

    def __init__(self, *snapshots: list[str], refuse: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.snapshots = [list(s) for s in snapshots]
        self.refuse = set(refuse)
        self.requests: list[tuple[int, str | None]] = []
        self.listings = 0
        self._cursors: dict[str, tuple[list[str], int]] = {}

    def fetch(self, size: int, cursor: str | None) -> Page:
        number = len(self.requests)
        self.requests.append((size, cursor))
        if cursor is None:
            ids = self.snapshots[min(self.listings, len(self.snapshots) - 1)]
            self.listings += 1
            position = 0
        else:
            if number in self.refuse:
                raise refusal(40003)
            ids, position = self._cursors[cursor]
        chunk = ids[position : position + size]
        following = position + len(chunk)
        next_cursor = None
        if following < len(ids):
            next_cursor = f"cursor-{number}"
            self._cursors[next_cursor] = (ids, following)
        return Page(chunk, len(ids), next_cursor, None)


def collect(server: FakeServer, size: int) -> list[str]:
    return list(iterate(Listing(size), server.fetch))


IDS = [f"id-{n:03d}" for n in range(20)]


def test_every_id_once_page_by_page() -> None:
    server = FakeServer(IDS)
    assert collect(server, 3) == IDS
    assert [size for size, _ in server.requests] == [3] * 7
    assert server.requests[0][1] is None
    assert all(cursor is not None for _, cursor in server.requests[1:])


def test_an_empty_index_is_one_request() -> None:
    server = FakeServer([])
    assert collect(server, 1000) == []
    assert len(server.requests) == 1


def test_a_failing_first_page_raises_its_error() -> None:
    listing = Listing(5)

    def fetch(size: int, cursor: str | None) -> Page:
        raise refusal(40002)

    with pytest.raises(BadRequestError):
        list(iterate(listing, fetch))
    assert listing.restarts == 0


@pytest.mark.parametrize("error", [refusal(3000, 404), refusal(10001, 500), refusal(10000, 403)])
def test_a_failing_later_page_that_is_no_refusal_raises(error: APIError) -> None:
    server = FakeServer(IDS)
    calls = iter([None, error])

    def fetch(size: int, cursor: str | None) -> Page:
        failure = next(calls, None)
        if failure is not None:
            raise failure
        return server.fetch(size, cursor)

    got: list[str] = []
    with pytest.raises(type(error)):
        got.extend(iterate(Listing(5), fetch))
    assert got == IDS[:5]


def test_a_refused_cursor_restarts_and_skips_what_was_yielded_ascending() -> None:
    server = FakeServer(IDS, refuse={3})
    listing = Listing(4)
    assert list(iterate(listing, server.fetch)) == IDS
    assert (listing.restarts, server.listings) == (1, 2)
    # The fresh listing re-read the first 12 ids (3 pages) without yielding them.
    assert [cursor is None for _, cursor in server.requests].count(True) == 2


def test_an_index_changed_between_listings_is_followed_by_order() -> None:
    before = ["a", "b", "c", "d", "e", "f"]
    # "b" deleted, "bb" and "g" inserted after the first listing's snapshot.
    after = ["a", "bb", "c", "d", "e", "f", "g"]
    server = FakeServer(before, after, refuse={2})
    got = collect(server, 2)
    # a b c d from the first snapshot; the second's ids after "d": e f g. "bb" sorts before
    # what was yielded and belongs to neither part, as a new listing's snapshot would say.
    assert got == ["a", "b", "c", "d", "e", "f", "g"]
    assert len(set(got)) == len(got)


def test_a_fresh_listing_out_of_order_cannot_be_skipped_by_order() -> None:
    server = FakeServer(IDS, IDS[::-1], refuse={2})
    got: list[str] = []
    with pytest.raises(ListingResumeError, match="not in ascending order"):
        got.extend(iterate(Listing(4), server.fetch))
    assert len(set(got)) == len(got)


# Every id once, in an order that is not sorted (7 is coprime with 20).
SHUFFLED = [IDS[(n * 7) % len(IDS)] for n in range(len(IDS))]


def test_a_stable_unsorted_order_is_resumed_by_its_prefix() -> None:
    assert sorted(SHUFFLED) == IDS != SHUFFLED
    server = FakeServer(SHUFFLED, refuse={3})
    listing = Listing(4)
    assert list(iterate(listing, server.fetch)) == SHUFFLED
    assert listing.restarts == 1


@pytest.mark.parametrize(
    "fresh",
    [
        [SHUFFLED[1], SHUFFLED[0], *SHUFFLED[2:]],  # the same ids, another order
        [i for i in SHUFFLED if i != SHUFFLED[3]],  # one id yielded is gone
        SHUFFLED[:5],  # the index shrank below what was yielded
    ],
    ids=["reordered", "deleted", "shrunk"],
)
def test_an_unsorted_listing_that_changed_cannot_be_resumed(fresh: list[str]) -> None:
    server = FakeServer(SHUFFLED, fresh, refuse={3})
    got: list[str] = []
    with pytest.raises(ListingResumeError, match="does not begin with the 12 ids already yielded"):
        got.extend(iterate(Listing(4), server.fetch))
    assert got == SHUFFLED[:12]


def scripted(*answers: Page | APIError) -> Any:
    """A fetch that gives these answers in turn, recording the cursors it was asked for."""
    queue = list(answers)
    asked: list[str | None] = []

    def fetch(size: int, cursor: str | None) -> Page:
        asked.append(cursor)
        answer = queue.pop(0)
        if isinstance(answer, APIError):
            raise answer
        return answer

    fetch.asked = asked  # type: ignore[attr-defined]
    return fetch


def test_a_refusal_before_anything_was_yielded_starts_over_plainly() -> None:
    fetch = scripted(
        Page([], 3, "c0", None),  # an empty page that is not the last
        refusal(40003),
        Page(["z", "a"], 3, "c1", None),  # the fresh listing, in any order
        Page(["m"], 3, None, None),
    )
    listing = Listing(2)
    assert list(iterate(listing, fetch)) == ["z", "a", "m"]
    assert fetch.asked == [None, "c0", None, "c1"]
    assert listing.restarts == 1


def test_restarts_without_progress_are_bounded() -> None:
    answers: list[Page | APIError] = [Page(["a"], 3, "c0", None)]
    for n in range(MAX_RESTARTS_WITHOUT_PROGRESS):
        answers += [refusal(40003), Page(["a"], 3, f"c{n + 1}", None)]
    answers.append(refusal(40003))
    listing = Listing(1)
    got: list[str] = []
    with pytest.raises(BadRequestError) as caught:
        got.extend(iterate(listing, scripted(*answers)))
    assert got == ["a"]
    assert listing.restarts == MAX_RESTARTS_WITHOUT_PROGRESS
    assert "refused again after 2 fresh listing(s)" in "".join(caught.value.__notes__)


def test_restarts_that_make_progress_go_on() -> None:
    # Pages of one id; each fresh listing re-reads what was yielded, gets one new id,
    # and has its next cursor refused: requests 2, 6, 11, 17, 24.
    ids = [f"k{n}" for n in range(8)]
    refuse, at, gap = set(), 2, 4
    for _ in range(5):
        refuse.add(at)
        at, gap = at + gap, gap + 1
    server = FakeServer(ids, refuse=refuse)
    listing = Listing(1)
    assert list(iterate(listing, server.fetch)) == ids
    assert listing.restarts == 5 > MAX_RESTARTS_WITHOUT_PROGRESS


def test_several_restarts_of_an_unsorted_listing() -> None:
    server = FakeServer(SHUFFLED, refuse={2, 9, 15})
    listing = Listing(3)
    assert list(iterate(listing, server.fetch)) == SHUFFLED
    assert listing.restarts == 3
    assert "restarts=3" in repr(listing)


def test_the_listing_knows_the_total_and_what_it_yielded() -> None:
    listing = Listing(7)
    ids = list(iterate(listing, FakeServer(IDS).fetch))
    assert (listing.total_count, listing.yielded, len(ids), listing.done) == (20, 20, 20, True)
    assert repr(listing) == "Listing(page_size=7, yielded=20, restarts=0, done)"


def test_the_async_driver_takes_the_same_decisions() -> None:
    server = FakeServer(SHUFFLED, refuse={3})

    async def fetch(size: int, cursor: str | None) -> Page:
        await asyncio.sleep(0)
        return server.fetch(size, cursor)

    async def run() -> list[str]:
        iterator: AsyncIterator[str] = aiterate(Listing(4), fetch)
        return [vector_id async for vector_id in iterator]

    assert asyncio.run(run()) == SHUFFLED
    assert server.listings == 2


def test_the_async_driver_raises_what_is_not_a_refusal() -> None:
    async def fetch(size: int, cursor: str | None) -> Page:
        raise refusal(3000, 404)

    async def run() -> None:
        async for _ in aiterate(Listing(4), fetch):
            pass

    with pytest.raises(NotFoundError):
        asyncio.run(run())


def test_the_state_is_the_same_size_for_any_number_of_ids() -> None:
    """Bounded memory: what a listing keeps does not grow with the ids it yielded."""

    def footprint(listing: Listing) -> list[int]:
        sizes = []
        for value in (*vars(listing).values(), *vars(listing._yielded).values()):
            if isinstance(value, list | set | dict | tuple):
                sizes.append(len(value))
        return sizes

    small, large = Listing(1000), Listing(1000)
    for _ in iterate(small, FakeServer(IDS).fetch):
        pass
    many = [f"v{n:07d}" for n in range(50_000)]
    server = FakeServer(many, refuse={30})
    for _ in iterate(large, server.fetch):
        pass
    assert large.restarts == 1
    assert footprint(large) == footprint(small)
    assert large._realign is not None
    assert not [v for v in vars(large._realign).values() if isinstance(v, list | set | dict)]


def test_iteration_is_lazy() -> None:
    server = FakeServer(IDS)
    ids: Iterator[str] = iterate(Listing(5), server.fetch)
    assert server.requests == []
    assert [next(ids) for _ in range(6)] == IDS[:6]
    assert len(server.requests) == 2


# --- against the stand-in, over HTTP ----------------------------------------------------


def test_a_listing_against_the_stand_in_survives_expired_cursors() -> None:
    """`iterate` + `page_from` on the real stand-in; its cursors expire twice mid-way."""
    import httpx  # noqa: PLC0415

    from cf_vectorize.server import Credentials, StandInServer, Store, parse_index_lines  # noqa: PLC0415

    ids = [f"doc-{n:05d}" for n in range(2_345)]
    lines = [json.dumps({"id": i, "values": [0.5]}) for i in reversed(ids)]
    store = Store({"docs": parse_index_lines("docs", "docs.ndjson", lines)})
    with (
        StandInServer(store, credentials=Credentials(token="t")) as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as http,
    ):
        url = "/accounts/acc/vectorize/v2/indexes/docs/list"
        sent: list[str | None] = []

        def fetch(size: int, cursor: str | None) -> Page:
            sent.append(cursor)
            params: dict[str, Any] = {"count": size}
            if cursor is not None:
                params["cursor"] = cursor
            if len(sent) in (4, 9):  # expire every cursor before the 4th and 9th requests
                server.expire_cursors()
            response = http.get(url, params=params)
            return page_from(response.status_code, response.headers, response.content)

        listing = Listing(500)
        got = list(iterate(listing, fetch))
    assert got == ids
    assert listing.restarts == 2
    assert sent.count(None) == 3


# --- hostile pages, by hypothesis ---------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
listed_ids = st.lists(st.text(min_size=1, max_size=64), max_size=5, unique=True)


@st.composite
def valid_pages(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(listed_ids)
    truncated = draw(st.booleans())
    result: dict[str, Any] = {
        "count": len(ids),
        "totalCount": draw(st.integers(len(ids), 10**7)),
        "isTruncated": truncated,
        "vectors": [{"id": i} for i in ids],
    }
    if draw(st.booleans()):
        result["nextCursor"] = draw(st.text(min_size=1, max_size=80)) if truncated else None
    if draw(st.booleans()):
        result["cursorExpirationTimestamp"] = draw(
            st.none()
            | st.datetimes(timezones=st.just(datetime.UTC)).map(datetime.datetime.isoformat)
        )
    return {"success": True, "errors": [], "messages": [], "result": result}


PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(valid_pages())
def test_any_valid_page_is_read_exactly(raw: dict[str, Any]) -> None:
    page = page_from(200, JSON, json.dumps(raw).encode())
    result = raw["result"]
    assert page.ids == [item["id"] for item in result["vectors"]]
    assert page.total_count == result["totalCount"]
    assert page.next_cursor == (result.get("nextCursor") if result["isTruncated"] else None)


def _mutations(raw: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    paths = [("result",), *[("result", key) for key in raw["result"]]]
    if raw["result"]["vectors"]:
        paths += [("result", "vectors", 0), ("result", "vectors", 0, "id")]

    def mutate(args: tuple[tuple[Any, ...], Any, bool]) -> dict[str, Any]:
        path, value, delete = args
        changed = copy.deepcopy(raw)
        node: Any = changed
        for key in path[:-1]:
            node = node[key]
        if delete and isinstance(node, dict):
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return changed

    return st.tuples(st.sampled_from(paths), json_values, st.booleans()).map(mutate)


@PROPERTY
@given(valid_pages().flatmap(_mutations))
def test_a_mutated_page_is_a_page_or_a_validation_error(raw: dict[str, Any]) -> None:
    """Never a KeyError, TypeError or AttributeError from inside: a page, or our error."""
    try:
        page = page_from(200, JSON, json.dumps(raw).encode())
    except APIResponseValidationError:
        return
    assert all(isinstance(i, str) and i for i in page.ids)
    assert isinstance(page.total_count, int)
    assert page.next_cursor is None or (isinstance(page.next_cursor, str) and page.next_cursor)


@PROPERTY
@given(json_values, st.sampled_from([200, 400, 404, 429, 500]))
def test_any_json_body_ends_in_a_page_or_our_error(raw: Any, status: int) -> None:
    try:
        page_from(status, JSON, json.dumps(raw).encode())
    except APIError:
        return
