"""What the pytest fixture vectorize_server costs a test: start and stop, in ms per test.

Usage: python -m scripts.fixture_cost [--tests 200] [--rounds 3]   (`make fixture-cost`)

Runs pytest in a fresh process on generated test files in a temporary folder: N empty
tests, N tests asking for vectorize_server, N asking for vectorize_env, and N that also
make one request through a new client. Each test's time (setup, call and teardown, from
pytest's JUnit XML report) is summed; the mean beyond the empty tests' is the cost per
test, the median of `rounds` sessions is shown. Process start-up is left out, so a busy
machine blurs the figure less. Also times, in this process, VectorizeServer start + stop
and the making of a Vectorize client (which a test pays when it makes one). Prints a
markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

from cf_vectorize.testing import VectorizeServer
from scripts._markdown import table

VARIANTS = {
    "no fixture (baseline)": "def test_it(n):\n    pass\n",
    "vectorize_server": "def test_it(n, vectorize_server):\n    pass\n",
    "vectorize_env": "def test_it(n, vectorize_env):\n    pass\n",
    "vectorize_server + one get_by_ids": (
        "def test_it(n, vectorize_server):\n"
        "    with vectorize_server.client() as client:\n"
        "        assert client.get_by_ids('sample', ['doc-001'])\n"
    ),
}


def per_test_ms(folder: Path, body: str, tests: int, rounds: int) -> float:
    """Median over sessions of the mean time of one of ``tests`` copies of ``body``, in ms."""
    test_file = folder / "test_cost.py"
    report = folder / "report.xml"
    test_file.write_text(
        f"import pytest\n\n\n@pytest.mark.parametrize('n', range({tests}))\n{body}"
    )
    means = []
    for _ in range(rounds):
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--junitxml={report}", str(test_file)],
            cwd=folder,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # Our own pytest wrote it, a moment ago: not untrusted input.
        cases = ElementTree.parse(report).getroot().iter("testcase")  # noqa: S314
        means.append(statistics.fmean(float(case.get("time", "0")) for case in cases) * 1000)
    return statistics.median(means)


def in_process_ms(server: VectorizeServer, rounds: int = 200) -> tuple[float, float]:
    """Median times to start + stop a VectorizeServer, and to make a client, in ms."""
    servers, clients = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        with VectorizeServer():
            pass
        servers.append(time.perf_counter() - start)
    for _ in range(rounds // 10):
        start = time.perf_counter()
        server.client().close()
        clients.append(time.perf_counter() - start)
    return statistics.median(servers) * 1000, statistics.median(clients) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="cf-vectorize-fixture-") as tmp:
        baseline = None
        for name, body in VARIANTS.items():
            ms = per_test_ms(Path(tmp), body, args.tests, args.rounds)
            if baseline is None:
                baseline = ms
            rows.append((name, f"{ms:.2f} ms", f"{ms - baseline:.2f} ms"))
    with VectorizeServer() as server:
        start_stop, client = in_process_ms(server)
    rows.append(("VectorizeServer start + stop, in process", f"{start_stop:.2f} ms", ""))
    rows.append(
        ("making a Vectorize client (httpx's TLS set-up), in process", f"{client:.2f} ms", "")
    )
    header = ("tests asking for", "per test", "beyond an empty test")
    print("\n".join(table(header, rows, right=header[1:])))
    print(f"\n{args.tests} tests per session, median of {args.rounds} sessions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
