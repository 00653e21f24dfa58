"""Shared fixtures: the one vcr configuration, and paths to the test data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.cassette_scrub import ACCOUNT_ID_PLACEHOLDER, vcr_options
from tests.clientkit import Runner

FIXTURES = Path(__file__).parent / "fixtures"
# The account id every cassette uses in its URLs, in place of a real one.
ACCOUNT_ID = ACCOUNT_ID_PLACEHOLDER


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Match requests on their JSON body too, and scrub as the recorder does.

    scripts/cassette_scrub.py drops credentials and cookies, rewrites the account id in
    URLs to ACCOUNT_ID_PLACEHOLDER and keeps only harmless response headers.
    """
    return vcr_options()


def response_cases() -> dict[str, dict[str, Any]]:
    """Return the real Cloudflare responses of tests/fixtures/responses.json by case name."""
    cases: list[dict[str, Any]] = json.loads((FIXTURES / "responses.json").read_text())
    return {case["name"]: case for case in cases}


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """Run each test through Vectorize and through AsyncVectorize."""
    return Runner(request.param)
