"""The generated models keep the constructs the generator is known to drop silently."""

from __future__ import annotations

import datetime
import json
import typing
from typing import Any, Literal

import pytest

from cf_vectorize_api import models
from cf_vectorize_api.models import (
    ErrorResponse,
    GetVectorsByIdResponse,
    ListVectorsResponse,
    ListVectorsResult,
    ResponseInfo,
    Vector,
    VectorListItem,
)
from tests.conftest import FIXTURES, response_cases


def hints(cls: type) -> dict[str, Any]:
    # Models import each other under TYPE_CHECKING only: resolve names in the models package.
    return typing.get_type_hints(cls, localns=vars(models))


def test_success_is_the_constant_true() -> None:
    assert hints(GetVectorsByIdResponse)["success"] == Literal[True]
    body = dict(response_cases()["ok-doc-example"]["body"], success=False)
    with pytest.raises(ValueError, match="success must match const True"):
        GetVectorsByIdResponse.from_dict(body)


def test_failure_envelope_is_the_constant_false_with_null_result() -> None:
    assert hints(ErrorResponse)["success"] == Literal[False]
    assert hints(ErrorResponse)["result"] is type(None)
    body = dict(response_cases()["authentication-error"]["body"], success=True)
    with pytest.raises(ValueError, match="success must match const False"):
        ErrorResponse.from_dict(body)


@pytest.mark.parametrize("field", ["id", "values"])
def test_vector_required_fields_are_required(field: str) -> None:
    raw: dict[str, Any] = {"id": "a", "values": [0.5]}
    del raw[field]
    with pytest.raises(KeyError):
        Vector.from_dict(raw)


def test_vector_types() -> None:
    vector = hints(Vector)
    assert vector["id"] is str
    assert vector["values"] == list[float]
    assert vector["namespace"] == str | None
    assert vector["metadata"] == dict[str, Any] | None
    assert models.VectorMetadata == dict[str, Any]  # a free-form object: only an alias


def test_error_chain_is_typed_and_nested() -> None:
    raw = response_cases()["bad-authorization-header"]["body"]["errors"][0]
    item = ResponseInfo.from_dict(raw)
    assert (item.code, item.message) == (6003, "Invalid request headers")
    assert isinstance(item.error_chain, list)
    (cause,) = item.error_chain
    assert isinstance(cause, ResponseInfo)
    assert (cause.code, cause.message) == (6111, "Invalid format for Authorization header")
    assert item.to_dict() == raw


def test_documentation_url_and_source_pointer_are_read() -> None:
    raw = {
        "code": 10000,
        "message": "x",
        "documentation_url": "https://developers.cloudflare.com/",
        "source": {"pointer": "/ids/0"},
    }
    item = ResponseInfo.from_dict(raw)
    assert item.documentation_url == raw["documentation_url"]
    assert not isinstance(item.source, type(None))
    assert item.to_dict() == raw


# --- List Vectors ---------------------------------------------------------------------


def list_example(name: str) -> dict[str, Any]:
    cases = json.loads((FIXTURES / "list_vectors_examples.json").read_text())
    body: dict[str, Any] = next(case["body"] for case in cases if case["name"] == name)
    return body


def test_list_page_types() -> None:
    page = hints(ListVectorsResult)
    assert (page["count"], page["total_count"], page["is_truncated"]) == (int, int, bool)
    assert page["vectors"] == list[VectorListItem]
    assert page["next_cursor"] == str | None
    assert page["cursor_expiration_timestamp"] == datetime.datetime | None
    assert hints(VectorListItem)["id"] is str
    assert hints(ListVectorsResponse)["success"] == Literal[True]
    assert hints(ListVectorsResponse)["result"] is ListVectorsResult


def test_list_page_reads_nanosecond_timestamps_and_the_cursor() -> None:
    parsed = ListVectorsResponse.from_dict(list_example("api-reference-example"))
    page = parsed.result
    assert (page.count, page.total_count, page.is_truncated) == (100, 500, True)
    assert [item.id for item in page.vectors] == ["some-vector-id-023e105f4ecef8ad9ca31a8372d0c353"]
    assert page.next_cursor == "suUTaDY5PFUiRweVccnzyt9n75suNPbXHPshvCzue5mHjtj7Letjvzlza9eGj099"
    # Nine fractional digits: microseconds kept, the zone too.
    assert page.cursor_expiration_timestamp == datetime.datetime(
        2025, 8, 12, 20, 32, 52, 469144, tzinfo=datetime.UTC
    )


def test_the_last_page_has_null_or_no_cursor() -> None:
    last = ListVectorsResponse.from_dict(list_example("wrangler-mock-last-page")).result
    assert (last.next_cursor, last.cursor_expiration_timestamp, last.is_truncated) == (
        None,
        None,
        False,
    )
    bare_raw = list_example("last-page-without-cursor-keys")
    bare = ListVectorsResponse.from_dict(bare_raw).result
    assert (bare.next_cursor, bare.cursor_expiration_timestamp) == (None, None)
    # Null and absent read alike, and each is written back as it came.
    assert bare.to_dict() == bare_raw["result"]
    last_raw = list_example("wrangler-mock-last-page")["result"]
    assert ListVectorsResult.from_dict(last_raw).to_dict() == last_raw
    empty = ListVectorsResponse.from_dict(list_example("wrangler-mock-empty-index")).result
    assert (empty.count, empty.total_count, empty.vectors) == (0, 0, [])


@pytest.mark.parametrize("field", ["count", "totalCount", "isTruncated", "vectors"])
def test_list_page_required_fields_are_required(field: str) -> None:
    raw = dict(list_example("wrangler-mock-first-page")["result"])
    del raw[field]
    with pytest.raises(KeyError):
        ListVectorsResult.from_dict(raw)


def test_a_listed_item_needs_an_id() -> None:
    with pytest.raises(KeyError):
        VectorListItem.from_dict({"values": [0.5]})
