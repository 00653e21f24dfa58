"""Shared fixtures: the one vcr configuration, and paths to the test data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.clientkit import Runner

FIXTURES = Path(__file__).parent / "fixtures"
# The account id every cassette uses in its URLs, in place of a real one.
ACCOUNT_ID = "ACCOUNT_ID_PLACEHOLDER"


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Match requests on their JSON body too, and keep credentials out of cassettes."""
    return {
        "filter_headers": ["authorization", "x-auth-key", "x-auth-email", "cookie"],
        "match_on": ["method", "scheme", "host", "port", "path", "query", "body"],
        "decode_compressed_response": True,
    }


def response_cases() -> dict[str, dict[str, Any]]:
    """Return the real Cloudflare responses of tests/fixtures/responses.json by case name."""
    cases: list[dict[str, Any]] = json.loads((FIXTURES / "responses.json").read_text())
    return {case["name"]: case for case in cases}


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """Run each test through Vectorize and through AsyncVectorize."""
    return Runner(request.param)
