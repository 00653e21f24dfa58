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
FULL = FIXTURES / "cloudflare-openapi-2024-08-06.json.gz"
PATH = "/accounts/{account_id}/vectorize/v2/indexes/{index_name}/get_by_ids"


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


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = upstream_diff.main([str(path)])
    return status, capsys.readouterr().out


def test_official_fragment_differs_only_by_the_allow_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out = run(FRAGMENT, capsys)
    assert status == 0, out
    assert "No difference beyond the allow-list" in out
    # Every allow-list entry is needed: none is stale against the official fragment.
    assert "matched nothing" not in out


def test_full_document_gives_the_fragments_facts(capsys: pytest.CaptureFixture[str]) -> None:
    full = operation_facts(load_document(FULL))
    assert full == operation_facts(load_document(FRAGMENT))
    assert full["operation.path"] == PATH
    status, out = run(FULL, capsys)
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
    status, out = run(write(doc, tmp_path / f"upstream{suffix}"), capsys)
    assert status == 1
    assert expected in out


def test_upstream_adopting_our_status_is_not_a_difference(
    fragment: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(fragment)
    responses = doc["paths"][PATH]["post"]["responses"]
    responses["429"] = copy.deepcopy(responses["4XX"])
    status, out = run(write(doc, tmp_path / "upstream.yaml"), capsys)
    assert status == 0, out
    assert "response.429" not in out


def test_a_missing_operation_is_a_difference(
    fragment: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(fragment)
    doc["paths"][PATH]["post"]["operationId"] = "vectorize-get-vectors"
    status, out = run(write(doc, tmp_path / "upstream.yaml"), capsys)
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
