"""`scripts.upstream_diff`: Cloudflare's description against ours, on copies and mutations."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import upstream_diff
from scripts._paths import SPEC
from scripts._spec_facts import load_document, operation_facts

FIXTURES = Path(__file__).parent / "fixtures"
FRAGMENT = FIXTURES / "cloudflare-openapi-get-by-ids.yaml"
LIST_FRAGMENT = FIXTURES / "cloudflare-openapi-list-vectors.yaml"
FULL = FIXTURES / "cloudflare-openapi-2024-08-06.json.gz"
PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/get_by_ids"
LIST_PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/list"
GET_BY_IDS = "vectorize-get-vectors-by-id"
LIST_VECTORS = "vectorize-list-vectors"


@pytest.fixture(scope="module")
def fragment() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FRAGMENT.read_text())
    return data


def write(doc: dict[str, Any], path: Path) -> Path:
    """Write ``doc`` as YAML, JSON or gzipped JSON, after the suffix of ``path``."""
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    elif path.suffix == ".json":
        path.write_text(json.dumps(doc))
    else:
        path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture(scope="module")
def list_fragment() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(LIST_FRAGMENT.read_text())
    return data


def both_operations(fragment: dict[str, Any], list_fragment: dict[str, Any]) -> dict[str, Any]:
    """One document holding both fragments, as Cloudflare's whole document does."""
    doc = copy.deepcopy(fragment)
    doc["paths"].update(copy.deepcopy(list_fragment["paths"]))
    schemas = doc["components"]["schemas"]
    for name, schema in list_fragment["components"]["schemas"].items():
        # The two cuts agree on every component they share.
        assert schemas.setdefault(name, schema) == schema, name
    return doc


