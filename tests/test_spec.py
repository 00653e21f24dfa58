"""openapi.yaml is valid OpenAPI and keeps every fact of Cloudflare's own descriptions.

Two operations, each compared with the fragment Cloudflare published for it:
get_by_ids (2024-08-06) and List Vectors (2026-07-27).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.conftest import FIXTURES, response_cases

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"
PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/get_by_ids"
LIST_PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/list"
# operationId -> (path, method, Cloudflare's fragment in tests/fixtures)
OPERATIONS = {
    "vectorize-get-vectors-by-id": (PATH, "post", "cloudflare-openapi-get-by-ids.yaml"),
    "vectorize-list-vectors": (LIST_PATH, "get", "cloudflare-openapi-list-vectors.yaml"),
}
GET_BY_IDS, LIST_VECTORS = OPERATIONS


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return load(SPEC_PATH)


@pytest.fixture(scope="module")
def theirs() -> dict[str, Any]:
    return load(FIXTURES / OPERATIONS[GET_BY_IDS][2])


@pytest.fixture(scope="module")
def theirs_list() -> dict[str, Any]:
    return load(FIXTURES / OPERATIONS[LIST_VECTORS][2])


@pytest.fixture(scope="module", params=list(OPERATIONS))
def pair(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Each operation: its id, our spec, and Cloudflare's fragment for it."""
    operation_id: str = request.param
    return operation_id, load(SPEC_PATH), load(FIXTURES / OPERATIONS[operation_id][2])


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local $refs and merge allOf parts, enough to read facts off a schema."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    if isinstance(node, dict) and "allOf" in node:
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        for raw_part in node["allOf"]:
            part = resolve(document, raw_part)
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged.update({k: v for k, v in part.items() if k != "properties"})
        return merged
    return node


def operation(document: dict[str, Any], operation_id: str = GET_BY_IDS) -> dict[str, Any]:
    path, method, _ = OPERATIONS[operation_id]
    op: dict[str, Any] = document["paths"][path][method]
    return op


def parameter(
    document: dict[str, Any], name: str, operation_id: str = GET_BY_IDS
) -> dict[str, Any]:
    found = [p for p in operation(document, operation_id)["parameters"] if p["name"] == name]
    assert len(found) == 1, name
    param = dict(found[0])
    param["schema"] = resolve(document, param["schema"])
    return param


def request_schema(document: dict[str, Any]) -> dict[str, Any]:
    body = operation(document)["requestBody"]["content"]["application/json"]["schema"]
    schema: dict[str, Any] = resolve(document, body)
    return schema


def result_item_schema(document: dict[str, Any]) -> dict[str, Any]:
    ok = operation(document)["responses"]["200"]["content"]["application/json"]["schema"]
    result = resolve(document, resolve(document, ok)["properties"]["result"])
    item: dict[str, Any] = resolve(document, result["items"])
    return item


def test_spec_is_valid_openapi(ours: dict[str, Any]) -> None:
    validate(ours)


def test_validator_rejects_a_broken_spec(ours: dict[str, Any]) -> None:
    broken = dict(ours, paths={PATH: {"post": {"responses": "not a mapping"}}})
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_our_paths_are_cloudflares(ours: dict[str, Any]) -> None:
    upstream_paths = [p for _, _, f in OPERATIONS.values() for p in load(FIXTURES / f)["paths"]]
    assert sorted(ours["paths"]) == sorted(upstream_paths) == sorted([PATH, LIST_PATH])


