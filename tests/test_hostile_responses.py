"""Response bodies by hypothesis, valid per openapi.yaml and mutated, through both clients.

A valid 200 body gives a VectorList holding exactly the vectors asked for; anything else
ends in one of our APIError classes (a response-validation error for a 200, a status error
otherwise), never in a KeyError, TypeError or AttributeError from inside.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cf_vectorize import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    ApiToken,
    AsyncVectorize,
    Vectorize,
    VectorList,
)
from tests._spec_check import validate_exchange
from tests.clientkit import ACCOUNT, TOKEN

CLIENTS = ("sync", "async")
# Examples run, by (property and client, outcome); scripts/reliability.py reports them.
TRIED: Counter[tuple[str, str]] = Counter()
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URL = (
    f"https://api.cloudflare.com/client/v4/accounts/{ACCOUNT}"
    "/vectorize/v2/indexes/my-index/get_by_ids"
)
ASKED_WHEN_UNKNOWN = ["a", "b"]

# --- bodies valid per openapi.yaml ----------------------------------------------------

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
# Ids a client can ask for (at most 64 bytes): an answer holds only ids that were asked.
vector_ids = st.text(st.characters(codec="utf-8"), min_size=1, max_size=64).filter(
    lambda vector_id: len(vector_id.encode()) <= 64
)


@st.composite
def vectors(draw: st.DrawFn, vector_id: str) -> dict[str, Any]:
    numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000)
    record: dict[str, Any] = {"id": vector_id, "values": draw(st.lists(numbers, max_size=8))}
    if draw(st.booleans()):
        record["metadata"] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
    if draw(st.booleans()):
        record["namespace"] = draw(st.none() | st.text(max_size=64))
    return record


def response_infos(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    base = st.fixed_dictionaries(
        {"code": st.integers(1000, 99999), "message": st.text(max_size=30)},
        optional={
            "documentation_url": st.text(max_size=20),
            "source": st.fixed_dictionaries({}, optional={"pointer": st.text(max_size=10)}),
        },
    )
    if depth == 0:
        return base
    chains = st.lists(response_infos(depth - 1), max_size=2)
    return st.tuples(base, st.none() | chains).map(
        lambda pair: pair[0] if pair[1] is None else {**pair[0], "error_chain": pair[1]}
    )


@st.composite
def success_bodies(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(vector_ids, max_size=20, unique=True))
    return {
        "success": True,
        "errors": draw(st.lists(response_infos(), max_size=2)),
        "messages": draw(st.lists(response_infos(), max_size=2)),
        "result": [draw(vectors(vector_id)) for vector_id in ids],
    }


@st.composite
def error_bodies(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "success": False,
        "errors": draw(st.lists(response_infos(), min_size=1, max_size=3)),
        "messages": draw(st.lists(response_infos(), max_size=2)),
        "result": None,
    }


# --- mutations ------------------------------------------------------------------------

Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON value, the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, bodies: st.SearchStrategy[Any]) -> Any:
    """A body with one to three of its places deleted, replaced by any JSON value, or wrapped."""
    value = copy.deepcopy(draw(bodies))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(value))))
        how = draw(st.sampled_from(["delete", "replace", "wrap", "stringify"]))
        replacement = draw(json_values)
        if not path:
            value = {"replace": replacement, "wrap": [value], "stringify": json.dumps(value)}.get(
                how, replacement
            )
            continue
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if how == "delete":
            del parent[last]
        elif how == "replace":
            parent[last] = replacement
        elif how == "wrap":
            parent[last] = [parent[last]]
        else:
            parent[last] = json.dumps(parent[last])
    return value


content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "application/problem+json", ""]
)
statuses = st.sampled_from([200, 200, 200, 400, 401, 403, 404, 409, 429, 500, 502, 520])


# --- running a body through a client ----------------------------------------------------


def asked_for(body: Any) -> list[str]:
    """The ids to ask for: those of the body's vectors that can be asked for, else a few."""
    try:
        ids = [v["id"] for v in body["result"]]
    except (KeyError, TypeError, IndexError):
        return ASKED_WHEN_UNKNOWN
    usable = [i for i in ids if isinstance(i, str) and 0 < len(i.encode()) <= 64]
    return usable or ASKED_WHEN_UNKNOWN


