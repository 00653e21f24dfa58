"""The generated client replays transcribed Cloudflare responses into typed models."""

from __future__ import annotations

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from cf_vectorize_api import AuthenticatedClient
from cf_vectorize_api.api.vectorize import vectorize_get_vectors_by_id
from cf_vectorize_api.models import (
    ErrorResponse,
    GetVectorsByIdRequest,
    GetVectorsByIdResponse,
    Vector,
)
from tests.conftest import ACCOUNT_ID, response_cases

BASE_URL = "https://api.cloudflare.com/client/v4"
DOC_IDS = ["some-vector-id", "other-vector-id"]


def client() -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE_URL, token="test-token-not-a-secret")


def check_doc_example(answer: GetVectorsByIdResponse | ErrorResponse | None) -> None:
    assert isinstance(answer, GetVectorsByIdResponse)
    assert answer.success is True
    assert answer.errors == [] and answer.messages == []
    expected = response_cases()["ok-doc-example"]["body"]["result"]
    assert [v.id for v in answer.result] == [v["id"] for v in expected]
    for vector, raw in zip(answer.result, expected, strict=True):
        assert isinstance(vector, Vector)
        assert vector.values == raw["values"]
        assert type(vector.metadata) is dict and vector.metadata == raw["metadata"]
    first, second = answer.result
    assert first.namespace is None
    assert second.namespace == "namespaced"
    assert first.metadata is not None and first.metadata["customer-id"] == 442


def check_not_found(answer: GetVectorsByIdResponse | ErrorResponse | None) -> None:
    assert isinstance(answer, ErrorResponse)
    assert answer.success is False and answer.result is None
    assert [(e.code, e.message) for e in answer.errors] == [
        (3000, 'vectorize.index.not_found - Index name "missing-index"')
    ]


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
def test_sync_replays_documented_response() -> None:
    with client() as c:
        response = vectorize_get_vectors_by_id.sync_detailed(
            ACCOUNT_ID, "example-index", client=c, body=GetVectorsByIdRequest(ids=DOC_IDS)
        )
    assert response.status_code == 200
    check_doc_example(response.parsed)


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
def test_low_level_response_repr_gives_the_body_size_not_the_body() -> None:
    with client() as c:
        response = vectorize_get_vectors_by_id.sync_detailed(
            ACCOUNT_ID, "example-index", client=c, body=GetVectorsByIdRequest(ids=DOC_IDS)
        )
    text = repr(response)
    assert f"content=<{len(response.content):,} bytes>" in text
    assert response.content.decode() not in text
    assert "parsed=GetVectorsByIdResponse(" in text


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
@pytest.mark.asyncio
async def test_async_replays_documented_response() -> None:
    async with client() as c:
        answer = await vectorize_get_vectors_by_id.asyncio(
            ACCOUNT_ID, "example-index", client=c, body=GetVectorsByIdRequest(ids=DOC_IDS)
        )
    check_doc_example(answer)


@pytest.mark.vcr
@pytest.mark.default_cassette("index_not_found.yaml")
def test_sync_replays_failure_envelope() -> None:
    with client() as c:
        response = vectorize_get_vectors_by_id.sync_detailed(
            ACCOUNT_ID,
            "missing-index",
            client=c,
            body=GetVectorsByIdRequest(ids=["some-vector-id"]),
        )
    assert response.status_code == 404
    check_not_found(response.parsed)


@pytest.mark.vcr
@pytest.mark.default_cassette("index_not_found.yaml")
@pytest.mark.asyncio
async def test_async_replays_failure_envelope() -> None:
    async with client() as c:
        answer = await vectorize_get_vectors_by_id.asyncio(
            ACCOUNT_ID,
            "missing-index",
            client=c,
            body=GetVectorsByIdRequest(ids=["some-vector-id"]),
        )
    check_not_found(answer)


@pytest.mark.vcr
@pytest.mark.default_cassette("ok_doc_example.yaml")
def test_a_request_the_cassette_does_not_hold_is_not_sent() -> None:
    """Replay matches on the body: other ids find no recording and nothing reaches the network."""
    with client() as c, pytest.raises(CannotOverwriteExistingCassetteException):
        vectorize_get_vectors_by_id.sync(
            ACCOUNT_ID, "example-index", client=c, body=GetVectorsByIdRequest(ids=["other"])
        )