def test_operation_identity_matches_cloudflare(
    pair: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    operation_id, ours, theirs = pair
    path, method, _ = OPERATIONS[operation_id]
    assert list(ours["paths"][path]) == list(theirs["paths"][path]) == [method]
    assert operation(ours, operation_id)["operationId"] == operation_id
    for key in ("operationId", "summary", "tags", "x-cfPermissionsRequired"):
        assert operation(ours, operation_id)[key] == operation(theirs, operation_id)[key], key
    assert [s["url"] for s in ours["servers"]] == [s["url"] for s in theirs["servers"]]


@pytest.mark.parametrize("name", ["account_id", "index_name"])
def test_parameter_constraints_are_kept(
    pair: tuple[str, dict[str, Any], dict[str, Any]], name: str
) -> None:
    operation_id, ours, theirs = pair
    mine, upstream = parameter(ours, name, operation_id), parameter(theirs, name, operation_id)
    assert (mine["in"], mine["required"]) == (upstream["in"], upstream["required"])
    for key in ("type", "maxLength", "pattern"):
        if key in upstream["schema"]:
            assert mine["schema"][key] == upstream["schema"][key], key
    assert parameter(ours, "account_id", operation_id)["schema"]["maxLength"] == 32
    index_name = parameter(ours, "index_name", operation_id)["schema"]
    assert index_name["pattern"] == "^([a-z]+[a-z0-9_-]*[a-z0-9]+)$"


def test_security_schemes_match_cloudflare(
    pair: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    operation_id, ours, theirs = pair
    assert ours["components"]["securitySchemes"] == theirs["components"]["securitySchemes"]
    # Declared once at the top level, so generated functions accept either client.
    assert ours["security"] == operation(theirs, operation_id)["security"]
    assert "security" not in operation(ours, operation_id)


def test_request_fields_match_cloudflare(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    mine, upstream = request_schema(ours), request_schema(theirs)
    assert set(mine["properties"]) == set(upstream["properties"]) == {"ids"}
    my_item = resolve(ours, mine["properties"]["ids"]["items"])
    upstream_item = resolve(theirs, upstream["properties"]["ids"]["items"])
    assert my_item["maxLength"] == upstream_item["maxLength"] == 64
    # Our improvements: ids is required and carries the undocumented 20-id limit.
    assert mine["required"] == ["ids"]
    assert (mine["properties"]["ids"]["minItems"], mine["properties"]["ids"]["maxItems"]) == (1, 20)
    assert "readOnly" not in my_item


def test_result_fields_match_cloudflare(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    mine, upstream = result_item_schema(ours), result_item_schema(theirs)
    assert set(mine["properties"]) == set(upstream["properties"])
    assert resolve(ours, mine["properties"]["id"])["maxLength"] == 64
    assert "id" in mine["required"]


def test_error_items_keep_code_minimum(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    mine = resolve(ours, ours["components"]["schemas"]["ResponseInfo"])
    upstream = theirs["components"]["schemas"]["vectorize_messages"]["items"]
    assert mine["properties"]["code"]["minimum"] == upstream["properties"]["code"]["minimum"]
    assert set(upstream["required"]) <= set(mine["required"])
    assert {"documentation_url", "source", "error_chain"} <= set(mine["properties"])


def test_every_error_status_is_declared(ours: dict[str, Any]) -> None:
    declared = set(operation(ours)["responses"])
    assert declared == {"200", "400", "401", "403", "404", "429", "5XX"}


def test_list_vectors_has_get_by_ids_error_responses(ours: dict[str, Any]) -> None:
    """The same envelope and statuses: one error handling serves both operations."""
    errors = {k: v for k, v in operation(ours)["responses"].items() if k != "200"}
    list_errors = {
        k: v for k, v in operation(ours, LIST_VECTORS)["responses"].items() if k != "200"
    }
    assert list_errors == errors
    assert all("$ref" in response for response in list_errors.values())


def test_error_examples_are_real_responses(ours: dict[str, Any]) -> None:
    """Each example body of a failure response is one Cloudflare really sent."""
    real = [case["body"] for case in response_cases().values() if case["status"] >= 400]
    responses = ours["components"]["responses"]
    examples = []
    for response in responses.values():
        content = response["content"]["application/json"]
        examples += [e["value"] for e in content.get("examples", {}).values()]
        if "example" in content:
            examples.append(content["example"])
    assert examples
    for example in examples:
        assert example in real


# --- List Vectors ---------------------------------------------------------------------


def list_result_schema(document: dict[str, Any]) -> dict[str, Any]:
    ok = operation(document, LIST_VECTORS)["responses"]["200"]["content"]["application/json"]
    result: dict[str, Any] = resolve(
        document, resolve(document, ok["schema"])["properties"]["result"]
    )
    return result


def _nullable(schema: dict[str, Any]) -> bool:
    """3.0's ``nullable: true`` and 3.1's ``type: [x, 'null']`` mean the same."""
    kind = schema.get("type")
    return bool(schema.get("nullable")) or (isinstance(kind, list) and "null" in kind)


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        (kind,) = [k for k in kind if k != "null"]
    return str(kind)


@pytest.mark.parametrize("name", ["count", "cursor"])
def test_list_query_parameters_match_cloudflare(
    ours: dict[str, Any], theirs_list: dict[str, Any], name: str
) -> None:
    mine = parameter(ours, name, LIST_VECTORS)
    upstream = parameter(theirs_list, name, LIST_VECTORS)
    assert mine["in"] == upstream["in"] == "query"
    assert not mine.get("required") and not upstream.get("required")
    for key in ("type", "minimum", "maximum", "default"):
        assert mine["schema"].get(key) == upstream["schema"].get(key), key


def test_list_count_is_one_to_a_thousand_default_a_hundred(ours: dict[str, Any]) -> None:
    count = parameter(ours, "count", LIST_VECTORS)["schema"]
    assert (count["type"], count["minimum"], count["maximum"], count["default"]) == (
        "integer",
        1,
        1000,
        100,
    )
    # Our one addition: an empty cursor is no cursor (wrangler never sends one).
    assert parameter(ours, "cursor", LIST_VECTORS)["schema"]["minLength"] == 1
    assert {p["name"] for p in operation(ours, LIST_VECTORS)["parameters"]} == {
        "account_id",
        "index_name",
        "count",
        "cursor",
    }


def test_list_result_fields_match_cloudflare(
    ours: dict[str, Any], theirs_list: dict[str, Any]
) -> None:
    mine, upstream = list_result_schema(ours), list_result_schema(theirs_list)
    assert (
        set(mine["properties"])
        == set(upstream["properties"])
        == {
            "count",
            "totalCount",
            "isTruncated",
            "nextCursor",
            "cursorExpirationTimestamp",
            "vectors",
        }
    )
    assert sorted(mine["required"]) == sorted(upstream["required"])
    assert "nextCursor" not in mine["required"]
    assert "cursorExpirationTimestamp" not in mine["required"]
    for name in mine["properties"]:
        my_field = resolve(ours, mine["properties"][name])
        their_field = resolve(theirs_list, upstream["properties"][name])
        assert _type(my_field) == _type(their_field), name
        assert _nullable(my_field) == _nullable(their_field), name
        assert my_field.get("format") == their_field.get("format"), name
    my_item = resolve(ours, resolve(ours, mine["properties"]["vectors"])["items"])
    their_item = resolve(
        theirs_list, resolve(theirs_list, upstream["properties"]["vectors"])["items"]
    )
    assert set(my_item["properties"]) == set(their_item["properties"]) == {"id"}
    assert my_item["required"] == their_item["required"] == ["id"]
    assert resolve(ours, my_item["properties"]["id"])["maxLength"] == 64


def _list_validator(ours: dict[str, Any]) -> OAS31Validator:
    ok = operation(ours, LIST_VECTORS)["responses"]["200"]["content"]["application/json"]
    return OAS31Validator({**ok["schema"], "components": ours["components"]})


def list_examples() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((FIXTURES / "list_vectors_examples.json").read_text())
    return cases


@pytest.mark.parametrize("case", list_examples(), ids=lambda case: case["name"])
def test_documented_list_pages_fit_our_schema(ours: dict[str, Any], case: dict[str, Any]) -> None:
    _list_validator(ours).validate(case["body"])


def test_our_list_example_fits_our_schema(ours: dict[str, Any]) -> None:
    ok = operation(ours, LIST_VECTORS)["responses"]["200"]["content"]["application/json"]
    _list_validator(ours).validate(ok["example"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vectors": None}, "vectors"),
        ({"vectors": [{"values": [1.0]}]}, "id"),
        ({"vectors": [{"id": "x" * 65}]}, "id"),
        ({"nextCursor": 5}, "nextCursor"),
        ({"isTruncated": "false"}, "isTruncated"),
        ({"count": -1}, "count"),
        ({"cursorExpirationTimestamp": 1755030772}, "cursorExpirationTimestamp"),
    ],
)
def test_list_schema_rejects_broken_pages(
    ours: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    body = list_examples()[1]["body"]
    result = {k: v for k, v in {**body["result"], **change}.items() if v is not None}
    errors = list(_list_validator(ours).iter_errors({**body, "result": result}))
    assert errors
    assert any(field in error.message or field in error.path for error in errors)
