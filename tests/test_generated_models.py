"""The generated models keep the constructs the generator is known to drop silently."""

from __future__ import annotations

import typing
from typing import Any, Literal

import pytest

from cf_vectorize_api import models
from cf_vectorize_api.models import (
    ErrorResponse,
    GetVectorsByIdResponse,
    ResponseInfo,
    Vector,
)
from tests.conftest import response_cases


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
