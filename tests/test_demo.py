"""`make demo` (scripts/demo.py) as a process: the table, the unknown id, exit 0, server stopped."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from typing import Any

import httpx
import pytest

from scripts import demo
from scripts._paths import ROOT

WAIT = 120  # seconds; a bound on the whole demo, never an expected duration
DEMO = [sys.executable, "-m", "scripts.demo"]


def _run(*ids: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DEMO, *ids], cwd=ROOT, capture_output=True, text=True, timeout=WAIT, check=False
    )


def _port_is_closed(base_url: str) -> bool:
    port = httpx.URL(base_url).port
    assert port is not None
    with socket.socket() as sock:
        sock.settimeout(5)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _base_url(stdout: str) -> str:
    found = re.search(r"^stand-in serving the sample index at (\S+)$", stdout, re.MULTILINE)
    assert found, stdout
    return found.group(1)


def test_the_demo_prints_the_table_reports_the_unknown_id_and_exits_0() -> None:
    finished = _run()
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    header = next(line for line in out.splitlines() if line.startswith("id "))
    assert header.split() == ["id", "namespace", "values", "metadata"]
    for vector_id in ("doc-001", "faq-002", "img-001"):
        assert re.search(rf"^{vector_id} .*… \(8 values\)\]", out, re.MULTILINE), out
    table = out.split("$ cf-vectorize ", 1)[1].split("\n", 1)[1]  # after the command line
    assert "no-such-id" not in table
    assert "not found: no-such-id" in finished.stderr
    assert "exit status 3: some ids were not found, as expected" in out
    assert "stand-in stopped" in out
    assert "Traceback" not in finished.stderr
    assert _port_is_closed(_base_url(out))


def test_the_demo_fails_when_the_outcome_is_not_the_expected_one() -> None:
    finished = _run("doc-001")  # every id found: exit status 0, not the 3 the demo expects
    assert finished.returncode == 1
    assert "demo failed: get-by-ids exited with status 0, expected 3" in finished.stderr
    assert "stand-in stopped" in finished.stdout
    assert _port_is_closed(_base_url(finished.stdout))


def test_the_demo_fails_on_a_usage_error_and_still_stops_the_server() -> None:
    finished = _run("x" * 65)  # an id over 64 bytes
    assert finished.returncode == 1
    assert "exited with status 2" in finished.stderr
    assert "stand-in stopped" in finished.stdout


def test_a_stand_in_that_exits_early_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    script = "import sys; print('boom', file=sys.stderr); sys.exit(1)"
    monkeypatch.setattr(demo, "CLI", [sys.executable, "-c", script])
    with pytest.raises(demo.DemoError, match=r"the stand-in exited instead of its base URL.*boom"):
        demo.run_demo(["doc-001"])


def test_a_silent_stand_in_is_given_up_on_and_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    # Waits far longer than the demo does; the demo must stop it rather than wait.
    script = "import time; time.sleep(600)"
    monkeypatch.setattr(demo, "CLI", [sys.executable, "-c", script])
    monkeypatch.setattr(demo, "START_TIMEOUT", 0.5)
    started: list[subprocess.Popen[str]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        process: subprocess.Popen[str] = real_popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    with pytest.raises(demo.DemoError, match=r"gave no base URL within 0.5 s"):
        demo.run_demo(["doc-001"])
    assert len(started) == 1
    assert started[0].poll() is not None  # stopped, not left running
