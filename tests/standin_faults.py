"""The stand-in's own fault scenarios: one table, run by tests/test_standin_faults.py and
printed by `make reliability`.

tests/faults.py fixes what a *client* does against a hostile server; these fix what the
*stand-in* does against hostile clients and data: every answer in Cloudflare's JSON
envelope with a status of its own (never HTML, never a 500 for bad input, never a logged
traceback), dripping connections closed within the request deadline, and data files loaded
within about 1.5 times their size in memory with every value kept exactly.

Each scenario runs at a ``scale``: "test" (small, for pytest) or "full" (the sizes of the
findings, for `make reliability`). ``problems`` are what must hold at any scale; ``misses``
compare measured figures with their targets and are judged by the reliability script only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from cf_vectorize.server import Credentials, StandInServer
from scripts._paths import ROOT

Scale = Literal["test", "full"]
TOKEN = "standin-fault-token-0123456789abcdef"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
PATH = f"/client/v4/accounts/{ACCOUNT}/vectorize/v2/indexes/sample/get_by_ids"
# Peak memory of loading, beyond the process before it, per byte of the file.
LOAD_MEMORY_TARGET = 1.5


@dataclass
class Outcome:
    """What a scenario measured (figures, as printed) and what did not hold."""

    figures: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # figures beyond their targets


@dataclass(frozen=True)
class Scenario:
    """A hostile client or data file, and the run that measures the stand-in against it."""

    name: str
    run: Callable[[Scale], Outcome]


# ---- answering raw bytes ------------------------------------------------------------


def exchange(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    """Send raw bytes, half-close, and return everything the stand-in sends before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def envelope_problem(raw: bytes, statuses: range | tuple[int, ...]) -> tuple[int, str | None]:
    """Return the status of a raw answer, and what is wrong with it (None when it is right).

    Right means: an HTTP/1.1 status line with a status in ``statuses``, a JSON content
    type, and Cloudflare's failure envelope with one error whose code is at least 1000.
    """
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or parts[0] != b"HTTP/1.1" or not parts[1].isdigit():
        return 0, f"no status line: {raw[:60]!r}"
    status = int(parts[1])
    if status not in statuses:
        return status, f"status {status}"
    if b"content-type: application/json" not in head.lower():
        return status, f"not JSON: {head[:120]!r}"
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            body = body[: int(line.split(b":")[1])]  # the first answer only
    try:
        payload = json.loads(body)
        codes = [item["code"] for item in payload["errors"]]
    except (ValueError, KeyError, TypeError):
        return status, f"not the envelope: {body[:80]!r}"
    if payload.get("success") is not False or len(codes) != 1 or codes[0] < 1000:
        return status, f"envelope {payload}"
    return status, None


