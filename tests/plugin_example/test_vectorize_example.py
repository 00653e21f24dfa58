"""Testing code that uses Vectorize, with cf-vectorize's pytest fixtures (no conftest needed)."""

import asyncio
import os

import pytest

from cf_vectorize import (
    ApiToken,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
    Vectorize,
    VectorList,
)
from cf_vectorize.testing import VectorizeServer

DOCS = [
    {"id": "a", "values": [0.1, 0.2, 0.3], "metadata": {"title": "First"}},
    {"id": "b", "values": [0.4, 0.5, 0.6], "namespace": "drafts"},
]
VARIABLES = ("CLOUDFLARE_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID")
ENV_BEFORE = {name: os.environ.get(name) for name in VARIABLES}


def embeddings(client: Vectorize, ids: list[str]) -> dict[str, list[float] | None]:
    """The code under test: ids to values, None for an id the index does not hold."""
    found = client.get_by_ids("docs", ids)
    values = {vector.id: vector.values for vector in found}
    return {vector_id: values.get(vector_id) for vector_id in ids}


def test_missing_ids_are_reported(vectorize_env: VectorizeServer) -> None:
    vectorize_env.add_index("docs", DOCS)
    with Vectorize() as client:  # base URL, token and account from the environment
        assert embeddings(client, ["b", "nope", "a"]) == {
            "b": [0.4, 0.5, 0.6],
            "nope": None,
            "a": [0.1, 0.2, 0.3],
        }
        assert client.get_by_ids("docs", ["a", "nope"]).missing_ids == ("nope",)
    (request,) = [r for r in vectorize_env.requests if r.ids == ["a", "nope"]]
    assert request.index_name == "docs"
    assert "authorization" not in request.headers  # credentials are never logged


def test_the_async_client(vectorize_server: VectorizeServer) -> None:
    vectorize_server.add_index("docs", DOCS)

    async def fetch() -> VectorList:
        async with vectorize_server.async_client() as client:
            return await client.get_by_ids("docs", ["a", "b"])

    found = asyncio.run(fetch())
    assert [vector.id for vector in found] == ["a", "b"]


def test_a_rate_limit_is_retried(vectorize_server: VectorizeServer) -> None:
    vectorize_server.fail_next(429, code=10100, retry_after=0)  # the next request only
    with vectorize_server.client() as client:
        assert [vector.id for vector in client.get_by_ids("sample", ["doc-001"])] == ["doc-001"]
    assert [r.status for r in vectorize_server.requests] == [429, 200]


def test_a_server_failing_for_good_ends_in_a_typed_error(vectorize_server: VectorizeServer) -> None:
    vectorize_server.fail_next(500, code=10001, times=None, retry_after=0)  # every request
    with vectorize_server.client() as client, pytest.raises(InternalServerError) as caught:
        client.get_by_ids("sample", ["doc-001"])
    assert caught.value.status_code == 500
    assert len(vectorize_server.requests) == 3  # the first attempt and two retries


def test_a_wrong_token_is_refused(vectorize_server: VectorizeServer) -> None:
    client = vectorize_server.client(auth=ApiToken("not-the-token"))
    with client, pytest.raises(AuthenticationError) as caught:
        client.get_by_ids("sample", ["doc-001"])
    assert caught.value.status_code == 401


def test_each_test_gets_a_fresh_server(vectorize_server: VectorizeServer) -> None:
    # Nothing of the tests above is left: no request, no fault, no "docs" index.
    assert vectorize_server.requests == []
    with vectorize_server.client() as client:
        assert len(client.get_by_ids("sample", ["doc-001"])) == 1
        with pytest.raises(NotFoundError):
            client.get_by_ids("docs", ["a"])


def test_the_environment_is_restored() -> None:
    assert {name: os.environ.get(name) for name in VARIABLES} == ENV_BEFORE
