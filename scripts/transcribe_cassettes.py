"""Write cassettes transcribed from responses Cloudflare really gave, and a few constructed ones.

Usage: python -m scripts.transcribe_cassettes

No machine of the project reaches Cloudflare, so the replay cassettes are built from
tests/fixtures/responses.json (real bodies, each with its status and source) and, for
shapes no public source shows (exponent notation, a 45-id batch), from
tests/fixtures/constructed_responses.json, whose sources say they are constructed.
Every cassette starts with a comment naming the source of each response. Re-run after
editing CASSETTES or the fixtures; a test fails when the committed cassettes differ from
what this script writes. Live recordings are made by scripts/record_cassettes.py.
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
from scripts.cassette_scrub import ACCOUNT_ID_PLACEHOLDER

FIXTURES_DIR = ROOT / "tests" / "fixtures"
# Real responses only; constructed ones live in a file of their own and say so.
FIXTURE_FILES = ("responses.json", "constructed_responses.json")
CASSETTES_DIR = ROOT / "tests" / "cassettes"
# Cassettes never hold a real account id: requests use this placeholder.
ACCOUNT_ID = ACCOUNT_ID_PLACEHOLDER
BASE_URL = "https://api.cloudflare.com/client/v4"
REPLAY_DIR = "test_cassette_replay"  # the cassettes of tests/test_cassette_replay.py


@dataclass(frozen=True)
class Exchange:
    """One request for some ids, answered by a case of the fixtures."""

    case: str
    ids: tuple[str, ...]
    index: str = "example-index"
    # Another status than the case's, when its source reports that one too.
    status: int | None = None


@dataclass(frozen=True)
class Cassette:
    """One cassette: its exchanges, played in order."""

    path: str  # relative to tests/cassettes
    exchanges: tuple[Exchange, ...]


@dataclass(frozen=True)
class Case:
    """A response of the fixtures: status, headers, body text, and where it comes from."""

    name: str
    file: str
    status: int
    source: str
    body_text: str
    headers: tuple[tuple[str, str], ...] = ()

    def body(self) -> Any:  # noqa: ANN401 (JSON)
        """Return the body, decoded."""
        return json.loads(self.body_text)


DOC_IDS = ("some-vector-id", "other-vector-id")
# 21 ids: one more than Cloudflare accepts in one call.
TOO_MANY_IDS = tuple(f"id-{n:02d}" for n in range(21))
BATCH_IDS = tuple(f"item-{n:02d}" for n in range(45))


def _one(path: str, case: str, ids: tuple[str, ...], **kwargs: Any) -> Cassette:  # noqa: ANN401
    return Cassette(path, (Exchange(case, ids, **kwargs),))


def _replay(name: str) -> str:
    return f"{REPLAY_DIR}/{name}.yaml"


CASSETTES = (
    _one("test_generated_client/ok_doc_example.yaml", "ok-doc-example", DOC_IDS),
    _one(
        "test_generated_client/index_not_found.yaml",
        "index-not-found",
        ("some-vector-id",),
        index="missing-index",
    ),
    # Every case of responses.json, for tests/test_cassette_replay.py.
    _one(_replay("ok_doc_example"), "ok-doc-example", DOC_IDS),
    _one(_replay("ok_nothing_found"), "ok-nothing-found", ("no-such-id-1", "no-such-id-2")),
    _one(_replay("bad_authorization_header"), "bad-authorization-header", DOC_IDS),
    _one(_replay("missing_authorization_header"), "missing-authorization-header", DOC_IDS),
    _one(_replay("authentication_error"), "authentication-error", DOC_IDS),
    _one(_replay("index_not_found"), "index-not-found", DOC_IDS, index="missing-index"),
    _one(
        _replay("index_not_found_400"),
        "index-not-found",
        DOC_IDS,
        index="missing-index",
        status=400,
    ),
    _one(_replay("too_many_ids"), "too-many-ids", TOO_MANY_IDS),
    Cassette(
        _replay("rate_limited_then_ok"),
        (Exchange("rate-limited", DOC_IDS), Exchange("ok-doc-example", DOC_IDS)),
    ),
    # Constructed: shapes no public source shows.
    _one(
        _replay("exponent_values"), "exponent-values", ("exp-small", "exp-namespaced", "exp-plain")
    ),
    _one(
        _replay("some_ids_missing"),
        "some-ids-missing",
        ("doc-1", "missing-1", "doc-2", "missing-2"),
    ),
    Cassette(
        _replay("batched_45_ids"),
        tuple(
            Exchange(f"batch-{n + 1}-of-3", BATCH_IDS[start : start + 20])
            for n, start in enumerate(range(0, 45, 20))
        ),
    ),
)


def load_cases() -> dict[str, Case]:
    """Return the cases of every fixture file by name (names are unique across files)."""
    cases: dict[str, Case] = {}
    for file in FIXTURE_FILES:
        for raw in json.loads((FIXTURES_DIR / file).read_text()):
            if raw["name"] in cases:
                raise ValueError(f"case {raw['name']!r} is in two fixture files")
            # A constructed body may be kept as text, to keep notations json.dumps rewrites.
            text = raw["body_text"] if "body_text" in raw else json.dumps(raw["body"])
            cases[raw["name"]] = Case(
                name=raw["name"],
                file=file,
                status=int(raw["status"]),
                source=raw["source"],
                body_text=text,
                headers=tuple(raw.get("headers", {}).items()),
            )
    return cases


def url(index: str) -> str:
    """Return the get_by_ids URL for index under the placeholder account."""
    return f"{BASE_URL}/accounts/{ACCOUNT_ID}/vectorize/v2/indexes/{index}/get_by_ids"


def status_of(exchange: Exchange, case: Case) -> int:
    """Return the status the exchange answers with."""
    return case.status if exchange.status is None else exchange.status


def _interaction(exchange: Exchange, case: Case) -> tuple[Request, dict[str, Any]]:
    request = Request(
        method="POST",
        uri=url(exchange.index),
        body=json.dumps({"ids": list(exchange.ids)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    status = status_of(exchange, case)
    headers = {"Content-Type": ["application/json"]}
    headers.update({name: [value] for name, value in case.headers})
    response = {
        "status": {"code": status, "message": HTTPStatus(status).phrase},
        "headers": headers,
        "body": {"string": case.body_text},
    }
    return request, response


def source_lines(cassette: Cassette, cases: dict[str, Case]) -> list[str]:
    """Return the comment lines naming the source of each response of cassette."""
    lines = ["# Transcribed by scripts/transcribe_cassettes.py. Source of each response:"]
    for number, exchange in enumerate(cassette.exchanges, 1):
        case = cases[exchange.case]
        status = "" if exchange.status is None else f" (sent with HTTP {exchange.status})"
        lines.append(
            f"# {number}. tests/fixtures/{case.file}, case {case.name!r}{status}: {case.source}"
        )
    return lines


def render(cassette: Cassette, cases: dict[str, Case]) -> str:
    """Return the YAML text of cassette, headed by the source of each response."""
    pairs = [_interaction(exchange, cases[exchange.case]) for exchange in cassette.exchanges]
    text: str = serialize(
        {"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs]}, yamlserializer
    )
    return "\n".join(source_lines(cassette, cases)) + "\n" + text


def main() -> None:
    """Write every cassette in CASSETTES."""
    cases = load_cases()
    for cassette in CASSETTES:
        target = CASSETTES_DIR / cassette.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(cassette, cases))
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
