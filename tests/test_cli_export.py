"""`cf-vectorize export` against the stand-in on 127.0.0.1: whole, interrupted, refused."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cf_vectorize import ApiToken, Vectorize
from cf_vectorize._export import export_index
from cf_vectorize._export_state import STATE_SUFFIX
from cf_vectorize.cli import main
from cf_vectorize.cli._export import ExportExitCode as ExitCode
from cf_vectorize.cli._export import _fetcher, _page_lister, _refused
from cf_vectorize.server import Credentials, StandInServer, Store, load_index, parse_index_lines

TOKEN = "export-test-token-0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
INDEX = "docs"
SIZE = 12_000
SMALL = "small"  # for what does not need the full size: refusals, SIGTERM, SIGKILL
SMALL_SIZE = 2_500
WAIT = 120  # seconds; a bound on subprocess runs, never an expected duration
MODULE = [sys.executable, "-m", "cf_vectorize"]


def _records(count: int) -> dict[str, dict[str, Any]]:
    """Vectors with awkward values, metadata on some, a namespace on others, odd ids."""
    rng = random.Random(15)  # noqa: S311 (test data, not a secret)
    records: dict[str, dict[str, Any]] = {}
    for n in range(count):
        vector_id = f"doc-{n:05d}" if n % 97 else f'doc-{n:05d}-é "quoted" \u2028'
        record: dict[str, Any] = {
            "id": vector_id,
            "values": [rng.uniform(-1, 1) for _ in range(7)] + [1e-300, -0.0, 3],
        }
        if n % 2:
            record["metadata"] = {"n": n, "tags": ["a", "b"], "nested": {"x": None}}
        if n % 5 == 0:
            record["namespace"] = f"ns-{n % 3}"
        records[vector_id] = record
    return records


RECORDS = _records(SIZE)
SMALL_RECORDS = dict(list(RECORDS.items())[:SMALL_SIZE])


def _routes(server: StandInServer) -> Counter[str | None]:
    """The stand-in's requests so far, counted by route (list_vectors, get_by_ids)."""
    return Counter(request.route for request in server.requests)


@pytest.fixture(scope="module")
def data_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("export-data")
    paths = {}
    for name, records in ((INDEX, RECORDS), (SMALL, SMALL_RECORDS)):
        paths[name] = folder / f"{name}.ndjson"
        with paths[name].open("w", encoding="utf-8") as file:
            for record in records.values():
                file.write(json.dumps(record) + "\n")
    return paths


@pytest.fixture
def server(data_files: dict[str, Path]) -> Iterator[StandInServer]:
    store = Store({name: load_index(name, path) for name, path in data_files.items()})
    with StandInServer(
        store, credentials=Credentials(token=TOKEN), record_requests=True
    ) as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, server: StandInServer) -> dict[str, str]:
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", server.base_url)
    return {
        **os.environ,
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "CLOUDFLARE_BASE_URL": server.base_url,
    }


def _argv(out: Path, *extra: str, index: str = INDEX) -> list[str]:
    return ["export", index, "--out", str(out), "--no-pacing", "--progress", "never", *extra]


def _check_exactly_once(out: Path, expected: dict[str, dict[str, Any]]) -> None:
    """Every vector once, exactly as stored; parsed by the stand-in's own loader too."""
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)), "an id was written twice"
    assert {json.loads(line)["id"]: json.loads(line) for line in lines} == expected
    index = parse_index_lines("reloaded", str(out), lines)  # what serve --index would load
    assert len(index.vectors) == len(expected)