def run(path: Path, capsys: pytest.CaptureFixture[str], *operations: str) -> tuple[int, str]:
    status = upstream_diff.main([str(path), *(f"--operation={op}" for op in operations)])
    return status, capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "operation_id"), [(FRAGMENT, GET_BY_IDS), (LIST_FRAGMENT, LIST_VECTORS)]
)
def test_official_fragment_differs_only_by_the_allow_list(
    path: Path, operation_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(path, capsys, operation_id)
    assert status == 0, out
    assert f"{operation_id}:\n  No difference beyond the allow-list" in out
    # Every allow-list entry meant for this operation is needed: none is stale.
    assert "matched nothing" not in out


def test_a_document_with_both_operations_compares_both(
    fragment: dict[str, Any],
    list_fragment: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run(
        write(both_operations(fragment, list_fragment), tmp_path / "all.json"), capsys
    )
    assert status == 0, out
    assert out.count("No difference beyond the allow-list") == 2
    assert "matched nothing" not in out


def test_an_operation_of_ours_missing_upstream_is_a_difference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Cloudflare's 2024 document predates List Vectors: by default both are compared."""
    status, out = run(FULL, capsys)
    assert status == 1
    assert "missing upstream: no operation with operationId 'vectorize-list-vectors'" in out
    assert f"{GET_BY_IDS}:\n  No difference beyond the allow-list" in out


def test_full_document_gives_the_fragments_facts(capsys: pytest.CaptureFixture[str]) -> None:
    full = operation_facts(load_document(FULL))
    assert full == operation_facts(load_document(FRAGMENT))
    assert full["operation.path"] == PATH
    status, out = run(FULL, capsys, GET_BY_IDS)
    assert status == 0, out


def _new_request_field(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    schemas["vectorize_index-get-vectors-by-id-request"]["properties"]["filter"] = {
        "type": "string"
    }


def _longer_ids(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["vectorize_vector-identifier"]["maxLength"] = 128


def _no_api_key_scheme(doc: dict[str, Any]) -> None:
    del doc["components"]["securitySchemes"]["api_key"]


def _new_status(doc: dict[str, Any]) -> None:
    responses = doc["paths"][PATH]["post"]["responses"]
    responses["409"] = copy.deepcopy(responses["4XX"])


def _stricter_pattern(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["vectorize_index-name"]["pattern"] = "^[a-z]+$"


def _new_vector_field(doc: dict[str, Any]) -> None:
    response = doc["components"]["schemas"]["vectorize_index-get-vectors-by-id-response"]
    response["items"]["properties"]["score"] = {"type": "number"}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_new_request_field, 'added    request.filter.type: upstream "string", ours (absent)'),
        # Allowed facts nearby (minItems, minLength) do not hide a changed limit.
        (_longer_ids, "changed  request.ids.items.maxLength: upstream 128, ours 64"),
        (_longer_ids, "changed  response.200.result.items.id.maxLength: upstream 128, ours 64"),
        (_no_api_key_scheme, 'changed  security.api_key.type: upstream "undefined", ours "apiKey"'),
        (
            _no_api_key_scheme,
            'removed  security.api_key.name: upstream (absent), ours "X-Auth-Key"',
        ),
        (_new_status, 'added    response.409: upstream ["application/json"], ours (absent)'),
        (_stricter_pattern, 'changed  param.path.index_name.pattern: upstream "^[a-z]+$"'),
        (_new_vector_field, "added    response.200.result.items.score.type"),
    ],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".json.gz"])
def test_each_upstream_change_is_reported(
    fragment: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    expected: str,
    suffix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = copy.deepcopy(fragment)
    mutate(doc)
    status, out = run(write(doc, tmp_path / f"upstream{suffix}"), capsys, GET_BY_IDS)
    assert status == 1
    assert expected in out


def _list_param(doc: dict[str, Any], name: str) -> dict[str, Any]:
    params: list[dict[str, Any]] = doc["paths"][LIST_PATH]["get"]["parameters"]
    (param,) = [p for p in params if p["name"] == name]
    return param


def _bigger_pages(doc: dict[str, Any]) -> None:
    _list_param(doc, "count")["schema"]["maximum"] = 5000


def _smaller_default(doc: dict[str, Any]) -> None:
    _list_param(doc, "count")["schema"]["default"] = 50


def _namespace_filter(doc: dict[str, Any]) -> None:
    doc["paths"][LIST_PATH]["get"]["parameters"].append(
        {"in": "query", "name": "namespace", "schema": {"type": "string"}}
    )


def _cursor_always_set(doc: dict[str, Any]) -> None:
    page = doc["components"]["schemas"]["vectorize_index-list-vectors-response"]
    del page["properties"]["nextCursor"]["nullable"]
    page["required"].append("nextCursor")


def _values_listed(doc: dict[str, Any]) -> None:
    item = doc["components"]["schemas"]["vectorize_vector-list-item"]
    item["properties"]["values"] = {"type": "array", "items": {"type": "number"}}


def _count_as_string(doc: dict[str, Any]) -> None:
    page = doc["components"]["schemas"]["vectorize_index-list-vectors-response"]
    page["properties"]["count"]["type"] = "string"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_bigger_pages, "changed  param.query.count.maximum: upstream 5000, ours 1000"),
        (_smaller_default, "changed  param.query.count.default: upstream 50, ours 100"),
        (_namespace_filter, "added    param.query.namespace.required: upstream false"),
        (_cursor_always_set, "removed  response.200.result.nextCursor.nullable"),
        (_cursor_always_set, "added    response.200.result.nextCursor.required: upstream true"),
        (_values_listed, "added    response.200.result.vectors.items.values.type"),
        # An allowed fact of the same field (minimum) does not hide a changed type.
        (_count_as_string, 'changed  response.200.result.count.type: upstream "string"'),
    ],
)
def test_each_upstream_list_change_is_reported(
    list_fragment: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = copy.deepcopy(list_fragment)
    mutate(doc)
    status, out = run(write(doc, tmp_path / "upstream.yaml"), capsys, LIST_VECTORS)
    assert status == 1
    assert expected in out


def test_upstream_adopting_our_status_is_not_a_difference(
    fragment: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(fragment)
    responses = doc["paths"][PATH]["post"]["responses"]
    responses["429"] = copy.deepcopy(responses["4XX"])
    status, out = run(write(doc, tmp_path / "upstream.yaml"), capsys, GET_BY_IDS)
    assert status == 0, out
    assert "response.429" not in out


def test_a_missing_operation_is_a_difference(
    fragment: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(fragment)
    doc["paths"][PATH]["post"]["operationId"] = "vectorize-get-vectors"
    status, out = run(write(doc, tmp_path / "upstream.yaml"), capsys, GET_BY_IDS)
    assert status == 1
    assert "no operation with operationId 'vectorize-get-vectors-by-id'" in out


def test_an_unreadable_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("just: text\n")
    assert upstream_diff.main([str(tmp_path / "missing.json")]) == 2
    assert upstream_diff.main([str(tmp_path / "notes.txt")]) == 2
    assert "not an OpenAPI document" in capsys.readouterr().err


def test_openapi_30_and_31_spellings_give_the_same_facts(
    fragment: dict[str, Any], tmp_path: Path
) -> None:
    """`nullable`/`type: [x, 'null']`, `enum: [true]`/`const`, boolean/numeric exclusiveMinimum."""
    old = copy.deepcopy(fragment)
    new = copy.deepcopy(fragment)
    new["openapi"] = "3.1.0"
    items = new["components"]["schemas"]["vectorize_index-get-vectors-by-id-response"]["items"]
    items["properties"]["namespace"] = {"type": ["string", "null"]}
    common = new["components"]["schemas"]["vectorize_api-response-common"]["properties"]
    common["success"] = {"const": True}
    code_30 = {"type": "integer", "minimum": 999, "exclusiveMinimum": True}
    old["components"]["schemas"]["vectorize_messages"]["items"]["properties"]["code"] = code_30
    code_31 = {"type": "integer", "exclusiveMinimum": 999}
    new["components"]["schemas"]["vectorize_messages"]["items"]["properties"]["code"] = code_31
    facts_30 = operation_facts(load_document(write(old, tmp_path / "30.yaml")))
    facts_31 = operation_facts(load_document(write(new, tmp_path / "31.yaml")))
    assert facts_30 == facts_31
    assert facts_31["response.200.result.items.namespace.nullable"] is True
    assert facts_31["response.200.success.enum"] == [True]
    assert facts_31["response.200.errors.items.code.exclusiveMinimum"] == 999


def test_allow_list_entries_need_their_exact_values() -> None:
    allowances = upstream_diff.load_allowlist(upstream_diff.ALLOWLIST)
    ours = operation_facts(load_document(SPEC))
    min_items = upstream_diff.Difference("request.ids.minItems", upstream_diff.ABSENT, 1)
    assert any(a.allows(min_items) for a in allowances)
    # The same fact with a value upstream, or another value of ours, is not allowed.
    assert not any(
        a.allows(upstream_diff.Difference("request.ids.minItems", 2, 1)) for a in allowances
    )
    assert not any(
        a.allows(upstream_diff.Difference("request.ids.minItems", upstream_diff.ABSENT, 3))
        for a in allowances
    )
    # `true` and `1` are different values.
    assert not any(
        a.allows(upstream_diff.Difference("request.ids.minItems", upstream_diff.ABSENT, True))
        for a in allowances
    )
    assert ours["request.ids.minItems"] == 1
    assert all(a.reason for a in allowances)


def test_an_entry_for_one_operation_does_not_allow_the_other() -> None:
    allowances = upstream_diff.load_allowlist(upstream_diff.ALLOWLIST)
    min_items = upstream_diff.Difference("request.ids.minItems", upstream_diff.ABSENT, 1)
    assert any(a.allows(min_items, GET_BY_IDS) for a in allowances)
    assert not any(a.allows(min_items, LIST_VECTORS) for a in allowances)
    cursor = upstream_diff.Difference("param.query.cursor.minLength", upstream_diff.ABSENT, 1)
    assert any(a.allows(cursor, LIST_VECTORS) for a in allowances)
    assert not any(a.allows(cursor, GET_BY_IDS) for a in allowances)
    # Entries without `operation` are shared: the 4XX split holds for both.
    four_xx = upstream_diff.Difference("response.4XX", ["application/json"], upstream_diff.ABSENT)
    assert all(any(a.allows(four_xx, op) for a in allowances) for op in (GET_BY_IDS, LIST_VECTORS))
    ours = operation_facts(load_document(SPEC), LIST_VECTORS)
    assert ours["param.query.cursor.minLength"] == 1
    assert ours["param.query.count.maximum"] == 1000
