"""What users touch is plain Python: Vector and error items, their to_dict() and their reprs."""

from __future__ import annotations

import asyncio
import json
import typing
from pathlib import Path
from typing import Any

import httpx
import pytest

import cf_vectorize
from cf_vectorize import APIResponseValidationError, BadRequestError, Vector, VectorList
from cf_vectorize_api import models
from cf_vectorize_api.models import GetVectorsByIdResponse, ResponseInfo
from scripts._paths import GENERATED
from tests.clientkit import Runner, Server, envelope

DIMS = 1536
PLAIN = {"id": "plain", "values": [0.5, -1.25, 3]}
FULL = {
    "id": "full",
    "values": [0.125] * 4,
    "metadata": {"k": "v", "nested": {"n": [1, 2.5, None, True]}},
    "namespace": "ns-1",
}
NULL_NAMESPACE = {"id": "null-ns", "values": [1.0], "namespace": None}
UNKNOWN_KEY = {"id": "extra", "values": [1.0], "created_on": "2026-11-25"}


def answer_with(*records: dict[str, Any]) -> Server:
    return Server([lambda request, ids: httpx.Response(200, json=envelope(list(records)))])


def fetch(runner: Runner, *records: dict[str, Any]) -> VectorList:
    return runner.get(answer_with(*records), "my-index", [str(r["id"]) for r in records])


def test_optional_fields_are_none_and_metadata_a_real_dict(runner: Runner) -> None:
    plain, full = fetch(runner, PLAIN, FULL)
    # Checked by mypy --strict too: the types are plain, with no Unset to narrow away.
    namespace: str | None = plain.namespace
    metadata: dict[str, Any] | None = plain.metadata
    values: list[float] = plain.values
    assert (namespace, metadata, values) == (None, None, [0.5, -1.25, 3])
    assert full.namespace == "ns-1"
    assert type(full.metadata) is dict
    assert dict(full.metadata) == FULL["metadata"]
    assert full.metadata.get("k") == "v" and list(full.metadata.keys()) == ["k", "nested"]


def test_to_dict_is_exactly_the_json_object(runner: Runner) -> None:
    records = (PLAIN, FULL, NULL_NAMESPACE, UNKNOWN_KEY)
    vectors = fetch(runner, *records)
    assert [vector.to_dict() for vector in vectors] == list(records)
    assert "namespace" not in vectors[0].to_dict()  # absent keys are left out, not null
    assert vectors[2].namespace is None and vectors[2].to_dict()["namespace"] is None
    assert json.loads(json.dumps([vector.to_dict() for vector in vectors])) == list(records)


def test_metadata_that_is_not_an_object_is_an_invalid_response(runner: Runner) -> None:
    with pytest.raises(APIResponseValidationError, match="metadata must be a JSON object"):
        fetch(runner, {"id": "a", "values": [1.0], "metadata": [["k", "v"]]})


@pytest.mark.parametrize("namespace", [3, ["ns"], {"ns": 1}])
def test_namespace_that_is_not_a_string_is_an_invalid_response(
    runner: Runner, namespace: object
) -> None:
    with pytest.raises(APIResponseValidationError, match="namespace"):
        fetch(runner, {"id": "a", "values": [1.0], "namespace": namespace})


def test_error_items_have_none_for_what_was_not_sent(runner: Runner) -> None:
    body = {
        "success": False,
        "errors": [
            {"code": 6003, "message": "Invalid request headers", "error_chain": [
                {"code": 6111, "message": "Invalid format for Authorization header"}
            ]}
        ],
        "messages": [],
        "result": None,
    }  # fmt: skip
    server = Server([lambda request, ids: httpx.Response(400, json=body)])
    with pytest.raises(BadRequestError) as caught:
        runner.get(server, "my-index", ["a"], max_retries=0)
    (item,) = caught.value.errors
    assert (item.documentation_url, item.source) == (None, None)
    assert item.error_chain is not None
    (cause,) = item.error_chain
    assert (cause.code, cause.documentation_url, cause.source, cause.error_chain) == (
        6111,
        None,
        None,
        None,
    )
    assert item.to_dict() == body["errors"][0]  # type: ignore[index]
    assert repr(item) == (
        "ResponseInfo(code=6003, message='Invalid request headers', documentation_url=None, "
        "source=None, error_chain=[ResponseInfo(code=6111, message='Invalid format for "
        "Authorization header', documentation_url=None, source=None, error_chain=None)])"
    )


