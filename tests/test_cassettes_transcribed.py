"""The committed cassettes are what scripts/transcribe_cassettes.py writes from the fixtures."""

from __future__ import annotations

import pytest

from scripts.transcribe_cassettes import CASSETTES, CASSETTES_DIR, Cassette, load_cases, render


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda c: c.path)
def test_cassette_matches_its_transcription(cassette: Cassette) -> None:
    committed = (CASSETTES_DIR / cassette.path).read_text()
    assert committed == render(cassette, load_cases()[cassette.case])


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda c: c.path)
def test_cassette_names_its_source(cassette: Cassette) -> None:
    first_lines = (CASSETTES_DIR / cassette.path).read_text().splitlines()[:2]
    assert load_cases()[cassette.case]["source"] in first_lines[1]
