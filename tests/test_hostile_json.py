"""Hostile JSON in an answer: deep nesting, numbers no float holds, NaN and Infinity.

Each ends in our typed error (APIResponseValidationError for a 200, the status's class
otherwise), with orjson and with the json fallback, never in a RecursionError,
OverflowError or ValueError from inside.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import httpx
import pytest

from cf_vectorize import (
    APIResponseValidationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    _response,
)
from cf_vectorize._response import MAX_NESTING
from tests.clientkit import Runner, Server

JSON = httpx.Headers({"content-type": "application/json"})
ENVELOPE = b'{"success": true, "errors": [], "messages": [], "result": [%s]}'


@pytest.fixture(params=["orjson", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with orjson (the `fast` extra) and without it (json alone)."""
    if request.param == "json":
        monkeypatch.setitem(sys.modules, "orjson", None)
    _response._fast_loads.cache_clear()
    yield request.param
    _response._fast_loads.cache_clear()


def nested(depth: int, leaf: bytes = b"1") -> bytes:
    return b'{"k": ' * depth + leaf + b"}" * depth


def vector_with(metadata: bytes, values: bytes = b"[0.5]") -> bytes:
    return ENVELOPE % (b'{"id": "a", "values": %s, "metadata": %s}' % (values, metadata))


def refused(body: bytes) -> str:
    with pytest.raises(APIResponseValidationError) as caught:
        _response.vectors_from(200, JSON, body, ["a"])
    assert type(caught.value) is APIResponseValidationError
    return str(caught.value)


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize("depth", [1_000, 1_100, 100_000])
def test_deep_nesting_in_a_200_is_a_validation_error(depth: int) -> None:
    message = refused(vector_with(nested(depth)))
    assert "nested" in message or "nests" in message or "depth" in message


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize("depth", [1_100, 100_000])
def test_the_json_fallback_refuses_deep_nesting_as_a_value_error(depth: int) -> None:
    """orjson stops at 1024 levels; json, which has the last word, recurses until refused."""
    with pytest.raises(ValueError, match="recursion limit"):
        _response._decode(b"[" * depth + b"]" * depth)


@pytest.mark.usefixtures("decoder")
def test_metadata_nests_at_most_max_nesting_levels() -> None:
    [vector] = _response.vectors_from(200, JSON, vector_with(nested(MAX_NESTING)), ["a"])
    assert vector.id == "a"
    assert f"deeper than {MAX_NESTING}" in refused(vector_with(nested(MAX_NESTING + 1)))
    lists = b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)
    assert f"deeper than {MAX_NESTING}" in refused(vector_with(b'{"k": %s}' % lists))


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize("status", [400, 429, 500, 503])
@pytest.mark.parametrize("depth", [1_100, 100_000])
def test_deep_nesting_in_an_error_body_keeps_the_status_class(status: int, depth: int) -> None:
    body = b'{"success": false, "errors": [{"code": 1, "message": "x", "error_chain": %s}]}'
    error = _response.status_error(status, JSON, body % (b"[" * depth + b"]" * depth))
    expected = {400: BadRequestError, 429: RateLimitError}.get(status, InternalServerError)
    assert type(error) is expected
    assert error.status_code == status and error.errors == []


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (b"[0.5, " + b"9" * 401 + b"]", "too large for a float"),
        (b"[-" + b"9" * 401 + b", 1]", "too large for a float"),
        (b"[1e400]", "inf"),
        (b"[-1e400, 0.5]", "inf"),
        (b"[NaN]", "nan"),
        (b"[0.5, Infinity]", "inf"),
        (b"[-Infinity]", "inf"),
        (b"[1e308, 1e308]", None),  # each fits a float; only their sum does not: accepted
    ],
)
def test_values_must_be_finite_floats(values: bytes, problem: str | None) -> None:
    body = vector_with(b"{}", values)
    if problem is None:
        [vector] = _response.vectors_from(200, JSON, body, ["a"])
        assert vector.values == json.loads(values)
    else:
        assert problem in refused(body)


@pytest.mark.usefixtures("decoder")
@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_metadata_must_hold_finite_numbers(literal: bytes) -> None:
    """json.dumps(allow_nan=False), as the CLI writes, would fail on them later."""
    assert "not a finite number" in refused(vector_with(b'{"k": [1, {"x": %s}]}' % literal))


@pytest.mark.usefixtures("decoder")
def test_tiny_and_big_but_finite_numbers_are_fine() -> None:
    body = vector_with(b'{"big": ' + b"9" * 401 + b"}", b"[1e-400, 1e300, 12]")
    [vector] = _response.vectors_from(200, JSON, body, ["a"])
    assert vector.values == [0.0, 1e300, 12]


def test_a_deep_body_through_both_clients(runner: Runner) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000

    def answer(status: int) -> Server:
        content = vector_with(deep) if status == 200 else deep
        return Server([lambda request, ids: httpx.Response(status, content=content, headers=JSON)])

    with pytest.raises(APIResponseValidationError):
        runner.get(answer(200), "my-index", ["a"])
    with pytest.raises(InternalServerError):
        runner.get(answer(500), "my-index", ["a"], max_retries=0)


def test_a_huge_integer_among_values_through_both_clients(runner: Runner) -> None:
    content = vector_with(b"{}", b"[" + b"1" * 401 + b"]")
    server = Server([lambda request, ids: httpx.Response(200, content=content, headers=JSON)])
    with pytest.raises(APIResponseValidationError, match="too large for a float"):
        runner.get(server, "my-index", ["a"])


@pytest.mark.usefixtures("decoder")
def test_a_message_names_a_hostile_id_briefly() -> None:
    """A megabyte id, or an id that is a deep structure, is not copied into the message."""
    long_id = b'"' + b"x" * 1_000_000 + b'"'
    body = ENVELOPE % (b'{"id": %s, "values": [NaN]}' % long_id)
    message = refused(body)
    assert len(message) < 1_000 and "'xxxx" in message and "…" in message
    deep_id = b"[" * 500 + b"]" * 500
    message = refused(ENVELOPE % (b'{"id": %s, "values": [1]}' % deep_id))
    assert "with a list for id nests deeper" in message


def test_an_id_asked_twice_may_come_twice_but_not_three_times() -> None:
    """With deduplicate=False a caller may send an id twice; the answer may then hold it twice."""
    twice = ENVELOPE % b'{"id": "a", "values": [1]}, {"id": "a", "values": [1]}'
    assert len(_response.vectors_from(200, JSON, twice, ["a", "a"])) == 2
    with pytest.raises(APIResponseValidationError, match="comes twice"):
        _response.vectors_from(200, JSON, twice, ["a", "b"])
    with pytest.raises(APIResponseValidationError, match="2 vectors for 1 id"):
        _response.vectors_from(200, JSON, twice, ["a"])
