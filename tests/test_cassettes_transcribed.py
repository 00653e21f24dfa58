"""The committed cassettes are what scripts/transcribe_cassettes.py writes from the fixtures."""

from __future__ import annotations

import json

import pytest

from scripts.transcribe_cassettes import (
    CASSETTES,
    CASSETTES_DIR,
    FIXTURES_DIR,
    REPLAY_DIR,
    Cassette,
    load_cases,
    render,
)


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda c: c.path)
def test_cassette_matches_its_transcription(cassette: Cassette) -> None:
    committed = (CASSETTES_DIR / cassette.path).read_text()
    assert committed == render(cassette, load_cases())


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda c: c.path)
def test_cassette_names_the_source_of_each_response(cassette: Cassette) -> None:
    lines = (CASSETTES_DIR / cassette.path).read_text().splitlines()
    cases = load_cases()
    for number, exchange in enumerate(cassette.exchanges, 1):
        line = lines[number]
        assert line.startswith(f"# {number}. tests/fixtures/{cases[exchange.case].file}")
        assert cases[exchange.case].source in line


def test_every_real_response_has_a_replay_cassette() -> None:
    real = {case["name"] for case in json.loads((FIXTURES_DIR / "responses.json").read_text())}
    replayed = {
        exchange.case
        for cassette in CASSETTES
        if cassette.path.startswith(f"{REPLAY_DIR}/")
        for exchange in cassette.exchanges
    }
    assert real <= replayed


def test_constructed_responses_say_so_and_stay_out_of_the_real_ones() -> None:
    cases = load_cases()
    constructed = [case for case in cases.values() if case.file == "constructed_responses.json"]
    assert constructed
    assert all(case.source.startswith("constructed:") for case in constructed)
    real = [case for case in cases.values() if case.file == "responses.json"]
    assert not any("constructed" in case.source for case in real)


def test_every_cassette_file_is_transcribed_or_recorded() -> None:
    """No hand-written cassette: each file is in CASSETTES, or under live/ (the recorder's)."""
    known = {cassette.path for cassette in CASSETTES}
    for file in CASSETTES_DIR.rglob("*.yaml"):
        relative = file.relative_to(CASSETTES_DIR).as_posix()
        assert relative in known or relative.startswith("live/"), relative
