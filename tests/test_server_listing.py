"""List Vectors on the stand-in: pages, cursors, snapshots, expiry and errors.

Each answer over HTTP is checked against openapi.yaml by openapi-core, as get_by_ids'
answers are in test_server.py; the facts checked are those of Cloudflare's documentation
(tests/fixtures/README.md). `Listings` is also driven directly, with a fake clock.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from openapi_core.validation.request.exceptions import ParameterValidationError
from openapi_core.validation.response.exceptions import InvalidData

from cf_vectorize.server import (
    CURSOR_EXPIRED_CODE,
    INVALID_CURSOR_CODE,
    INVALID_QUERY_CODE,
    Credentials,
    Index,
    StandInServer,
    Store,
    parse_index_lines,
)
from cf_vectorize.server._listing import MAX_LISTINGS, Listings
from cf_vectorize_api import AuthenticatedClient
from cf_vectorize_api.api.vectorize import vectorize_list_vectors
from cf_vectorize_api.models import ErrorResponse, ListVectorsResponse
from tests._spec_check import validate_exchange, validate_request

TOKEN = "test-token-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


def make_index(name: str, ids: list[str]) -> Index:
    lines = [
        json.dumps({"id": vector_id, "values": [float(n), 0.5]}) for n, vector_id in enumerate(ids)
    ]
    return parse_index_lines(name, f"{name}.ndjson", lines)


# File order is not id order: the listing's order is the stand-in's own (by id).
BIG_IDS = [f"vec-{n:05d}" for n in range(2500)][::-1]
ODD_IDS = ["b", "a", "ä", "A", "z-1", "日本", "a b", "emoji-\U0001f600", "%2F", "x/y"]


@pytest.fixture(scope="module")
def indexes() -> dict[str, Index]:
    return {
        "big": make_index("big", BIG_IDS),
        "odd": make_index("odd", ODD_IDS),
        "empty": make_index("empty", []),
        "other": make_index("other", ["o-1", "o-2", "o-3"]),
    }


@pytest.fixture(scope="module")
def server(indexes: dict[str, Index]) -> Iterator[StandInServer]:
    with StandInServer(Store(dict(indexes)), credentials=Credentials(token=TOKEN)) as running:
        yield running


@pytest.fixture
def http(server: StandInServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def _url(index: str, account: str = ACCOUNT) -> str:
    return f"/accounts/{account}/vectorize/v2/indexes/{index}/list"


def _list(
    http: httpx.Client,
    index: str,
    *,
    account: str = ACCOUNT,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    response = http.get(
        _url(index, account), params=params, headers=BEARER if headers is None else headers
    )
    validate_exchange(response)
    return response


def _page(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["success"], body["errors"], body["messages"]) == (True, [], [])
    result: dict[str, Any] = body["result"]
    assert result["count"] == len(result["vectors"])
    return result


def _error(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    assert (body["success"], body["result"], body["messages"]) == (False, None, [])
    (item,) = body["errors"]
    return response.status_code, item["code"], item["message"]


def list_all(http: httpx.Client, index: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of one listing, following nextCursor while isTruncated."""
    pages = [_page(_list(http, index, **params))]
    while pages[-1]["isTruncated"]:
        assert len(pages) < 100, "the listing does not end"
        pages.append(_page(_list(http, index, cursor=pages[-1]["nextCursor"], **params)))
    return pages


def ids_of(pages: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for page in pages for item in page["vectors"]]


# --- pages ----------------------------------------------------------------------------


def test_default_pages_of_100_cover_every_id_once_in_id_order(http: httpx.Client) -> None:
    pages = list_all(http, "big")
    assert [page["count"] for page in pages] == [100] * 25
    assert ids_of(pages) == sorted(BIG_IDS)
    assert {page["totalCount"] for page in pages} == {2500}
    assert [page["isTruncated"] for page in pages] == [True] * 24 + [False]
    last = pages[-1]
    assert (last["nextCursor"], last["cursorExpirationTimestamp"]) == (None, None)
    assert all(isinstance(page["nextCursor"], str) for page in pages[:-1])


