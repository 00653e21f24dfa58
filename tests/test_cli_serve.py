"""``cf-vectorize serve`` as a process: the base URL line, the token, signals, bad input."""

# The commands run are fixed lists built here: nothing untrusted reaches subprocess.

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from cf_vectorize.cli import main

WAIT = 30  # seconds; a bound on waits, never an expected duration
BASE_URL = re.compile(r"^http://127\.0\.0\.1:(\d+)/client/v4$")
MODULE = [sys.executable, "-m", "cf_vectorize"]
CONSOLE_SCRIPT = [str(Path(sys.executable).parent / "cf-vectorize")]


class Running:
    """A started ``serve`` process, its base URL and its stderr so far."""

    def __init__(self, process: subprocess.Popen[str], base_url: str, stderr: Path) -> None:
        self.process = process
        self.base_url = base_url
        self._stderr = stderr

    @property
    def stderr(self) -> str:
        return self._stderr.read_text()

    def post(self, ids: list[str], token: str, index: str = "sample") -> httpx.Response:
        return httpx.post(
            f"{self.base_url}/accounts/acc/vectorize/v2/indexes/{index}/get_by_ids",
            json={"ids": ids},
            headers={"Authorization": f"Bearer {token}"},
            timeout=WAIT,
        )


@contextmanager
def _serve(tmp_path: Path, *args: str, command: list[str] = MODULE) -> Iterator[Running]:
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as sink:
        process = subprocess.Popen(
            [*command, "serve", "--port", "0", "--quiet", *args],
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], WAIT)
        assert ready, "no base URL on stdout"
        first_line = process.stdout.readline().rstrip("\n")
        assert BASE_URL.match(first_line), (first_line, stderr.read_text())
        yield Running(process, first_line, stderr)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(WAIT)
        if process.stdout is not None:
            process.stdout.close()


def _token(stderr: str) -> str:
    tokens = re.findall(r"^token: (\S+)$", stderr, flags=re.MULTILINE)
    assert len(tokens) == 1
    return str(tokens[0])


@pytest.mark.parametrize(
    ("command", "sig"),
    [(MODULE, signal.SIGTERM), (MODULE, signal.SIGINT), (CONSOLE_SCRIPT, signal.SIGTERM)],
    ids=["module-SIGTERM", "module-SIGINT", "console-script-SIGTERM"],
)
def test_serve_prints_the_url_serves_and_stops_cleanly_on_a_signal(
    tmp_path: Path, command: list[str], sig: signal.Signals
) -> None:
    with _serve(tmp_path, command=command) as running:
        token = _token(running.stderr)
        assert "index sample: 16 vectors, 8 dimensions" in running.stderr
        response = running.post(["doc-001"], token)
        assert [v["id"] for v in response.json()["result"]] == ["doc-001"]
        assert running.post(["doc-001"], "not-" + token).status_code == 401
        running.process.send_signal(sig)
        assert running.process.wait(WAIT) == 0
        assert running.stderr.rstrip().endswith("stopped")
        assert running.process.stdout is not None
        assert running.process.stdout.read() == ""


def test_a_given_token_is_used_and_not_printed(tmp_path: Path) -> None:
    with _serve(tmp_path, "--token", "my-own-token") as running:
        assert running.post(["doc-002"], "my-own-token").status_code == 200
        assert "my-own-token" not in running.stderr
        assert "token:" not in running.stderr


def test_index_files_replace_the_sample_unless_asked(tmp_path: Path) -> None:
    data = tmp_path / "mine.ndjson"
    data.write_text(json.dumps({"id": "x", "values": [1.0, 2.0]}) + "\n")
    with _serve(tmp_path, "--token", "t", "--index", f"mine={data}") as running:
        assert running.post(["x"], "t", index="mine").json()["result"] == [
            {"id": "x", "values": [1.0, 2.0]}
        ]
        assert running.post(["doc-001"], "t").json()["errors"][0]["code"] == 3000
    with _serve(tmp_path, "--token", "t", "--index", f"mine={data}", "--sample") as running:
        assert running.post(["x"], "t", index="mine").status_code == 200
        assert running.post(["doc-001"], "t").status_code == 200


def test_list_vectors_is_served_with_the_cursor_ttl_given(tmp_path: Path) -> None:
    with _serve(tmp_path, "--token", "t", "--cursor-ttl", "0") as running:
        url = f"{running.base_url}/accounts/acc/vectorize/v2/indexes/sample/list"
        headers = {"Authorization": "Bearer t"}
        first = httpx.get(url, params={"count": 5}, headers=headers, timeout=WAIT).json()
        assert first["result"]["count"] == 5
        assert first["result"]["totalCount"] == 16
        # A zero lifetime: the cursor has expired by the time it is used.
        cursor = first["result"]["nextCursor"]
        expired = httpx.get(url, params={"cursor": cursor}, headers=headers, timeout=WAIT)
        assert (expired.status_code, expired.json()["errors"][0]["code"]) == (400, 40003)


def test_a_bad_data_file_stops_the_process_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.ndjson"
    data.write_text('{"id": "x", "values": [1]}\n{"id": "x", "values": [2]}\n')
    finished = subprocess.run(
        [*MODULE, "serve", "--port", "0", "--index", f"bad={data}"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert f"{data}:2: duplicate id 'x' (first on line 1)" in finished.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--index", "no-equals-sign"], "--index 'no-equals-sign': expected NAME=FILE"),
        (["--index", "Bad=x.ndjson"], "index name 'Bad' does not match"),
        (["--index", "a1=x", "--index", "a1=y"], "index 'a1' is given twice"),
        (["--email", "me@example.com"], "an email and a key go together"),
        (["--timeout", "nan"], "timeout must be more than 0 and at most 86400 seconds"),
        (["--timeout", "1e10"], "timeout must be more than 0 and at most 86400 seconds"),
        (["--request-timeout", "-1"], "request_timeout must be more than 0"),
        (["--request-timeout", "inf"], "request_timeout must be more than 0"),
        (["--max-connections", "0"], "max_connections must be at least 1, got 0"),
        (["--cursor-ttl", "-1"], "cursor_ttl must be 0 or more and at most 86400 seconds"),
        (["--cursor-ttl", "inf"], "cursor_ttl must be 0 or more and at most 86400 seconds"),
        (["--cursor-ttl", "1e300"], "cursor_ttl must be 0 or more and at most 86400 seconds"),
    ],
)
def test_bad_arguments_exit_1_with_a_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["serve", "--port", "0", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_a_port_in_use_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert "cf-vectorize serve: error:" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    assert os.access(CONSOLE_SCRIPT[0], os.X_OK)
    finished = subprocess.run(
        [*CONSOLE_SCRIPT, "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert finished.returncode == 0
    assert "--index NAME=FILE" in finished.stdout
    assert "--cursor-ttl SECONDS" in finished.stdout
    assert "/list?count=&cursor=" in finished.stdout