@contextmanager
def failures_logged() -> Iterator[list[logging.LogRecord]]:
    """Collect the stand-in's log records that report a failure (error level, or a traceback)."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR or record.exc_info:
                records.append(record)

    logger = logging.getLogger("cf_vectorize.server")
    handler, level = Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _answer_all(cases: dict[str, tuple[bytes, range | tuple[int, ...]]]) -> Outcome:
    """Send each raw request to a fresh stand-in; every answer must be a right envelope."""
    outcome = Outcome()
    statuses: dict[int, int] = {}
    with (
        failures_logged() as failures,
        StandInServer(credentials=Credentials(token=TOKEN), timeout=2) as server,
    ):
        for name, (data, allowed) in cases.items():
            status, problem = envelope_problem(exchange(server.port, data), allowed)
            statuses[status] = statuses.get(status, 0) + 1
            if problem is not None:
                outcome.problems.append(f"{name}: {problem}")
        still = httpx.post(
            server.base_url.removesuffix("/client/v4") + PATH,
            json={"ids": ["doc-001"]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        if still.status_code != 200:
            outcome.problems.append(f"a good request afterwards got {still.status_code}")
    outcome.figures["requests"] = str(len(cases))
    outcome.figures["statuses"] = ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items()))
    outcome.figures["tracebacks logged"] = str(len(failures))
    outcome.problems += [f"logged: {r.getMessage()}" for r in failures]
    return outcome


def _request(
    method: str, target: str = PATH, body: bytes = b"", version: str = "HTTP/1.1"
) -> bytes:
    head = f"{method} {target} {version}\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def unknown_methods(_scale: Scale) -> Outcome:
    """Methods http.server answered with its 501 HTML page."""
    methods = ["TRACE", "QUERY", "BREW", "PROPFIND", "post", "P\x00ST", "SEARCH", "PATCH"]
    cases: dict[str, tuple[bytes, range | tuple[int, ...]]] = {
        repr(m): (_request(m), (405,)) for m in methods
    }
    cases["CONNECT host:443"] = (b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n", (404,))
    cases["TRACE *"] = (b"TRACE * HTTP/1.1\r\nHost: x\r\n\r\n", (404,))
    return _answer_all(cases)


def malformed_request_lines(_scale: Scale) -> Outcome:
    """Request lines http.server answered with HTML, or with no status line at all."""
    client_errors = range(400, 500)
    cases: dict[str, tuple[bytes, range | tuple[int, ...]]] = {
        "HTTP/2.0": (_request("POST", version="HTTP/2.0"), (505,)),
        "HTTP/3.0": (_request("GET", version="HTTP/3.0"), (505,)),
        "HTTP/0.9 (no version)": (f"GET {PATH}\r\n\r\n".encode(), client_errors),
        "one word": (b"GARBAGE\r\n\r\n", client_errors),
        "four words": (f"POST {PATH} HTTP/1.1 extra\r\n\r\n".encode(), client_errors),
        "FTP/1.0": (_request("POST", version="FTP/1.0"), client_errors),
        "HTTP/1.x": (_request("POST", version="HTTP/1.x"), client_errors),
        "spaces only": (b"   \r\n\r\n", client_errors),
        "binary": (bytes(range(1, 32)) + b"\r\n\r\n", client_errors),
        "request line of 70,000 bytes": (f"GET /{'x' * 70_000} HTTP/1.1\r\n\r\n".encode(), (414,)),
        "150 headers": (
            f"GET {PATH} HTTP/1.1\r\n".encode() + b"X-A: b\r\n" * 150 + b"\r\n",
            (431,),
        ),
        "header line of 70,000 bytes": (
            f"GET {PATH} HTTP/1.1\r\nX-A: {'b' * 70_000}\r\n\r\n".encode(),
            (431,),
        ),
    }
    return _answer_all(cases)


def hostile_bodies(_scale: Scale) -> Outcome:
    """Bodies that made the stand-in fail with a 500 and a logged traceback."""
    deep = 500_000
    cases: dict[str, tuple[bytes, range | tuple[int, ...]]] = {
        "lone surrogate id": (_request("POST", body=b'{"ids": ["\\ud800"]}'), (400,)),
        "lone surrogate among ids": (
            _request("POST", body=b'{"ids": ["doc-001", "a\\udfffb"]}'),
            (400,),
        ),
        f"body nested {deep:,} deep": (
            _request("POST", body=b"[" * deep + b"]" * deep),
            (400,),
        ),
        "ids nested 100,000 deep": (
            _request("POST", body=b'{"ids": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
            (400,),
        ),
        "a 5,000-digit number as an id": (
            _request("POST", body=b'{"ids": [' + b"9" * 5000 + b"]}"),
            (400,),
        ),
        "invalid UTF-8": (_request("POST", body=b'{"ids": ["\xff\xfe"]}'), (400,)),
        "Content-Length +5": (
            f"POST {PATH} HTTP/1.1\r\nContent-Length: +5\r\n\r\n12345".encode(),
            (400,),
        ),
        "Transfer-Encoding with a Content-Length": (
            f"POST {PATH} HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\n".encode(),
            (411,),
        ),
        "two different Content-Lengths": (
            f"POST {PATH} HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{{}}".encode(),
            (400,),
        ),
    }
    return _answer_all(cases)


# ---- dripping connections -----------------------------------------------------------


def dripping_connections(scale: Scale) -> Outcome:
    """Connections sending a byte a second held every slot, so real clients got only 503s."""
    drippers, slots, deadline = (300, 256, 5.0) if scale == "full" else (30, 20, 1.0)
    outcome = Outcome()
    request = _request("POST", body=b'{"ids": ["doc-001"]}')
    with StandInServer(
        credentials=Credentials(token=TOKEN), max_connections=slots, request_timeout=deadline
    ) as server:
        socks = [
            socket.create_connection(("127.0.0.1", server.port), timeout=10)
            for _ in range(drippers)
        ]
        for sock in socks:
            sock.setblocking(False)
        started = time.monotonic()
        stop = threading.Event()
        closed_after: list[float] = []
        dripper = threading.Thread(
            target=_drip, args=(socks, request, stop, started, closed_after), daemon=True
        )
        dripper.start()
        time.sleep(0.3)  # let the stand-in take every slot
        served_after, refused = _serve_a_real_client(server, started, bound=30 + deadline)
        # Every dripper is closed by the stand-in (refused at once, or after the deadline).
        limit = time.monotonic() + deadline + 10
        while len(closed_after) < drippers and time.monotonic() < limit:
            time.sleep(0.05)
        stop.set()
        dripper.join()
        for sock in socks:
            sock.close()
    outcome.figures["dripping connections"] = f"{drippers} (slots {slots})"
    outcome.figures["request deadline"] = f"{deadline:g} s"
    outcome.figures["real client served after"] = (
        "never" if served_after is None else f"{served_after:.1f} s ({refused} x 503 first)"
    )
    last = max(closed_after, default=float("nan"))
    outcome.figures["drippers closed by the stand-in"] = (
        f"{len(closed_after)}/{drippers}, the last after {last:.1f} s"
    )
    if served_after is None:
        outcome.problems.append("the real client was never served")
    if len(closed_after) < drippers:
        outcome.problems.append(f"{drippers - len(closed_after)} dripping connections still open")
    elif last > deadline + 5:
        outcome.problems.append(f"the last dripper was closed after {last:.1f} s")
    return outcome


def _drip(
    socks: list[socket.socket],
    request: bytes,
    stop: threading.Event,
    started: float,
    closed_after: list[float],
) -> None:
    """Send each socket one more byte of a request every second; note when each is closed."""
    sent = 0
    open_socks = set(range(len(socks)))
    while open_socks and not stop.is_set():
        for n in sorted(open_socks):
            try:
                if socks[n].recv(65536, socket.MSG_PEEK) == b"" or _drain_to_close(socks[n]):
                    open_socks.discard(n)
                    closed_after.append(time.monotonic() - started)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                open_socks.discard(n)
                closed_after.append(time.monotonic() - started)
                continue
            with contextlib.suppress(OSError):  # closed by the stand-in: seen on the next pass
                socks[n].send(request[sent % len(request) : sent % len(request) + 1])
        sent += 1
        stop.wait(1.0)


def _drain_to_close(sock: socket.socket) -> bool:
    """Read what the stand-in sent (a 408 or 503); return whether it also closed."""
    while True:
        try:
            if sock.recv(65536) == b"":
                return True
        except BlockingIOError:
            return False


def _serve_a_real_client(
    server: StandInServer, started: float, bound: float
) -> tuple[float | None, int]:
    """Ask as a client would (a retry a second after each 503); return when it got a 200."""
    refused = 0
    url = server.base_url.removesuffix("/client/v4") + PATH
    while time.monotonic() - started < bound:
        try:
            response = httpx.post(
                url,
                json={"ids": ["doc-001"]},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=10,
            )
        except httpx.TransportError:
            refused += 1  # a refused connection may be reset before its 503 is read
        else:
            if response.status_code == 200:
                return time.monotonic() - started, refused
            refused += 1
        time.sleep(1.0)
    return None, refused


# ---- loading data files -------------------------------------------------------------

# Run in a process of its own, so that its peak memory is the loading's alone. A stored
# vector must read back as the same JSON text (so 1 stays 1 and -0.0 stays -0.0).
# Peak memory from /proc (VmHWM): getrusage's ru_maxrss survives exec, so a child would
# report its parent's peak at the fork when that is larger.
_LOADER = """
import json, resource, sys, time
from cf_vectorize.server import load_index
def kib(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
probes = json.load(sys.stdin)
before = kib("VmHWM")
start = time.perf_counter()
index = load_index("load-test", sys.argv[1])
seconds = time.perf_counter() - start
peak = kib("VmHWM")
def text(vector):
    return json.dumps(vector, sort_keys=True)
wrong = [row["id"] for row in probes if text(index.get(row["id"])) != text(row)]
print(json.dumps({"seconds": seconds, "before_kib": before, "peak_kib": peak,
                  "vectors": len(index), "wrong": wrong[:3]}))
"""


def write_data_file(path: Path, vectors: int, dims: int) -> list[dict[str, object]]:
    """Write an NDJSON file of ``vectors`` rows; return some rows to compare with the index.

    Values have 4 decimals, as a file of embeddings rounded for size would; a few rows
    hold awkward numbers (integers, 17 digits, tiny and huge exponents, -0.0) whose text
    must come back as the same number. Rows repeat a pool of value lists, so writing a
    file of hundreds of megabytes takes seconds.
    """
    rnd = random.Random(11)  # noqa: S311 - test data, not secrets
    pool = [[round(rnd.uniform(-1, 1), 4) for _ in range(dims)] for _ in range(97)]
    awkward = [0.1, 1, -0.0, 0.30000000000000004, 1e-300, 1.7976931348623157e308, 5e-324, -7]
    pool[0] = [awkward[n % len(awkward)] for n in range(dims)]
    texts = [json.dumps(values) for values in pool]
    probes: list[dict[str, object]] = []
    step = max(vectors // 5, 1)
    with path.open("w", encoding="utf-8") as out:
        for n in range(vectors):
            row: dict[str, object] = {"id": f"vec-{n:07d}", "values": pool[n % len(pool)]}
            if n % 1000 == 1:
                row["metadata"] = {"title": f"é {n}", "n": n}
                row["namespace"] = "ns"
                out.write(json.dumps(row) + "\n")
            else:  # the same text json.dumps(row) gives, without serialising the values again
                out.write(f'{{"id": "{row["id"]}", "values": {texts[n % len(pool)]}}}\n')
            if n % step in (0, 1) or n == vectors - 1:
                probes.append(row)
    return probes


def loading(vectors: int, dims: int, full_vectors: int) -> Callable[[Scale], Outcome]:
    """A scenario loading a file of ``vectors`` x ``dims`` (``full_vectors`` at full scale)."""

    def run(scale: Scale) -> Outcome:
        count = full_vectors if scale == "full" else vectors
        outcome = Outcome()
        with tempfile.TemporaryDirectory(prefix="cf-vectorize-load-") as folder:
            path = Path(folder) / "vectors.ndjson"
            probes = write_data_file(path, count, dims)
            size = path.stat().st_size
            done = subprocess.run(
                [sys.executable, "-c", _LOADER, str(path)],
                input=json.dumps(probes),
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        if done.returncode != 0:
            outcome.problems.append(f"loading failed: {done.stderr[-300:]}")
            return outcome
        figures = json.loads(done.stdout)
        mib = size / 2**20
        grown = (figures["peak_kib"] - figures["before_kib"]) * 1024 / size
        total = figures["peak_kib"] * 1024 / size
        outcome.figures["file"] = f"{count:,} x {dims} dims, {mib:,.0f} MiB"
        outcome.figures["load time"] = (
            f"{figures['seconds']:.1f} s ({mib / figures['seconds']:.0f} MiB/s)"
        )
        outcome.figures["peak RSS per MiB of file"] = (
            f"{grown:.2f} MiB for the index ({total:.2f} with the interpreter)"
        )
        if figures["vectors"] != count:
            outcome.problems.append(f"{figures['vectors']} vectors loaded of {count}")
        outcome.problems += [f"{vector_id} not served as written" for vector_id in figures["wrong"]]
        if grown > LOAD_MEMORY_TARGET:
            outcome.misses.append(f"peak {grown:.2f} x the file, target {LOAD_MEMORY_TARGET}")
        return outcome

    return run


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("unknown methods (TRACE, CONNECT, QUERY, ...)", unknown_methods),
    Scenario("malformed request lines, HTTP/2.0, oversized heads", malformed_request_lines),
    Scenario("lone surrogates, bodies nested 500,000 deep", hostile_bodies),
    Scenario("connections dripping a byte a second", dripping_connections),
    Scenario("loading 100,000 x 768", loading(2_000, 768, 100_000)),
    Scenario("loading 1,000,000 x 8", loading(20_000, 8, 1_000_000)),
)
