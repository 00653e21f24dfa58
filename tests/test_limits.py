"""Cloudflare's limits are defined once (cf_vectorize._limits), equal to openapi.yaml's facts,
and the client and the stand-in both enforce that one definition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cf_vectorize import InvalidInputError
from cf_vectorize import _limits as limits
from cf_vectorize._validation import check_account_id, check_id, check_index_name
from cf_vectorize.server._store import check_index_name as stand_in_index_name_problem

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


@pytest.fixture(scope="module")
def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def test_limits_equal_the_spec(schemas: dict[str, Any]) -> None:
    assert schemas["AccountId"]["maxLength"] == limits.MAX_ACCOUNT_ID_LENGTH
    assert schemas["IndexName"]["maxLength"] == limits.MAX_INDEX_NAME_BYTES
    assert schemas["IndexName"]["pattern"] == limits.INDEX_NAME_PATTERN.pattern
    assert schemas["VectorIdentifier"]["maxLength"] == limits.MAX_ID_BYTES
    ids = schemas["GetVectorsByIdRequest"]["properties"]["ids"]
    assert ids["maxItems"] == limits.MAX_IDS_PER_REQUEST
    assert schemas["Vector"]["properties"]["namespace"]["maxLength"] == limits.MAX_NAMESPACE_BYTES


def test_page_sizes_equal_the_spec(spec: dict[str, Any]) -> None:
    (operation,) = [item["get"] for path, item in spec["paths"].items() if path.endswith("/list")]
    (count,) = [p["schema"] for p in operation["parameters"] if p.get("name") == "count"]
    assert (count["minimum"], count["maximum"]) == (1, limits.MAX_PAGE_SIZE)
    assert count["default"] == limits.API_DEFAULT_PAGE_SIZE


def test_the_public_constant_is_the_limit() -> None:
    import cf_vectorize  # noqa: PLC0415

    assert cf_vectorize.MAX_IDS_PER_REQUEST is limits.MAX_IDS_PER_REQUEST


@pytest.mark.parametrize("name", ["ab", "a-b_c9", "x" * limits.MAX_INDEX_NAME_BYTES])
def test_client_and_stand_in_accept_the_same_index_names(name: str) -> None:
    assert check_index_name(name) == name
    assert stand_in_index_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["a", "1ab", "ab-", "Ab", "ab\n", "a b", "x" * (limits.MAX_INDEX_NAME_BYTES + 1)],
)
def test_client_and_stand_in_refuse_the_same_index_names(name: str) -> None:
    with pytest.raises(InvalidInputError):
        check_index_name(name)
    assert stand_in_index_name_problem(name) is not None


def test_id_and_account_id_limits_are_enforced_at_the_edge() -> None:
    assert check_id("é" * (limits.MAX_ID_BYTES // 2), 0)
    with pytest.raises(InvalidInputError, match=f"at most {limits.MAX_ID_BYTES}"):
        check_id("é" * (limits.MAX_ID_BYTES // 2) + "x", 0)
    assert check_account_id("a" * limits.MAX_ACCOUNT_ID_LENGTH)
    with pytest.raises(InvalidInputError, match=f"at most {limits.MAX_ACCOUNT_ID_LENGTH}"):
        check_account_id("a" * (limits.MAX_ACCOUNT_ID_LENGTH + 1))
