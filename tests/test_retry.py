"""Retries: what is retried, how long is waited (nothing really sleeps), and when we give up."""

from __future__ import annotations

import email.utils
import logging

import httpx
import pytest

from cf_vectorize import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
)
from cf_vectorize._errors import APIStatusError
from cf_vectorize._retry import (
    INITIAL_RETRY_DELAY,
    JITTER,
    MAX_RETRY_DELAY,
    RetryPolicy,
    is_retryable,
    parse_retry_after,
)
from tests.clientkit import Runner, Server, failure, found
from tests.conftest import response_cases


def rate_limited(retry_after: str | None = "1", **extra: str) -> httpx.Response:
    body = response_cases()["rate-limited"]["body"]
    headers = dict(extra)
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(429, json=body, headers=headers)


def test_retry_after_is_honoured_then_success(runner: Runner) -> None:
    server = Server([lambda r, i: rate_limited("3"), found()])
    result = runner.get(server, "my-index", ["a"])
    assert [v.id for v in result] == ["a"]
    assert len(server.requests) == 2
    assert runner.slept == [3.0]


def test_retry_after_ms_wins(runner: Runner) -> None:
    server = Server([lambda r, i: rate_limited("3", **{"retry-after-ms": "250"}), found()])
    runner.get(server, "my-index", ["a"])
    assert runner.slept == [0.25]


@pytest.mark.parametrize("status", [408, 409, 500, 502, 503, 504])
def test_retryable_statuses_back_off_exponentially(runner: Runner, status: int) -> None:
    server = Server([lambda r, i: failure(status, 10001, "try later")] * 2 + [found()])
    result = runner.get(server, "my-index", ["a"])
    assert [v.id for v in result] == ["a"]
    assert len(server.requests) == 3
    first, second = runner.slept
    assert INITIAL_RETRY_DELAY * (1 - JITTER) <= first <= INITIAL_RETRY_DELAY
    assert 2 * INITIAL_RETRY_DELAY * (1 - JITTER) <= second <= 2 * INITIAL_RETRY_DELAY


def test_retries_exhausted_raise_the_last_error(runner: Runner) -> None:
    server = Server([lambda r, i: failure(503, 10001, "down")])
    with pytest.raises(InternalServerError, match=r"\[10001\] down"):
        runner.get(server, "my-index", ["a"])
    assert len(server.requests) == 3  # default: 2 retries
    assert len(runner.slept) == 2


def test_max_retries_per_client_and_per_call(runner: Runner) -> None:
    server = Server([lambda r, i: failure(500, 10001, "down")])
    with pytest.raises(InternalServerError):
        runner.get(server, "my-index", ["a"], max_retries=5)
    assert len(server.requests) == 6
    server = Server([lambda r, i: failure(500, 10001, "down")])
    with pytest.raises(InternalServerError):
        runner.get(server, "my-index", ["a"], call={"max_retries": 0}, max_retries=5)
    assert len(server.requests) == 1


def test_client_errors_are_not_retried(runner: Runner) -> None:
    body = response_cases()["too-many-ids"]["body"]
    server = Server([lambda r, i: httpx.Response(400, json=body)])
    with pytest.raises(BadRequestError):
        runner.get(server, "my-index", ["a"])
    assert len(server.requests) == 1 and runner.slept == []


def test_connection_errors_are_retried(runner: Runner) -> None:
    calls = []

    def flaky(request: httpx.Request, ids: list[str]) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return found()(request, ids)

    assert [v.id for v in runner.get(Server([flaky]), "my-index", ["a"])] == ["a"]
    assert len(calls) == 3


def test_connection_errors_exhausted(runner: Runner) -> None:
    def down(request: httpx.Request, ids: list[str]) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(APIConnectionError, match="connection refused"):
        runner.get(Server([down]), "my-index", ["a"], max_retries=1)


def test_timeouts_are_typed_and_retried(runner: Runner) -> None:
    def slow(request: httpx.Request, ids: list[str]) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    server = Server([slow])
    with pytest.raises(APITimeoutError):
        runner.get(server, "my-index", ["a"], max_retries=1)
    assert len(server.requests) == 2


def test_too_long_retry_after_is_not_waited_out(runner: Runner) -> None:
    server = Server([lambda r, i: rate_limited("600")])
    with pytest.raises(RateLimitError) as caught:
        runner.get(server, "my-index", ["a"])
    assert caught.value.retry_after == 600.0
    assert len(server.requests) == 1 and runner.slept == []


