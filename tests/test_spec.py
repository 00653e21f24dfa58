"""openapi.yaml is valid OpenAPI and keeps every fact of Cloudflare's own description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.conftest import FIXTURES, response_cases

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"
PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/get_by_ids"


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return load(SPEC_PATH)


@pytest.fixture(scope="module")
def theirs() -> dict[str, Any]:
    return load(FIXTURES / "cloudflare-openapi-get-by-ids.yaml")


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


def operation(document: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = document["paths"][PATH]["post"]
    return op


def parameter(document: dict[str, Any], name: str) -> dict[str, Any]:
    found = [p for p in operation(document)["parameters"] if p["name"] == name]
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


def test_operation_identity_matches_cloudflare(
    ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    assert list(ours["paths"]) == list(theirs["paths"]) == [PATH]
    assert list(ours["paths"][PATH]) == list(theirs["paths"][PATH]) == ["post"]
    for key in ("operationId", "summary", "tags"):
        assert operation(ours)[key] == operation(theirs)[key], key
    assert [s["url"] for s in ours["servers"]] == [s["url"] for s in theirs["servers"]]


@pytest.mark.parametrize("name", ["account_id", "index_name"])
def test_parameter_constraints_are_kept(
    ours: dict[str, Any], theirs: dict[str, Any], name: str
) -> None:
    mine, upstream = parameter(ours, name), parameter(theirs, name)
    assert (mine["in"], mine["required"]) == (upstream["in"], upstream["required"])
    for key in ("type", "maxLength", "pattern"):
        if key in upstream["schema"]:
            assert mine["schema"][key] == upstream["schema"][key], key
    assert parameter(ours, "account_id")["schema"]["maxLength"] == 32
    assert parameter(ours, "index_name")["schema"]["pattern"] == "^([a-z]+[a-z0-9_-]*[a-z0-9]+)$"


def test_security_schemes_match_cloudflare(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours["components"]["securitySchemes"] == theirs["components"]["securitySchemes"]
    # Declared once at the top level, so generated functions accept either client.
    assert ours["security"] == operation(theirs)["security"]
    assert "security" not in operation(ours)


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