def test_export_writes_every_vector_exactly_as_stored(
    env: dict[str, str],
    tmp_path: Path,
    server: StandInServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "docs.ndjson"
    assert main(_argv(out)) == ExitCode.OK
    _check_exactly_once(out, RECORDS)
    # 12 list pages of 1000 ids and 600 get_by_ids of 20, all answered 200.
    assert _routes(server) == {"list_vectors": 12, "get_by_ids": 600}
    assert {request.status for request in server.requests} == {200}
    assert f"{SIZE:,} vectors of docs" in capsys.readouterr().err
    assert (tmp_path / f"docs.ndjson{STATE_SUFFIX}").exists()
    # Again: already complete, nothing sent.
    assert main(_argv(out)) == ExitCode.OK
    assert len(server.requests) == 612
    assert "already holds the complete export" in capsys.readouterr().err


def _run_until(
    out: Path, env: dict[str, str], lines: int, how: signal.Signals, index: str = INDEX
) -> int:
    """Start an export in a subprocess; send ``how`` once ``lines`` lines are written."""
    process = subprocess.Popen(
        [*MODULE, *_argv(out, "--max-concurrency", "1", index=index)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + WAIT
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= lines:
                process.send_signal(how)
                break
            time.sleep(0.002)
        _, stderr = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode is not None
    if how != signal.SIGKILL:
        assert "run the same command again to resume" in stderr, stderr
    return process.returncode


def _resume(out: Path, env: dict[str, str], index: str = INDEX) -> str:
    done = subprocess.run(
        [*MODULE, *_argv(out, index=index)],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    return done.stderr


def test_export_interrupted_by_sigint_resumes_with_every_vector_once(
    env: dict[str, str], tmp_path: Path, server: StandInServer
) -> None:
    out = tmp_path / "docs.ndjson"
    assert _run_until(out, env, 4_500, signal.SIGINT) == ExitCode.INTERRUPTED
    before = out.read_bytes()
    written = before.count(b"\n")
    assert before.endswith(b"\n")
    assert 4_500 <= written < SIZE
    first_run = len(server.requests)
    assert "resumed and finished" in _resume(out, env)
    assert out.read_bytes().startswith(before), "a line written before the interrupt changed"
    _check_exactly_once(out, RECORDS)
    # Uninterrupted: 12 list pages and 600 get_by_ids (612). The stop costs the listing of
    # the page in progress again and at most the chunk that was in flight.
    sent = len(server.requests)
    assert sent <= 612 * 1.15
    assert sent <= 612 + 2
    resumed = sent - first_run
    assert resumed <= -(-(SIZE - written) // 20) + (SIZE - written) // 1000 + 2


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_export_stopped_by_sigterm_or_killed_resumes_with_every_vector_once(
    env: dict[str, str], tmp_path: Path, how: signal.Signals
) -> None:
    out = tmp_path / "small.ndjson"
    code = _run_until(out, env, 1_200, how, index=SMALL)
    assert code == (ExitCode.INTERRUPTED if how == signal.SIGTERM else -signal.SIGKILL)
    state = json.loads((tmp_path / f"small.ndjson{STATE_SUFFIX}").read_text())
    committed = out.read_bytes()[: state["bytes"]]
    if how == signal.SIGTERM:  # checkpointed on the way out: nothing past the state
        assert len(committed) == out.stat().st_size
    _resume(out, env, index=SMALL)
    assert out.read_bytes().startswith(committed)
    _check_exactly_once(out, SMALL_RECORDS)


def test_cursor_expired_mid_export_lists_again_without_repeats(
    server: StandInServer, tmp_path: Path
) -> None:
    out = tmp_path / "docs.ndjson"
    notices: list[str] = []
    expired: list[int] = []

    def expire_once(progress: Any) -> None:
        if progress.written >= 5_500 and not expired:
            server.expire_cursors()
            expired.append(progress.written)

    with Vectorize(
        account_id=ACCOUNT, auth=ApiToken(TOKEN), base_url=server.base_url, pacing=None
    ) as client:
        result = export_index(
            INDEX,
            out,
            account_id=ACCOUNT,
            list_page=_page_lister(client),
            fetch=_fetcher(client),
            cursor_refused=_refused,
            on_progress=expire_once,
            on_notice=notices.append,
        )
    assert expired
    assert result.new_listings == 1
    refused = [r for r in server.requests if r.route == "list_vectors" and r.status != 200]
    assert [r.status for r in refused] == [400]
    assert any("listing the index again" in notice for notice in notices)
    _check_exactly_once(out, RECORDS)


def test_state_of_another_index_is_refused_with_exit_2(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "small.ndjson"
    state_file = tmp_path / f"small.ndjson{STATE_SUFFIX}"
    assert main(_argv(out, index=SMALL)) == ExitCode.OK
    state = json.loads(state_file.read_text())
    state["index"] = "other"
    state_file.write_text(json.dumps(state))
    before = out.read_bytes()
    capsys.readouterr()
    assert main(_argv(out, index=SMALL)) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "belongs to an export of index 'other'" in err
    assert "Traceback" not in err
    assert out.read_bytes() == before
    assert main(_argv(out, "--restart", index=SMALL)) == ExitCode.OK
    _check_exactly_once(out, SMALL_RECORDS)


def test_changed_output_is_refused_with_exit_2(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "small.ndjson"
    assert main(_argv(out, index=SMALL)) == ExitCode.OK
    with out.open("ab") as file:
        file.write(b'{"id": "extra", "values": [1]}\n')
    capsys.readouterr()
    assert main(_argv(out, index=SMALL)) == ExitCode.USAGE
    assert "was changed since the export stopped" in capsys.readouterr().err


def test_unknown_index_and_bad_credentials_map_to_the_exit_table(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "nope.ndjson"
    assert main(["export", "nope", "--out", str(out), "--no-pacing"]) == ExitCode.API_ERROR
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "wrong-token-0123456789")
    assert main(_argv(tmp_path / "x.ndjson")) == ExitCode.AUTH
    assert main(["export", "Bad Name", "--out", str(out)]) == ExitCode.USAGE


def test_unwritable_output_exits_6(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "docs.ndjson"
    assert main(_argv(out)) == ExitCode.OUTPUT


def test_help_says_how_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = capsys.readouterr().out
    assert "Run the same command\nagain" in text or "Run the same command again" in text
    assert "--restart" in text
    for code in ExitCode:
        assert f"\n  {code.value:<3}  " in text
