"""`cf-vectorize export` in the benchmark: throughput against the stand-in, and paced time.

The stand-in serves an index from an NDJSON file in this process (a thread); the export
runs as the command line would, in a fresh process that reports its own time and peak
memory (VmHWM). Requests are counted from the stand-in's log (``server.requests``).
Pacing is off: at Cloudflare's pace, what an export takes is computed instead, by running
the client's own pacing schedule (1200 requests / 300 s, 200 / s) over the requests an
export sends.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cf_vectorize._config import ENV_API_TOKEN
from cf_vectorize._limits import MAX_IDS_PER_REQUEST, MAX_PAGE_SIZE
from cf_vectorize._pacing import DEFAULT_PACING, paced_duration
from scripts._bench_table import Row, target
from scripts._paths import ROOT

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
TOKEN = "bench-export-token-0123456789"  # noqa: S105
DIMS = 32
SIZES = (10_000, 100_000)
PACED_SIZES = (1_000_000, 20_000_000)

SCENARIO = f"7. export, {SIZES[-1]:,} vectors x {DIMS} dims, stand-in, no pacing"
MEMORY_SCENARIO = "7b. export, peak RSS of the export process"

CHILD = """
import sys, time
from cf_vectorize.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
elapsed = time.perf_counter() - started
status = open("/proc/self/status").read()
print(code, elapsed, int(status.split("VmHWM:")[1].split()[0]) * 1024)
"""


@dataclass(frozen=True)
class Measured:
    """One export run: vectors, seconds, requests sent, peak memory of its process."""

    vectors: int
    seconds: float
    requests: int
    peak_bytes: int


def write_index(path: Path, vectors: int) -> None:
    """Write an NDJSON data file: every other vector with metadata, every third in a namespace."""
    rng = random.Random(vectors)  # noqa: S311 - test data
    with path.open("w", encoding="utf-8") as file:
        for n in range(vectors):
            record: dict[str, object] = {
                "id": f"vec-{n:08d}",
                "values": [round(rng.uniform(-1, 1), 6) for _ in range(DIMS)],
            }
            if n % 2:
                record["metadata"] = {"n": n, "source": "bench"}
            if n % 3 == 0:
                record["namespace"] = "bench"
            file.write(json.dumps(record) + "\n")


def measure(vectors: int, workdir: Path) -> Measured:
    """Export an index of ``vectors`` vectors from the stand-in; check and time it."""
    from cf_vectorize.server import Credentials, StandInServer, Store, load_index  # noqa: PLC0415

    data = workdir / f"index-{vectors}.ndjson"
    write_index(data, vectors)
    out = workdir / f"export-{vectors}.ndjson"
    store = Store({"bench": load_index("bench", data)})
    with StandInServer(store, credentials=Credentials(token=TOKEN), record_requests=True) as server:
        argv = ["export", "bench", "--out", str(out), "--base-url", server.base_url]
        argv += ["--account-id", ACCOUNT_ID, "--no-pacing", "--progress", "never"]
        env = {**os.environ, ENV_API_TOKEN: TOKEN}
        done = subprocess.run(
            [sys.executable, "-c", CHILD, *argv],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        requests = len(server.requests)
    code, seconds, peak = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"the export failed ({code}): {done.stderr}")
    with out.open("rb") as file:
        lines = sum(1 for _ in file)
    if lines != vectors:
        raise RuntimeError(f"the export wrote {lines} lines for {vectors} vectors")
    return Measured(vectors, float(seconds), requests, int(peak))


def requests_for(vectors: int) -> int:
    """Return the requests of a whole export: a list page per 1000 ids, a get_by_ids per 20."""
    return max(1, math.ceil(vectors / MAX_PAGE_SIZE)) + math.ceil(vectors / MAX_IDS_PER_REQUEST)


def paced_seconds(requests: int) -> float:
    """Seconds the client's pacer spreads ``requests`` over (its schedule, no real waits)."""
    return paced_duration(DEFAULT_PACING, requests)


def bench_export() -> tuple[list[Row], list[str]]:
    """Return the export rows of the table, and the lines printed under it."""
    with tempfile.TemporaryDirectory(prefix="cf-vectorize-bench-export-") as workdir:
        runs = [measure(size, Path(workdir)) for size in SIZES]
    small, big = runs[0], runs[-1]
    rows = [
        Row(
            SCENARIO,
            f"cf-vectorize export ({big.vectors:,} vectors)",
            big.seconds,
            "s",
            note=f"({big.vectors / big.seconds:,.0f} vectors/s, "
            f"{big.requests / big.seconds:,.0f} requests/s, {big.requests:,} requests)",
        ),
        Row(
            MEMORY_SCENARIO,
            f"{small.vectors:,} vectors",
            small.peak_bytes,
            "B",
            small.peak_bytes,
        ),
        Row(
            MEMORY_SCENARIO,
            f"{big.vectors:,} vectors",
            big.peak_bytes,
            "B",
            small.peak_bytes,
            # Streaming: ten times the vectors may not cost a quarter more memory.
            (target(f"{small.vectors:,} vectors", big.peak_bytes, small.peak_bytes, 1.25),),
        ),
    ]
    notes = [
        f"Export requests: {big.requests:,} for {big.vectors:,} vectors "
        f"(expected {requests_for(big.vectors):,}: a list page per {MAX_PAGE_SIZE} ids, "
        f"a get_by_ids per {MAX_IDS_PER_REQUEST})."
    ]
    for size in PACED_SIZES:
        requests = requests_for(size)
        seconds = paced_seconds(requests)
        notes.append(
            f"At Cloudflare's pace (1200 requests / 300 s), exporting {size:,} vectors "
            f"sends {requests:,} requests and takes {seconds / 3600:.1f} h."
        )
    return rows, notes