def test_retry_after_as_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=lambda: now) == 30.0
    assert parse_retry_after({"retry-after": email.utils.formatdate(now - 5)}, lambda: now) is None
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after-ms": "x", "retry-after": "2"}) == 2.0
    assert parse_retry_after({}) is None


UNUSABLE = ["NaN", "nan", "-1", "-0.5", "inf", "-inf", "Infinity", "1e400", "", "soon", "1, 2"]
UNUSABLE_DATES = [
    "Mon, 01 Jan 1990 00:00:00 GMT",  # past
    "Mon, 01 Jan 99999 00:00:00 GMT",  # year out of range
    "Tue, 31 Feb 2026 00:00:00 GMT",  # no such day
    "Mon, 01 Jan 0001 00:00:00 -0000",  # before the epoch, no zone
]


@pytest.mark.parametrize("value", UNUSABLE + UNUSABLE_DATES)
@pytest.mark.parametrize("header", ["retry-after", "retry-after-ms"])
def test_an_unusable_wait_counts_as_absent(header: str, value: str) -> None:
    assert parse_retry_after({header: value}) is None


@pytest.mark.parametrize("value", ["NaN", "-inf"])
def test_an_unusable_retry_after_ms_leaves_retry_after_in_charge(value: str) -> None:
    assert parse_retry_after({"retry-after-ms": value, "retry-after": "2"}) == 2.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"retry-after": "1e300"}, 1e300),  # usable, and longer than is waited out
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after-ms": "250.5"}, 0.2505),
    ],
)
def test_usable_waits(headers: dict[str, str], expected: float) -> None:
    assert parse_retry_after(headers) == expected


@pytest.mark.parametrize("value", ["NaN", "-1", "-inf", "Mon, 01 Jan 1990 00:00:00 GMT"])
@pytest.mark.parametrize("header", ["Retry-After", "retry-after-ms"])
def test_an_unusable_wait_gets_the_ordinary_backoff(
    runner: Runner, header: str, value: str
) -> None:
    """Before: NaN raised a bare ValueError (sync) or was slept as 0 (async); -1 waited 0."""
    server = Server([lambda r, i: rate_limited(None, **{header: value})] * 2 + [found()])
    result = runner.get(server, "my-index", ["a"])
    assert [v.id for v in result] == ["a"] and len(server.requests) == 3
    first, second = runner.slept
    assert INITIAL_RETRY_DELAY * (1 - JITTER) <= first <= INITIAL_RETRY_DELAY
    assert 2 * INITIAL_RETRY_DELAY * (1 - JITTER) <= second <= 2 * INITIAL_RETRY_DELAY


@pytest.mark.parametrize("retry_after", [float("nan"), -1.0, float("-inf"), float("inf")])
def test_the_policy_backs_off_on_an_unusable_retry_after(retry_after: float) -> None:
    """Even when an error is built by hand with such a value."""
    error = RateLimitError("slow down", status_code=429, retry_after=retry_after)
    policy = RetryPolicy(jitter_source=lambda: 0.0)
    assert policy.delay(error, 0) == INITIAL_RETRY_DELAY


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(max_retries=20, jitter_source=lambda: 0.0)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, MAX_RETRY_DELAY]
    jittered = RetryPolicy(jitter_source=lambda: 1.0)
    assert jittered.backoff(0) == INITIAL_RETRY_DELAY * (1 - JITTER)


def test_retryable_classification() -> None:
    def status(code: int) -> APIStatusError:
        return APIStatusError("x", status_code=code)

    codes = (400, 401, 403, 404, 408, 409, 422, 429, 500, 599)
    assert [c for c in codes if is_retryable(status(c))] == [408, 409, 429, 500, 599]
    assert is_retryable(APITimeoutError("t")) and is_retryable(APIConnectionError("c"))


def test_each_decision_is_logged_at_debug(runner: Runner, caplog: pytest.LogCaptureFixture) -> None:
    server = Server([lambda r, i: rate_limited("2")] * 3)
    with caplog.at_level(logging.DEBUG, logger="cf_vectorize"), pytest.raises(RateLimitError):
        runner.get(server, "my-index", ["a"])
    messages = [r.getMessage() for r in caplog.records if r.name == "cf_vectorize"]
    assert len(messages) == 3
    assert "retry 1 in 2.00 s" in messages[0] and "retry 2 in 2.00 s" in messages[1]
    assert "giving up after 3 attempt(s)" in messages[2]
    assert all("[10100]" in m for m in messages)