def test_no_unset_in_the_generated_models() -> None:
    for module in sorted((GENERATED / "cf_vectorize_api" / "models").glob("*.py")):
        assert "Unset" not in module.read_text(), module.name
    for name in models.__all__:
        model = getattr(models, name)
        if isinstance(model, type):
            hints = typing.get_type_hints(model, localns=vars(models))
            assert "Unset" not in repr(hints), name


def test_the_public_package_exports_the_models_users_meet() -> None:
    assert cf_vectorize.Vector is models.Vector
    assert cf_vectorize.ResponseInfo is ResponseInfo
    assert {"Vector", "ResponseInfo"} <= set(cf_vectorize.__all__)


def one_vector(vector_id: str = "v", dims: int = DIMS) -> Vector:
    return Vector(id=vector_id, values=[n / 8 for n in range(dims)])


def test_repr_of_a_long_vector_shows_its_ends_and_its_length() -> None:
    text = repr(one_vector())
    assert text == (
        "Vector(id='v', values=[0.0, 0.125, 0.25, ..., 191.625, 191.75, 191.875] (1536 items), "
        "metadata=None, namespace=None)"
    )


def test_repr_of_a_short_vector_is_whole() -> None:
    vector = Vector.from_dict(FULL)
    assert repr(vector) == (
        "Vector(id='full', values=[0.125, 0.125, 0.125, 0.125], "
        "metadata={'k': 'v', 'nested': {'n': [1, 2.5, None, True]}}, namespace='ns-1')"
    )
    assert "created_on" in repr(Vector.from_dict(UNKNOWN_KEY))  # unknown keys are shown too


def test_repr_shortens_large_metadata_long_strings_and_deep_nesting() -> None:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(50):
        deep = {"d": deep}
    metadata = {f"k{n}": "x" * 10_000 for n in range(100)} | {"deep": deep}
    text = repr(Vector(id="m", values=[], metadata=metadata))
    assert len(text) < 2_500
    assert "... (101 keys)" in text and "... (10000 characters)" in text
    chain: dict[str, Any] = {"code": 1000, "message": "root"}
    for depth in range(600):  # deeper than the interpreter's recursion limit allows repr to go
        chain = {"code": 1001 + depth, "message": "m", "error_chain": [chain]}
    assert "ResponseInfo(...)" in repr(ResponseInfo.from_dict(chain))


def test_repr_of_a_large_vector_list_shows_three_vectors_at_each_end() -> None:
    shared = [0.5] * DIMS  # one list for all: the test needs no 10,000 x 1536 floats
    vectors = VectorList(
        [Vector(id=f"v{n}", values=shared) for n in range(10_000)],
        [f"gone-{n}" for n in range(5_000)],
    )
    text = repr(vectors)
    assert len(text) < 1_500
    assert text.count("Vector(") == 6 and "(10000 vectors)" in text
    assert "id='v2'" in text and "id='v9997'" in text and "id='v3'" not in text
    assert "missing_ids=('gone-0', 'gone-1', 'gone-2', ..., 'gone-4997'" in text
    assert "(5000 ids)" in text


def test_repr_of_a_short_vector_list_is_whole() -> None:
    vectors = VectorList([Vector.from_dict(PLAIN)], ["gone"])
    assert repr(vectors) == (
        "VectorList([Vector(id='plain', values=[0.5, -1.25, 3], metadata=None, "
        "namespace=None)], missing_ids=('gone',))"
    )


def test_asyncio_run_reprs_a_returned_vector_list_briefly() -> None:
    """asyncio.run (3.11, 3.12) reprs main's result: that repr must be the short one."""
    shared = [0.5] * DIMS
    seen: list[str] = []

    class Recorded(VectorList):
        def __repr__(self) -> str:
            seen.append(super().__repr__())
            return seen[-1]

    async def main() -> VectorList:
        return Recorded([Vector(id=f"v{n}", values=shared) for n in range(2_000)])

    assert len(asyncio.run(main())) == 2_000
    assert all(len(text) < 1_500 for text in seen)


def test_the_generated_success_envelope_reads_20_full_vectors(tmp_path: Path) -> None:
    """from_dict keeps every value and key of a full answer (the fast path loses nothing)."""
    records = [
        {"id": f"v{n}", "values": [n / 3] * DIMS, "metadata": {"n": n}, "namespace": f"ns{n}"}
        for n in range(20)
    ]
    body = envelope(records)
    parsed = GetVectorsByIdResponse.from_dict(json.loads(json.dumps(body)))
    assert parsed.to_dict() == body