def answer(client: str, status: int, content: bytes, content_type: str, ids: list[str]) -> Any:
    """Return the VectorList or the APIError a client makes of this answer."""
    headers = {"content-type": content_type} if content_type else {}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    settings = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "max_retries": 0, "pacing": None}
    try:
        if client == "sync":
            with Vectorize(transport=httpx.MockTransport(handler), **settings) as sync:  # type: ignore[arg-type]
                return sync.get_by_ids("my-index", ids)

        async def run() -> VectorList:
            transport = httpx.MockTransport(handler)
            async with AsyncVectorize(transport=transport, **settings) as client:  # type: ignore[arg-type]
                return await client.get_by_ids("my-index", ids)

        return asyncio.run(run())
    except APIError as error:
        return error


def check(client: str, status: int, content: bytes, content_type: str, ids: list[str]) -> str:
    """The property: a VectorList for a 200, else the right kind of APIError; never a crash."""
    outcome = answer(client, status, content, content_type, ids)
    if isinstance(outcome, VectorList):
        assert status == 200
        assert all(isinstance(v.id, str) and isinstance(v.values, list) for v in outcome)
        assert [v.id for v in outcome] + list(outcome.missing_ids) == list(dict.fromkeys(ids))
        return "VectorList"
    if status == 200:
        assert type(outcome) is APIResponseValidationError
    else:
        assert isinstance(outcome, APIStatusError) and outcome.status_code == status
    assert TOKEN not in str(outcome)
    return type(outcome).__name__


@pytest.mark.parametrize("client", CLIENTS)
@PROPERTY
@given(body=success_bodies())
def test_valid_bodies_give_exactly_the_vectors_asked_for(client: str, body: dict[str, Any]) -> None:
    ids = asked_for(body)
    outcome = answer(client, 200, json.dumps(body).encode(), "application/json", ids)
    assert isinstance(outcome, VectorList)
    by_id = {record["id"]: record for record in body["result"]}
    assert [v.id for v in outcome] == [i for i in ids if i in by_id]
    for got in outcome:
        assert got.values == by_id[got.id]["values"]
        assert got.to_dict().get("metadata", {}) == by_id[got.id].get("metadata", {})
    TRIED[f"valid 200 bodies ({client})", "VectorList"] += 1


@pytest.mark.parametrize("client", CLIENTS)
@PROPERTY
@given(
    body=mutated(success_bodies() | error_bodies()),
    content_type=content_types,
    status=statuses,
)
def test_mutated_valid_bodies(client: str, body: Any, content_type: str, status: int) -> None:
    outcome = check(client, status, json.dumps(body).encode(), content_type, asked_for(body))
    TRIED[f"mutated bodies ({client})", outcome] += 1


@pytest.mark.parametrize("client", CLIENTS)
@PROPERTY
@given(body=json_values, status=statuses)
def test_any_json(client: str, body: Any, status: int) -> None:
    outcome = check(client, status, json.dumps(body).encode(), "application/json", ["a"])
    TRIED[f"any JSON value ({client})", outcome] += 1


@pytest.mark.parametrize("client", CLIENTS)
@PROPERTY
@given(data=st.data(), status=statuses, content_type=content_types)
def test_truncated_and_garbled_bytes(
    client: str, data: st.DataObject, status: int, content_type: str
) -> None:
    text = json.dumps(data.draw(success_bodies() | error_bodies())).encode()
    cut = data.draw(st.integers(0, max(len(text) - 1, 0)))
    content = data.draw(
        st.sampled_from([text[:cut], text[:cut] + data.draw(st.binary(max_size=8))])
    )
    outcome = check(client, status, content, content_type, ["a"])
    TRIED[f"truncated or garbled bytes ({client})", outcome] += 1


@PROPERTY
@given(body=success_bodies())
def test_the_valid_bodies_are_valid_per_the_spec(body: dict[str, Any]) -> None:
    request = httpx.Request("POST", URL, json={"ids": ["a"]}, headers={"Authorization": "Bearer t"})
    response = httpx.Response(200, json=body, request=request)
    validate_exchange(response)
    TRIED["valid 200 bodies checked by openapi-core", "valid"] += 1


@settings(PROPERTY, max_examples=100)
@given(body=error_bodies(), status=st.sampled_from([400, 401, 403, 404, 429, 500]))
def test_the_error_bodies_are_valid_per_the_spec(body: dict[str, Any], status: int) -> None:
    request = httpx.Request("POST", URL, json={"ids": ["a"]}, headers={"Authorization": "Bearer t"})
    validate_exchange(httpx.Response(status, json=body, request=request))
    TRIED["error bodies checked by openapi-core", "valid"] += 1
