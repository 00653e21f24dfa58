"""Write cassettes transcribed from responses Cloudflare really gave.

Usage: python -m scripts.transcribe_cassettes

No machine of the project reaches Cloudflare, so the replay cassettes are built from
tests/fixtures/responses.json (each body with its status and source). Every cassette
starts with a comment naming that source. Re-run after editing CASSETTES or the fixtures;
a test fails when the committed cassettes differ from what this script writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from scripts._paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "responses.json"
CASSETTES_DIR = ROOT / "tests" / "cassettes"
# Cassettes never hold a real account id: requests use this placeholder.
ACCOUNT_ID = "ACCOUNT_ID_PLACEHOLDER"
BASE_URL = "https://api.cloudflare.com/client/v4"


@dataclass(frozen=True)
class Cassette:
    """One cassette: a request for some ids answered by a case of responses.json."""

    path: str  # relative to tests/cassettes
    case: str
    ids: tuple[str, ...]
    index: str = "example-index"


CASSETTES = (
    Cassette(
        "test_generated_client/ok_doc_example.yaml",
        "ok-doc-example",
        ("some-vector-id", "other-vector-id"),
    ),
    Cassette(
        "test_generated_client/index_not_found.yaml",
        "index-not-found",
        ("some-vector-id",),
        index="missing-index",
    ),
)


def load_cases() -> dict[str, dict[str, Any]]:
    """Return the cases of responses.json by name."""
    cases: list[dict[str, Any]] = json.loads(FIXTURES.read_text())
    return {case["name"]: case for case in cases}


def url(index: str) -> str:
    """Return the get_by_ids URL for index under the placeholder account."""
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/vectorize/v2/indexes/{index}/get_by_ids"


def render(cassette: Cassette, case: dict[str, Any]) -> str:
    """Return the YAML text of cassette, headed by the source of its response."""
    request = Request(
        method="POST",
        uri=url(cassette.index),
        body=json.dumps({"ids": list(cassette.ids)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    status = int(case["status"])
    headers = {"Content-Type": ["application/json"]}
    headers.update({name: [value] for name, value in case.get("headers", {}).items()})
    response = {
        "status": {"code": status, "message": HTTPStatus(status).phrase},
        "headers": headers,
        "body": {"string": json.dumps(case["body"])},
    }
    text: str = serialize({"requests": [request], "responses": [response]}, yamlserializer)
    source = (
        "# Transcribed by scripts/transcribe_cassettes.py from tests/fixtures/responses.json,\n"
        f"# case {case['name']!r}: {case['source']}\n"
    )
    return source + text


def main() -> None:
    """Write every cassette in CASSETTES."""
    cases = load_cases()
    for cassette in CASSETTES:
        target = CASSETTES_DIR / cassette.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(cassette, cases[cassette.case]))
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
