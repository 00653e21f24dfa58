"""``cf-vectorize get-by-ids`` against a hostile server: one error line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cf_vectorize._response import MAX_NESTING
from cf_vectorize.cli import main
from tests.faults import MB, deep, with_vector
from tests.faultserver import (
    Behaviour,
    FaultServer,
    compression_bomb,
    declared_body,
    respond,
    undeclared_body,
)

TOKEN = "cli-hostile-token-0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
WAIT = 60  # seconds; a bound on the subprocess, never an expected duration

HOSTILE: dict[str, Behaviour] = {
    "200 nested 100,000 deep": respond(200, with_vector(deep(100_000))),
    "200 nested 1,100 deep": respond(200, with_vector(deep(1_100))),
    "500 nested 100,000 deep": respond(500, deep(100_000)),
    "401-digit integer among values": respond(200, with_vector(values=b"[" + b"7" * 401 + b"]")),
    "NaN among values": respond(200, with_vector(values=b"[NaN]")),
    "Infinity in metadata": respond(200, with_vector(b'{"x": Infinity}')),
    "500 MB declared": declared_body(500 * MB),
    "500 MB undeclared": undeclared_body(500 * MB),
    "gzip bomb": compression_bomb(64 * 1024 * 1024, "gzip"),
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CLOUDFLARE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_answer_is_one_error_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer([HOSTILE[name]]) as server:
        args = ["get-by-ids", "--base-url", server.base_url, "--max-retries", "0", "idx", "a"]
        code = main(args)
    out, err = capsys.readouterr()
    assert code == 1, err
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("cf-vectorize get-by-ids: error: HTTP ")
    assert "Traceback" not in err and TOKEN not in err


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("output_format", ["json", "ndjson", "table"])
def test_metadata_as_deep_as_accepted_is_printed(
    output_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = b'{"k": ' * MAX_NESTING + b"1" + b"}" * MAX_NESTING
    with FaultServer([respond(200, with_vector(metadata))]) as server:
        code = main(
            ["get-by-ids", "--base-url", server.base_url, "idx", "a", "--format", output_format]
        )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.count('"k"') == MAX_NESTING


def test_as_a_process_a_bomb_is_one_line_and_exit_1() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
    env |= {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}
    with FaultServer([compression_bomb(64 * 1024 * 1024, "gzip")]) as server:
        finished = subprocess.run(
            [sys.executable, "-m", "cf_vectorize", "get-by-ids", "idx", "a"],
            env=env | {"CLOUDFLARE_BASE_URL": server.base_url},
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
    assert finished.returncode == 1
    [line] = finished.stderr.splitlines()
    assert "larger than the cap of 16 MiB" in line and "max_response_bytes" in line
    assert json.loads(finished.stdout or "null") is None