@pytest.mark.parametrize(("count", "sizes"), [(1000, [1000, 1000, 500]), (999, [999, 999, 502])])
def test_count_sets_the_page_size_up_to_1000(
    http: httpx.Client, count: int, sizes: list[int]
) -> None:
    pages = list_all(http, "big", count=count)
    assert [page["count"] for page in pages] == sizes
    assert ids_of(pages) == sorted(BIG_IDS)


def test_count_may_change_from_page_to_page(http: httpx.Client) -> None:
    first = _page(_list(http, "other", count=1))
    second = _page(_list(http, "other", count=1000, cursor=first["nextCursor"]))
    assert ids_of([first, second]) == ["o-1", "o-2", "o-3"]
    assert second["isTruncated"] is False


def test_a_page_that_ends_the_index_exactly_is_the_last(http: httpx.Client) -> None:
    pages = list_all(http, "other", count=3)
    assert len(pages) == 1
    assert (pages[0]["isTruncated"], pages[0]["nextCursor"]) == (False, None)


def test_ids_are_listed_in_code_point_order_and_come_back_intact(http: httpx.Client) -> None:
    pages = list_all(http, "odd", count=3)
    assert ids_of(pages) == sorted(ODD_IDS)
    # Code point order is UTF-8 byte order.
    assert ids_of(pages) == sorted(ODD_IDS, key=lambda i: i.encode())


def test_an_empty_index_has_one_empty_last_page(http: httpx.Client) -> None:
    page = _page(_list(http, "empty"))
    assert page == {
        "count": 0,
        "totalCount": 0,
        "isTruncated": False,
        "nextCursor": None,
        "cursorExpirationTimestamp": None,
        "vectors": [],
    }


def test_pages_hold_ids_only(http: httpx.Client) -> None:
    page = _page(_list(http, "big", count=5))
    assert all(item.keys() == {"id"} for item in page["vectors"])


def test_the_expiration_timestamp_is_rfc3339_with_nine_digits_ttl_ahead(
    http: httpx.Client, server: StandInServer
) -> None:
    before = datetime.datetime.now(datetime.UTC)
    page = _page(_list(http, "big", count=10))
    after = datetime.datetime.now(datetime.UTC)
    stamp = page["cursorExpirationTimestamp"]
    assert len(stamp.split(".")[1].removesuffix("+00:00")) == 9
    assert stamp.endswith("+00:00")
    expires = datetime.datetime.fromisoformat(stamp)
    ttl = datetime.timedelta(seconds=3600)
    tick = datetime.timedelta(microseconds=1)  # fromisoformat drops the last three digits
    assert before + ttl - tick <= expires <= after + ttl


def test_cursors_are_opaque_url_safe_and_differ_per_listing(http: httpx.Client) -> None:
    first = _page(_list(http, "big", count=10))["nextCursor"]
    again = _page(_list(http, "big", count=10))["nextCursor"]
    assert first != again
    for cursor in (first, again):
        assert len(cursor) == 64
        assert set(cursor) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
        # The position is not readable in the cursor: all of it looks random.
        assert b"\x00\x00\x00" not in base64.urlsafe_b64decode(cursor + "==")


def test_a_cursor_may_be_used_again_for_the_same_page(http: httpx.Client) -> None:
    cursor = _page(_list(http, "big", count=7))["nextCursor"]
    once = _page(_list(http, "big", count=7, cursor=cursor))
    twice = _page(_list(http, "big", count=7, cursor=cursor))
    assert once["vectors"] == twice["vectors"] == [{"id": i} for i in sorted(BIG_IDS)[7:14]]


def test_unknown_query_parameters_are_ignored(http: httpx.Client) -> None:
    page = _page(_list(http, "other", namespace="ns", returnValues="true"))
    assert ids_of([page]) == ["o-1", "o-2", "o-3"]


