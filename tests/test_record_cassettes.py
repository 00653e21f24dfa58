"""`make record` (scripts/record_cassettes.py): refuses without settings, scrubs what it records.

Recording is tested against the stand-in server on 127.0.0.1, with a real-looking token
and account id, into a temporary folder: never into tests/cassettes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cf_vectorize.server import Credentials, StandInServer
from scripts._paths import ROOT
from scripts.record_cassettes import (
    BY_NAME,
    ENV_OUT,
    INVALID_TOKEN,
    MISSING_IDS,
    SCENARIOS,
    main,
    replay,
)
from scripts.scan_cassettes import CASSETTES_DIR, scan

# Made up, shaped like the real things: a 40-character token, a 32-hex account id.
TOKEN = "Xk3vQ9mZ2pL7wR4tY8uB1nC6dF0gH5jK2sA9eW3q"
ACCOUNT = "9a7806061c88ada191ed06f989cc3dac"
EMAIL = "recorder@example.org"
KEY = "1234567890abcdef1234567890abcdef12345"  # 37 hex, like a Global API Key
IDS = "doc-001, doc-002,doc-003"
RECORD_VARIABLES = (
    "CLOUDFLARE_ACCOUNT_ID",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_BASE_URL",
    "CF_VECTORIZE_RECORD_INDEX",
    "CF_VECTORIZE_RECORD_IDS",
    ENV_OUT,
)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder with a hash of its content."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def clean_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in RECORD_VARIABLES}


# --- without settings -------------------------------------------------------------------


def test_make_record_without_settings_names_each_variable_and_changes_nothing() -> None:
    """The real Makefile target (its install step skipped), writing to its default folder."""
    before = snapshot(CASSETTES_DIR)
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        ["make", "-s", "-o", "install", "record", f"BIN={bin_dir}"],  # noqa: S607
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    for name in (
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_TOKEN",
        "CF_VECTORIZE_RECORD_INDEX",
        "CF_VECTORIZE_RECORD_IDS",
    ):
        assert name in done.stderr
    assert "no cassette was changed" in done.stderr
    assert snapshot(CASSETTES_DIR) == before


def test_the_script_exits_2_and_creates_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.record_cassettes", "--out", str(out)],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert not out.exists()


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"CLOUDFLARE_EMAIL": EMAIL}, "CLOUDFLARE_API_KEY"),
        ({"CLOUDFLARE_API_KEY": KEY}, "CLOUDFLARE_EMAIL"),
        (
            {"CLOUDFLARE_API_TOKEN": TOKEN, "CF_VECTORIZE_RECORD_IDS": " , "},
            "CF_VECTORIZE_RECORD_IDS",
        ),
    ],
)
def test_a_half_given_setting_is_named(
    given: dict[str, str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "CF_VECTORIZE_RECORD_INDEX": "sample",
        "CF_VECTORIZE_RECORD_IDS": IDS,
    } | given
    assert main(["--out", str(tmp_path / "out")], env) == 2
    err = capsys.readouterr().err
    missing_lines = [line for line in err.splitlines() if line.startswith("  ")]
    assert len(missing_lines) == 1 and missing_lines[0].startswith(f"  {named}:")
    assert TOKEN not in err and KEY not in err and ACCOUNT not in err
    assert not (tmp_path / "out").exists()


def test_more_than_20_ids_are_refused(tmp_path: Path) -> None:
    env = {
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CF_VECTORIZE_RECORD_INDEX": "sample",
        "CF_VECTORIZE_RECORD_IDS": ",".join(f"id-{n}" for n in range(21)),
    }
    assert main(["--out", str(tmp_path / "out")], env) == 2
    assert not (tmp_path / "out").exists()


# --- recording against the stand-in ---------------------------------------------------------


@pytest.fixture
def stand_in() -> Iterator[StandInServer]:
    credentials = Credentials(token=TOKEN, email=EMAIL, key=KEY)
    with StandInServer(credentials=credentials, account_id=ACCOUNT) as server:
        yield server


def record_env(server: StandInServer, **credential: str) -> dict[str, str]:
    return {
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "CLOUDFLARE_BASE_URL": server.base_url,
        "CF_VECTORIZE_RECORD_INDEX": "sample",
        "CF_VECTORIZE_RECORD_IDS": IDS,
        **credential,
    }


@pytest.mark.parametrize(
    "credential",
    [{"CLOUDFLARE_API_TOKEN": TOKEN}, {"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": KEY}],
    ids=["api-token", "global-api-key"],
)
def test_recorded_cassettes_hold_no_secret_and_replay_offline(
    credential: dict[str, str], stand_in: StandInServer, tmp_path: Path
) -> None:
    out = tmp_path / "live"
    before = snapshot(CASSETTES_DIR)
    assert main([], record_env(stand_in, **credential) | {ENV_OUT: str(out)}) == 0
    stand_in.stop()  # from here on nothing answers: replay must be offline
    assert snapshot(CASSETTES_DIR) == before

    files = sorted(out.iterdir())
    assert [path.stem for path in files] == sorted(scenario.name for scenario in SCENARIOS)
    for path in files:
        text = path.read_text()
        for secret in (TOKEN, ACCOUNT, EMAIL, KEY, INVALID_TOKEN):
            assert secret not in text
        for interaction in yaml.safe_load(text)["interactions"]:
            sent = {name.lower() for name in interaction["request"]["headers"]}
            assert sent.isdisjoint({"authorization", "x-auth-key", "x-auth-email", "cookie"})
            assert "content-type" in sent  # bodies keep matching as JSON
            assert "cf-ray" in {name.lower() for name in interaction["response"]["headers"]}
        assert "/accounts/ACCOUNT_ID_PLACEHOLDER/" in text
        assert text.startswith("# Recorded by scripts/record_cassettes.py from 127.0.0.1")
        scenario = BY_NAME[path.stem]
        assert scenario.check(replay(scenario, path)) is None
    assert scan([out], secrets=[TOKEN, ACCOUNT, EMAIL, KEY]) == []


def test_replayed_outcomes_are_what_the_stand_in_answered(
    stand_in: StandInServer, tmp_path: Path
) -> None:
    assert main(["--out", str(tmp_path)], record_env(stand_in, CLOUDFLARE_API_TOKEN=TOKEN)) == 0
    stand_in.stop()
    found = replay(BY_NAME["found_ids"], tmp_path / "found_ids.yaml")
    assert found.found == ("doc-001", "doc-002", "doc-003") and found.missing == ()
    missing = replay(BY_NAME["missing_ids"], tmp_path / "missing_ids.yaml")
    assert missing.found == ("doc-001",) and missing.missing == MISSING_IDS
    unknown = replay(BY_NAME["unknown_index"], tmp_path / "unknown_index.yaml")
    assert (unknown.error, unknown.status, unknown.codes) == ("NotFoundError", 404, (3000,))
    too_many = replay(BY_NAME["too_many_ids"], tmp_path / "too_many_ids.yaml")
    assert (too_many.status, too_many.codes) == (400, (40007,))
    bad_token = replay(BY_NAME["bad_token"], tmp_path / "bad_token.yaml")
    assert (bad_token.error, bad_token.codes) == ("AuthenticationError", (10000,))


def test_a_recording_that_fails_its_checks_is_not_kept(
    stand_in: StandInServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ids that are not in the index: found_ids fails its check, nothing is written."""
    env = record_env(stand_in, CLOUDFLARE_API_TOKEN=TOKEN)
    env["CF_VECTORIZE_RECORD_IDS"] = "not-in-the-index"
    out = tmp_path / "out"
    assert main(["--out", str(out)], env) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "found_ids" in err and TOKEN not in err and ACCOUNT not in err


# --- live cassettes committed by someone with an account -------------------------------------


def test_committed_live_cassettes_are_known_scenarios_that_replay() -> None:
    live = CASSETTES_DIR / "live"
    files = sorted(live.glob("*")) if live.exists() else []
    for path in files:
        assert path.suffix == ".yaml" and path.stem in BY_NAME, path.name
        scenario = BY_NAME[path.stem]
        assert scenario.check(replay(scenario, path)) is None, path.name
