"""The stand-in's hooks for tests: indexes added while serving, injected faults, the log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from cf_vectorize.server import (
    Credentials,
    DataFileError,
    StandInServer,
    Store,
    parse_index_rows,
)
from cf_vectorize.server._hooks import Faults

TOKEN = "hooks-token-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}", "X-Trace": "t-1"}


def _path(index: str = "sample", account: str = "acc") -> str:
    return f"/accounts/{account}/vectorize/v2/indexes/{index}/get_by_ids"


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer(credentials=Credentials(token=TOKEN), record_requests=True) as running:
        yield running


@pytest.fixture
def http(server: StandInServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def test_an_index_added_while_serving_is_served(server: StandInServer, http: httpx.Client) -> None:
    assert http.post(_path("docs"), json={"ids": ["a"]}, headers=BEARER).status_code == 404
    server.add_index("docs", [{"id": "a", "values": [1, 2]}, {"id": "b", "values": [3, 4.5]}])
    answer = http.post(_path("docs"), json={"ids": ["b", "x"]}, headers=BEARER)
    assert answer.json()["result"] == [{"id": "b", "values": [3, 4.5]}]
    server.add_index("docs", [{"id": "c", "values": [0.5]}])  # replaces it
    assert http.post(_path("docs"), json={"ids": ["b"]}, headers=BEARER).json()["result"] == []


def test_bad_rows_are_refused_and_nothing_is_served(server: StandInServer) -> None:
    with pytest.raises(DataFileError, match=r"vectors\[1\]: values is empty"):
        server.add_index("docs", [{"id": "a", "values": [1]}, {"id": "b", "values": []}])
    assert "docs" not in server.store.indexes


def test_a_fault_answers_the_next_requests_then_is_used_up(
    server: StandInServer, http: httpx.Client
) -> None:
    server.fail_next(429, code=10100, retry_after=2, times=2)
    for _ in range(2):
        answer = http.post(_path(), json={"ids": ["doc-001"]}, headers=BEARER)
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "2"
        assert answer.json() == {
            "success": False,
            "errors": [{"code": 10100, "message": "Too Many Requests"}],
            "messages": [],
            "result": None,
        }
    assert http.post(_path(), json={"ids": ["doc-001"]}, headers=BEARER).status_code == 200
    assert [r.injected for r in server.requests] == [True, True, False]


def test_a_fault_comes_before_credentials_and_never_answers_other_routes(
    server: StandInServer, http: httpx.Client
) -> None:
    server.fail_next(503, code=10001, message="down", times=None, route="get_by_ids")
    assert http.get("/nowhere").status_code == 404  # no route: not faulted
    for headers in ({}, BEARER):
        assert http.post(_path(), json={"ids": ["a"]}, headers=headers).status_code == 503
    server.clear_faults()
    assert http.post(_path(), json={"ids": ["a"]}, headers=BEARER).status_code == 200
    with pytest.raises(ValueError, match="no route 'get-by-ids': the routes are get_by_ids"):
        server.fail_next(500, code=10001, route="get-by-ids")


def test_a_fault_for_one_route_is_left_to_that_route() -> None:
    faults = Faults()
    faults.add(500, code=10001, route="other")
    faults.add(502, code=10002)
    assert [(a.status if a else None) for a in map(faults.take, ["get_by_ids", "other"])] == [
        502,
        500,
    ]
    assert faults.take("get_by_ids") is None
    assert len(faults) == 0


def test_faults_queue_in_order(server: StandInServer, http: httpx.Client) -> None:
    server.fail_next(500, code=10001)
    server.fail_next(502, code=10002, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    statuses = [http.post(_path(), json={"ids": ["a"]}, headers=BEARER) for _ in range(3)]
    assert [a.status_code for a in statuses] == [500, 502, 200]
    assert statuses[1].headers["Retry-After"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert "Retry-After" not in statuses[0].headers


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": 200, "code": 1}, "status must be an error status"),
        ({"status": 600, "code": 1}, "status must be an error status"),
        ({"status": "500", "code": 1}, "status must be an int"),
        ({"status": 500, "code": "x"}, "code must be an int"),
        ({"status": 500, "code": 1, "times": 0}, "times must be at least 1"),
        ({"status": 500, "code": 1, "retry_after": "1\r\nX: y"}, "must not hold a line break"),
        ({"status": 500, "code": 1, "retry_after": [1]}, "retry_after must be seconds"),
    ],
)
def test_fault_arguments_are_checked(
    server: StandInServer, kwargs: dict[str, object], error: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=error):
        server.fail_next(**kwargs)  # type: ignore[arg-type]


def test_the_log_holds_each_request_without_credentials(
    server: StandInServer, http: httpx.Client
) -> None:
    http.post(_path(account="a1"), json={"ids": ["doc-001", "nope"]}, headers=BEARER)
    http.post(
        _path("absent"), json={"ids": ["x"]}, headers={"X-Auth-Key": "k", "X-Auth-Email": "e"}
    )
    http.get(_path())
    http.get("/elsewhere?q=1")
    first, second, third, fourth = server.requests
    assert (first.route, first.account_id, first.index_name, first.ids, first.status) == (
        "get_by_ids", "a1", "sample", ["doc-001", "nope"], 200,
    )  # fmt: skip
    assert first.headers["x-trace"] == "t-1"
    for request in server.requests:
        assert not {"authorization", "x-auth-key", "x-auth-email"} & set(request.headers)
        assert TOKEN not in repr(request)
    assert (second.index_name, second.status) == ("absent", 401)
    assert (third.method, third.route, third.status, third.ids) == ("GET", None, 405, None)
    assert repr(third.status) == "405"  # a plain int, not http.HTTPStatus
    assert (fourth.path, fourth.query, fourth.index_name, fourth.status) == (
        "/client/v4/elsewhere", "q=1", None, 404,
    )  # fmt: skip
    server.clear_requests()
    assert server.requests == []


def test_the_log_is_kept_only_when_asked() -> None:
    with StandInServer() as plain, pytest.raises(RuntimeError, match="record_requests=True"):
        _ = plain.requests


def test_a_store_serves_from_the_dict_it_was_given() -> None:
    indexes = {"a-index": parse_index_rows("a-index", [{"id": "x", "values": [1]}])}
    store = Store(indexes)
    indexes["b-index"] = parse_index_rows("b-index", [{"id": "y", "values": [2]}])
    assert sorted(store.indexes) == ["a-index", "b-index"]
    store.remove("a-index")
    assert sorted(indexes) == ["b-index"]
