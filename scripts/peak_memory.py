"""Peak memory of one get_by_ids against oversized and compressed bodies, in a child process.

Usage: python -m scripts.peak_memory   (`make reliability` prints the same table)

The fault server (tests/faultserver.py) runs in this process; each call runs in a fresh
interpreter (`python -m scripts.peak_memory --child URL KIND`), which reports its peak
resident set size (VmHWM) before and after the call, so that nothing this process
allocated counts. KIND is sync, async (cf-vectorize with its default cap, 16 MiB) or
httpx: a plain `httpx.Client().post(...).content`, the baseline with no cap.
"""

from __future__ import annotations

import asyncio
import json
import math
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from cf_vectorize import DEFAULT_MAX_RESPONSE_BYTES
from scripts._markdown import table
from tests.faultserver import (
    Behaviour,
    FaultServer,
    compression_bomb,
    declared_body,
    envelope,
    respond,
    respond_json,
    undeclared_body,
)

MB = 1000 * 1000
GIB = 1024 * 1024 * 1024
ACCOUNT = "0123456789abcdef0123456789abcdef"
TOKEN = "tok_memory_0123456789ABCDEFGHIJKLMNOP"  # noqa: S105 (a fake, sent to 127.0.0.1)
IDS = [f"id-{n:02d}" for n in range(20)]
KINDS = ("sync", "async", "httpx")


def honest() -> Behaviour:
    """Answer as the largest honest answer: 20 vectors of 1,536 values, 10 KiB of metadata."""
    result = [
        {
            "id": vector_id,
            "values": [math.sin(position * 1536 + n) for n in range(1536)],
            "metadata": {"text": "x" * 10_240},
        }
        for position, vector_id in enumerate(IDS)
    ]
    return respond_json(200, envelope(result))


def under_the_cap(item: bytes, where: str = "values") -> Behaviour:
    """Answer for one id, padded to just under the default cap with item in values or metadata."""
    head = b'{"success": true, "errors": [], "messages": [], "result": [{"id": "id-00", '
    head += b'"values": [' if where == "values" else b'"values": [1], "metadata": {"k": ['
    tail = b"]}]}" if where == "values" else b"]}}]}"
    count = (DEFAULT_MAX_RESPONSE_BYTES - len(head) - len(tail)) // (len(item) + 1)
    return respond(200, head + b",".join([item] * count) + tail)


@dataclass(frozen=True)
class Case:
    """A body to measure against; accepted: whether the call must return vectors."""

    name: str
    behaviour: Callable[[], Behaviour]
    accepted: bool = False


CASES = (
    Case("honest answer (20 x 1,536 values, 10 KiB metadata each)", honest, accepted=True),
    Case("16 MiB of values 0.5, just under the cap", lambda: under_the_cap(b"0.5"), True),
    Case(
        "16 MiB of metadata [[], [], ...], just under the cap",
        lambda: under_the_cap(b"[]", "metadata"),
        accepted=True,
    ),
    Case("200 declaring a 500 MB body", lambda: declared_body(500 * MB)),
    Case("200 with a 500 MB body of undeclared size", lambda: undeclared_body(500 * MB)),
    Case("gzip bomb: 1 MB inflating to 1 GiB", lambda: compression_bomb(GIB, "gzip")),
    Case("deflate bomb: 1 MB inflating to 1 GiB", lambda: compression_bomb(GIB, "deflate")),
)


def _peak_mib() -> float:
    """Return this process's peak resident set size in MiB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and
    exec, so a child of a big parent would report the parent's figure.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(base_url: str, kind: str) -> dict[str, object]:
    """Make the call (in the child); return the outcome and the peak memory around it."""
    import httpx  # noqa: PLC0415 (all imports done before the baseline is read)

    from cf_vectorize import ApiToken, AsyncVectorize, Vectorize, VectorizeError  # noqa: PLC0415
    from cf_vectorize_api.models import GetVectorsByIdResponse  # noqa: F401, PLC0415

    settings = {"account_id": ACCOUNT, "auth": ApiToken(TOKEN), "base_url": base_url}
    settings |= {"max_retries": 0, "pacing": None}
    before = _peak_mib()
    try:
        if kind == "httpx":
            url = f"{base_url}/accounts/{ACCOUNT}/vectorize/v2/indexes/my-index/get_by_ids"
            with httpx.Client(timeout=60) as client:
                content = client.post(url, json={"ids": IDS}).content
            outcome = f"{len(content):,} bytes read"
        elif kind == "sync":
            with Vectorize(**settings) as sync:  # type: ignore[arg-type]
                outcome = f"{len(sync.get_by_ids('my-index', IDS))} vectors"
        else:

            async def call() -> int:
                async with AsyncVectorize(**settings) as client:  # type: ignore[arg-type]
                    return len(await client.get_by_ids("my-index", IDS))

            outcome = f"{asyncio.run(call())} vectors"
    except VectorizeError as error:
        outcome = type(error).__name__
    except httpx.HTTPError as error:
        outcome = f"httpx {type(error).__name__}"
    return {"outcome": outcome, "before_mib": before, "peak_mib": _peak_mib()}


def measure(case: Case, kind: str) -> dict[str, object]:
    """Serve case here, call it from a child process of the given kind; return its report."""
    with FaultServer([case.behaviour()]) as server:
        done = subprocess.run(
            [sys.executable, "-m", "scripts.peak_memory", "--child", server.base_url, kind],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        report: dict[str, object] = json.loads(done.stdout)
    except ValueError:
        return {"outcome": f"child failed: {done.stderr.strip()[-200:]}", "failed": True}
    return report


def memory_table() -> tuple[list[str], int]:
    """Measure every case with every kind; return the table's lines and the failures."""
    rows = []
    failures = 0
    for case in CASES:
        for kind in KINDS:
            report = measure(case, kind)
            if "failed" in report:
                failures += 1
                rows.append((case.name, kind, report["outcome"], "-", "-"))
                continue
            peak, before = float(report["peak_mib"]), float(report["before_mib"])  # type: ignore[arg-type]
            expected = "vectors" if case.accepted else "ResponseTooLargeError"
            failures += kind != "httpx" and expected not in str(report["outcome"])
            call = f"{peak - before:,.0f} MiB"
            rows.append((case.name, kind, report["outcome"], f"{peak:,.0f} MiB", call))
    header = ("body", "client", "outcome", "peak RSS", "of which the call")
    lines = table(header, rows, right={"peak RSS", "of which the call"})
    lines.append(
        "\npeak RSS: the child's VmHWM after the call; of which the call: its growth "
        "during the call (imports and interpreter excluded). httpx: no cap, the baseline."
    )
    return lines, failures


def main() -> int:
    """Print the table; return 1 when cf-vectorize did not end as expected."""
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        return 0
    lines, failures = memory_table()
    print("\n".join(lines))
    return int(failures > 0)


if __name__ == "__main__":
    sys.exit(main())