def test_concurrent_listings_each_get_every_id_once(server: StandInServer) -> None:
    failures: list[str] = []

    def worker(n: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            got = ids_of(list_all(http, "big", count=97 + n))
            if got != sorted(BIG_IDS):
                failures.append(f"worker {n}: {len(got)} ids")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []


# --- snapshots ------------------------------------------------------------------------


def test_a_listing_keeps_the_ids_present_when_it_started() -> None:
    indexes = {"live": make_index("live", ["a", "b", "c", "d"])}
    with (
        StandInServer(Store(indexes), credentials=Credentials(token=TOKEN)) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as http,
    ):
        first = _page(_list(http, "live", count=2))
        # The index changes: "b" and "c" deleted, "bb" and "e" inserted.
        indexes["live"] = make_index("live", ["a", "bb", "d", "e"])
        rest = _page(_list(http, "live", count=10, cursor=first["nextCursor"]))
        assert ids_of([first, rest]) == ["a", "b", "c", "d"]
        assert rest["totalCount"] == 4
        # A new listing takes a new snapshot.
        fresh = list_all(http, "live", count=2)
        assert ids_of(fresh) == ["a", "bb", "d", "e"]


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", ["0", "1001", "-1", "abc", "1.5", "", " 5", "1e2", "99999999"])
def test_a_bad_count_gets_400_40001(http: httpx.Client, count: str) -> None:
    response = _list(http, "big", count=count)
    assert _error(response) == (
        400,
        INVALID_QUERY_CODE,
        "invalid query: count must be an integer from 1 to 1000",
    )


def test_a_count_given_twice_gets_400(http: httpx.Client) -> None:
    response = http.get(f"{_url('big')}?count=5&count=6", headers=BEARER)
    assert _error(response) == (400, 40001, "invalid query: count is given more than once")
    validate_exchange(response)


def test_too_many_query_parameters_get_400(http: httpx.Client) -> None:
    query = "&".join(f"p{n}=1" for n in range(50))
    response = http.get(f"{_url('big')}?{query}", headers=BEARER)
    assert _error(response) == (400, 40001, "invalid query: too many query parameters")


INVALID_CURSOR = (
    400,
    INVALID_CURSOR_CODE,
    "invalid cursor: pass back the nextCursor of a page of this index unchanged",
)


def _altered(cursor: str) -> str:
    replacement = "A" if cursor[10] != "A" else "B"
    return cursor[:10] + replacement + cursor[11:]


@pytest.mark.parametrize(
    "make",
    [
        lambda cursor: "",
        lambda cursor: "garbage",
        lambda cursor: "suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099",
        _altered,
        lambda cursor: cursor[:-1],
        lambda cursor: cursor + "A",
        lambda cursor: cursor.replace("-", "+").replace("_", "/"),
        lambda cursor: cursor + "=",
        lambda cursor: "x" * 10_000,
    ],
    ids=[
        "empty",
        "garbage",
        "cloudflares-example",
        "altered",
        "short",
        "long",
        "std-b64",
        "pad",
        "huge",
    ],
)
def test_a_cursor_this_server_did_not_issue_gets_400_40002(
    http: httpx.Client,
    make: Callable[[str], str],
) -> None:
    cursor = _page(_list(http, "big", count=10))["nextCursor"]
    bad = make(cursor)
    if bad == cursor:  # std-b64 of a cursor without - or _ is the cursor itself
        bad = "+" + cursor[1:]
    assert _error(_list(http, "big", cursor=bad)) == INVALID_CURSOR


def test_a_cursor_is_bound_to_its_index_and_account(http: httpx.Client) -> None:
    cursor = _page(_list(http, "big", count=10))["nextCursor"]
    assert _error(_list(http, "other", cursor=cursor)) == INVALID_CURSOR
    assert _error(_list(http, "big", cursor=cursor, account="0" * 32)) == INVALID_CURSOR
    assert _page(_list(http, "big", cursor=cursor))["count"] == 100


def test_a_cursor_of_another_server_is_refused(
    http: httpx.Client, indexes: dict[str, Index]
) -> None:
    with (
        StandInServer(Store(dict(indexes)), credentials=Credentials(token=TOKEN)) as other,
        httpx.Client(base_url=other.base_url, timeout=10) as other_http,
    ):
        foreign = _page(_list(other_http, "big", count=10))["nextCursor"]
    assert _error(_list(http, "big", cursor=foreign)) == INVALID_CURSOR


EXPIRED = (400, CURSOR_EXPIRED_CODE, "cursor expired: start a new listing without a cursor")


def test_expire_cursors_expires_those_issued_so_far(
    http: httpx.Client, server: StandInServer
) -> None:
    old = _page(_list(http, "big", count=10))["nextCursor"]
    server.expire_cursors()
    assert _error(_list(http, "big", cursor=old)) == EXPIRED
    # A fresh listing works, and its cursors are not expired.
    fresh = _page(_list(http, "big", count=10))
    assert _page(_list(http, "big", cursor=fresh["nextCursor"]))["vectors"][0] == {
        "id": sorted(BIG_IDS)[10]
    }


def test_a_zero_ttl_expires_every_cursor_at_once(indexes: dict[str, Index]) -> None:
    with (
        StandInServer(
            Store(dict(indexes)), credentials=Credentials(token=TOKEN), cursor_ttl=0
        ) as zero,
        httpx.Client(base_url=zero.base_url, timeout=10) as http,
    ):
        first = _page(_list(http, "big", count=10))
        assert first["isTruncated"] is True
        assert _error(_list(http, "big", cursor=first["nextCursor"])) == EXPIRED


def test_a_short_ttl_expires_a_cursor_in_time(indexes: dict[str, Index]) -> None:
    with (
        StandInServer(
            Store(dict(indexes)), credentials=Credentials(token=TOKEN), cursor_ttl=0.05
        ) as short,
        httpx.Client(base_url=short.base_url, timeout=10) as http,
    ):
        cursor = _page(_list(http, "big", count=10))["nextCursor"]
        time.sleep(0.1)  # past the cursor's lifetime: a bound, not a measurement
        assert _error(_list(http, "big", cursor=cursor)) == EXPIRED


def test_auth_account_and_index_errors_apply_to_list(http: httpx.Client) -> None:
    assert _error(_list(http, "big", headers={}))[:2] == (400, 1001)
    assert _error(_list(http, "big", headers={"Authorization": "Bearer wrong"}))[:2] == (401, 10000)
    assert _error(_list(http, "missing-index")) == (
        404,
        3000,
        'vectorize.index.not_found - Index name "missing-index"',
    )
    # Credentials are checked before the query.
    assert _error(_list(http, "big", headers={}, count=0))[:2] == (400, 1001)


def test_a_server_for_one_account_refuses_others_on_list(indexes: dict[str, Index]) -> None:
    with (
        StandInServer(
            Store(dict(indexes)), credentials=Credentials(token=TOKEN), account_id=ACCOUNT
        ) as one,
        httpx.Client(base_url=one.base_url, timeout=10) as http,
    ):
        assert _page(_list(http, "other"))["count"] == 3
        assert _error(_list(http, "other", account="f" * 32)) == (
            403,
            10000,
            "Authentication error",
        )


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_on_list_get_405(http: httpx.Client, method: str) -> None:
    response = http.request(method, _url("big"), headers=BEARER)
    assert _error(response) == (405, 10405, "Method not allowed")
    assert response.headers["allow"] == "GET"


def test_get_on_get_by_ids_still_gets_405_post(http: httpx.Client) -> None:
    response = http.get(_url("big").removesuffix("list") + "get_by_ids", headers=BEARER)
    assert response.headers["allow"] == "POST"


def test_a_body_sent_with_a_list_request_is_read_and_ignored(http: httpx.Client) -> None:
    response = http.request("GET", _url("other"), content=b'{"ids": ["x"]}', headers=BEARER)
    assert _page(response)["count"] == 3
    # The connection is still in step: the next request on it is answered.
    assert _page(_list(http, "other"))["count"] == 3


# --- the spec checks and the generated client ------------------------------------------


def test_the_spec_check_catches_a_page_the_spec_does_not_allow(http: httpx.Client) -> None:
    response = _list(http, "other")
    body = response.json()
    del body["result"]["isTruncated"]
    with pytest.raises(InvalidData):
        validate_exchange(response, body=json.dumps(body).encode())


def test_the_request_check_knows_list_and_its_query(http: httpx.Client) -> None:
    validate_request(http.build_request("GET", _url("big"), params={"count": 1000}, headers=BEARER))
    with pytest.raises(ParameterValidationError, match="count"):
        validate_request(
            http.build_request("GET", _url("big"), params={"count": 1001}, headers=BEARER)
        )
    with pytest.raises(ParameterValidationError, match="cursor"):
        validate_request(
            http.build_request("GET", _url("big"), params={"cursor": ""}, headers=BEARER)
        )
    with pytest.raises(ValueError, match=r"not a path of openapi\.yaml"):
        validate_request(http.build_request("GET", _url("big") + "s", headers=BEARER))


def test_generated_client_lists_every_page(server: StandInServer) -> None:
    client = AuthenticatedClient(base_url=server.base_url, token=TOKEN)
    seen: list[str] = []
    parsed = vectorize_list_vectors.sync(ACCOUNT, "big", client=client, count=1000)
    while True:
        assert isinstance(parsed, ListVectorsResponse)
        page = parsed.result
        seen += [item.id for item in page.vectors]
        assert page.total_count == 2500
        if not page.is_truncated:
            assert page.next_cursor is None
            break
        assert isinstance(page.next_cursor, str)
        assert isinstance(page.cursor_expiration_timestamp, datetime.datetime)
        parsed = vectorize_list_vectors.sync(
            ACCOUNT, "big", client=client, count=1000, cursor=page.next_cursor
        )
    assert seen == sorted(BIG_IDS)


def test_generated_client_gets_a_typed_cursor_error(server: StandInServer) -> None:
    client = AuthenticatedClient(base_url=server.base_url, token=TOKEN)
    response = vectorize_list_vectors.sync_detailed(ACCOUNT, "big", client=client, cursor="nope")
    assert response.status_code == 400
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.errors[0].code == INVALID_CURSOR_CODE


# --- Listings alone, with a fake clock --------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000 * 10**9

    def __call__(self) -> int:
        return self.now


def _answer(listings: Listings, index: Index, query: str) -> tuple[int, dict[str, Any]]:
    answer = listings.answer("acc", index.name, index, query)
    return answer.status, dict(answer.body)


def test_a_cursor_lives_exactly_its_ttl() -> None:
    clock, index = FakeClock(), make_index("t", ["a", "b", "c"])
    listings = Listings(10.0, clock=clock)
    _, body = _answer(listings, index, "count=1")
    cursor = body["result"]["nextCursor"]
    assert body["result"]["cursorExpirationTimestamp"] == "2023-11-14T22:13:30.000000000+00:00"
    clock.now += 10 * 10**9 - 1
    assert _answer(listings, index, f"cursor={cursor}")[0] == 200
    clock.now += 1
    status, body = _answer(listings, index, f"cursor={cursor}")
    assert (status, body["errors"][0]["code"]) == (400, CURSOR_EXPIRED_CODE)


def test_each_page_renews_the_listing() -> None:
    clock, index = FakeClock(), make_index("t", ["a", "b", "c"])
    listings = Listings(10.0, clock=clock)
    cursor = _answer(listings, index, "count=1")[1]["result"]["nextCursor"]
    clock.now += 9 * 10**9
    second = _answer(listings, index, f"count=1&cursor={cursor}")[1]["result"]
    clock.now += 9 * 10**9
    # The first cursor has expired; the second, issued 9 s ago, has not.
    assert _answer(listings, index, f"cursor={cursor}")[0] == 400
    last = _answer(listings, index, f"cursor={second['nextCursor']}")[1]["result"]
    assert [item["id"] for item in last["vectors"]] == ["c"]


def test_listings_are_capped_and_the_least_recent_dropped() -> None:
    clock, index = FakeClock(), make_index("t", ["a", "b"])
    listings = Listings(3600.0, clock=clock)
    cursors = [
        _answer(listings, index, "count=1")[1]["result"]["nextCursor"]
        for _ in range(MAX_LISTINGS + 1)
    ]
    assert (
        _answer(listings, index, f"cursor={cursors[0]}")[1]["errors"][0]["code"]
        == CURSOR_EXPIRED_CODE
    )
    assert _answer(listings, index, f"cursor={cursors[-1]}")[0] == 200
    assert "open=1024" in repr(listings)


def test_listings_of_an_unchanged_index_share_one_sorted_copy() -> None:
    index = make_index("t", ["b", "a", "c"])
    listings = Listings()
    first = listings._sorted_ids("t", index)
    assert listings._sorted_ids("t", index) is first
    changed = make_index("t", ["b", "a"])
    assert listings._sorted_ids("t", changed) == ("a", "b")


@pytest.mark.parametrize("ttl", [-1.0, float("nan"), float("inf"), 1e300, 86_401])
def test_a_ttl_out_of_range_is_refused(ttl: float) -> None:
    with pytest.raises(ValueError, match="cursor_ttl must be 0 or more and at most 86400 seconds"):
        StandInServer(cursor_ttl=ttl)
