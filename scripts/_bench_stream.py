"""Streaming rows of `make bench`: peak memory of iter_by_ids and of the CLI, first vector.

Each figure comes from a fresh process fetching N ids x 768 dims from the benchmark server
(pacing off) and reporting its own peak resident memory (VmHWM) and, for iter_by_ids, the
time to the first vector against the whole fetch. Flat memory means the 100,000-id figure
stays within 1.2 x the 30,000-id one, and under 250 MiB; iter_by_ids with its default
deduplication also keeps the set of ids seen (about 100 bytes an id), so its rows are held
to the ceiling, and flatness to the same fetch with deduplicate=False and to the CLI. Run alone with
`python -m scripts._bench_stream [--quick]` (it starts its own server).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from cf_vectorize._config import ENV_ACCOUNT_ID, ENV_API_TOKEN
from scripts._bench_server import start_server
from scripts._bench_table import Row, Target, render, target
from scripts._fresh import python_output
from scripts._paths import ROOT

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
DIMS = 768
SIZES = (30_000, 100_000)
FLAT = 1.2  # the larger fetch may take at most this times the smaller's peak memory
CEILING = 250 * 2**20  # bytes

STREAM = "6. streaming, ids x 768 dims: peak RSS"
ITER_SYNC = "iter_by_ids (sync)"
ITER_UNIQUE = "iter_by_ids (sync, deduplicate=False)"
ITER_ASYNC = "iter_by_ids (async)"
FIRST = "6a. iter_by_ids: first vector, share of the whole fetch"

PEAK = """
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
"""

ITER_CODE = (
    """
import json, sys, time
from cf_vectorize import ApiToken, Vectorize
ids = (f"v{n}" for n in range(COUNT))
started = time.perf_counter()
first = None
count = 0
with Vectorize(account_id=ACCOUNT, auth=ApiToken("T"), base_url=BASE, pacing=None) as client:
    for vector in client.iter_by_ids(f"dims{DIMS}", ids, deduplicate=DEDUPLICATE):
        if first is None:
            first = time.perf_counter() - started
        count += 1
total = time.perf_counter() - started
assert count == COUNT, count
"""
    + PEAK
    + """
print(json.dumps({"peak": peak, "first": first, "total": total}))
"""
)

ASYNC_CODE = (
    """
import asyncio, json
from cf_vectorize import ApiToken, AsyncVectorize

async def main():
    count = 0
    async with AsyncVectorize(account_id=ACCOUNT, auth=ApiToken("T"), base_url=BASE,
                              pacing=None) as client:
        async for vector in client.iter_by_ids(f"dims{DIMS}", (f"v{n}" for n in range(COUNT))):
            count += 1
    return count

assert asyncio.run(main()) == COUNT
"""
    + PEAK
    + """
print(json.dumps({"peak": peak}))
"""
)

CLI_CODE = (
    """
import json, os, sys
from cf_vectorize.cli import main
code = main(["get-by-ids", f"dims{DIMS}", "--ids-file", IDS_FILE, "--format", FORMAT,
             "--no-pacing", "--base-url", BASE])
assert code == 0, code
"""
    + PEAK
    + """
os.write(3, json.dumps({"peak": peak}).encode())
"""
)


def _run(
    code: str, *, env: dict[str, str] | None = None, pass_fd: bool = False
) -> dict[str, float]:
    """Run code in a fresh interpreter; return the JSON it reports (stdout, or fd 3)."""
    if not pass_fd:
        return dict(json.loads(python_output(code)))
    with tempfile.TemporaryFile() as report:
        subprocess.run(
            [sys.executable, "-c", f"import os; os.dup2({report.fileno()}, 3)\n" + code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            cwd=ROOT,
            env=env,
            pass_fds=(report.fileno(),),
        )
        report.seek(0)
        return dict(json.loads(report.read()))


def _header(base_url: str, count: int, **more: object) -> str:
    lines = [f"BASE, ACCOUNT, DIMS, COUNT = {base_url!r}, {ACCOUNT_ID!r}, {DIMS}, {count}"]
    lines += [f"{name} = {value!r}" for name, value in more.items()]
    return "\n".join(lines) + "\n"


def bench_streaming(base_url: str, sizes: Sequence[int] = SIZES) -> list[Row]:
    """Peak RSS of iter_by_ids (sync, async) and of the CLI (ndjson, json); first vector.

    iter_by_ids keeps the set of ids seen to drop duplicates (about 100 bytes an id), by
    design: its rows are held to the ceiling only, and the flatness target is held by the
    same fetch with deduplicate=False and by the CLI (which keeps none of its ids: it
    reads --ids-file twice, and says each unknown id as its turn comes).
    """
    peaks: dict[str, list[float]] = {}
    firsts: list[tuple[int, float, float]] = []
    env = {ENV_API_TOKEN: "T", ENV_ACCOUNT_ID: ACCOUNT_ID, "PATH": ""}
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            ids_file = Path(folder) / f"ids-{count}.txt"
            ids_file.write_text("".join(f"v{n}\n" for n in range(count)))
            figures = _run(_header(base_url, count, DEDUPLICATE=True) + ITER_CODE)
            peaks.setdefault(ITER_SYNC, []).append(figures["peak"])
            firsts.append((count, figures["first"], figures["total"]))
            figures = _run(_header(base_url, count, DEDUPLICATE=False) + ITER_CODE)
            peaks.setdefault(ITER_UNIQUE, []).append(figures["peak"])
            peaks.setdefault(ITER_ASYNC, []).append(
                _run(_header(base_url, count) + ASYNC_CODE)["peak"]
            )
            for output in ("ndjson", "json"):
                code = _header(base_url, count, IDS_FILE=str(ids_file), FORMAT=output) + CLI_CODE
                peak = _run(code, env=env, pass_fd=True)["peak"]
                peaks.setdefault(f"CLI --format {output}", []).append(peak)
    rows = []
    for name, values in peaks.items():
        small, large = values[0], values[-1]
        goals: tuple[Target, ...] = (target("250 MiB", large, CEILING, 1.0),)
        note = "(with the set of ids seen)"
        if name not in (ITER_SYNC, ITER_ASYNC):
            goals, note = (target(f"{sizes[0]:,} ids", large, small, FLAT), *goals), ""
        for count, value in zip(sizes, values, strict=True):
            last = count == sizes[-1]
            rows.append(
                Row(
                    STREAM,
                    f"{name}, {count:,} ids",
                    value,
                    "B",
                    small,
                    goals if last else (),
                    note if last else "",
                )
            )
    for count, first, total in firsts:
        rows.append(
            Row(FIRST, f"{count:,} ids: first vector", first, "s", total, note=f"of {total:.2f} s")
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Start the benchmark server, measure, and print the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3,000 and 10,000 ids")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        rows = bench_streaming(start_server(stack), (3_000, 10_000) if args.quick else SIZES)
    print(render(rows, {STREAM: "the smaller fetch", FIRST: "the whole fetch"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
