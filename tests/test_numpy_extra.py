"""The `numpy` extra: cf_vectorize.numpy turns vectors into one float32 matrix."""

from __future__ import annotations

import json
from typing import Any

import httpx
import numpy as np
import pytest

from cf_vectorize import ApiToken, AsyncVectorize, InvalidInputError, Vectorize
from cf_vectorize.numpy import aget_matrix, get_matrix, values_matrix
from cf_vectorize_api.models import Vector

ACCOUNT = "0123456789abcdef0123456789abcdef"
STORED = {
    "a": [0.5, -1.25, 3.0],
    "b": [0.1, 0.2, 0.3],
    "c": [1e-3, 2.0, -7.5],
}


def vector(vector_id: str, values: list[float]) -> Vector:
    return Vector(id=vector_id, values=values)


def answer(request: httpx.Request) -> httpx.Response:
    """Answer get_by_ids from STORED, in an order of our own (Cloudflare documents none)."""
    ids = json.loads(request.content)["ids"]
    found: list[dict[str, Any]] = [
        {"id": i, "values": STORED[i]} for i in sorted(ids, reverse=True) if i in STORED
    ]
    body = {"success": True, "errors": [], "messages": [], "result": found}
    return httpx.Response(200, json=body)


def test_rows_follow_the_order_of_the_vectors() -> None:
    vectors = [vector("b", STORED["b"]), vector("a", STORED["a"])]
    matrix = values_matrix(vectors)
    assert matrix.dtype == np.float32
    assert matrix.shape == (2, 3)
    np.testing.assert_array_equal(matrix, np.array([STORED["b"], STORED["a"]], dtype=np.float32))


def test_no_vectors_give_an_empty_matrix_of_the_given_width() -> None:
    assert values_matrix([]).shape == (0, 0)
    empty = values_matrix([], dimensions=1536)
    assert empty.shape == (0, 1536)
    assert empty.dtype == np.float32


def test_vectors_of_different_dimensions_are_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"\[2, 3\]"):
        values_matrix([vector("a", [1.0, 2.0, 3.0]), vector("b", [1.0, 2.0])])


def test_dimensions_that_do_not_match_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="different dimensions"):
        values_matrix([vector("a", [1.0, 2.0, 3.0])], dimensions=4)


def test_get_matrix_returns_rows_in_the_order_asked_and_names_missing_ids() -> None:
    transport = httpx.MockTransport(answer)
    with Vectorize(account_id=ACCOUNT, auth=ApiToken("t"), transport=transport) as client:
        matrix = get_matrix(client, "docs", ["c", "nope", "a"])
    assert matrix.ids == ("c", "a")
    assert matrix.missing_ids == ("nope",)
    expected = np.array([STORED["c"], STORED["a"]], dtype=np.float32)
    np.testing.assert_array_equal(matrix.values, expected)


@pytest.mark.asyncio
async def test_aget_matrix_matches_the_sync_result() -> None:
    transport = httpx.MockTransport(answer)
    async with AsyncVectorize(account_id=ACCOUNT, auth=ApiToken("t"), transport=transport) as c:
        matrix = await aget_matrix(c, "docs", ["b", "a", "b"])
    assert matrix.ids == ("b", "a")
    assert matrix.missing_ids == ()
    expected = np.array([STORED["b"], STORED["a"]], dtype=np.float32)
    np.testing.assert_array_equal(matrix.values, expected)
