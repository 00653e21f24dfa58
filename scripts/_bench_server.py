"""The benchmark's loopback server: get_by_ids answered from pre-serialised bytes.

`start_server` runs it in its own process (`python -m scripts._bench_server`): it prints its
base URL on the first line of stdout and serves until stdin closes. The index name chooses
the vectors and the latency:
`dims<N>` (such as `dims3`, `dims1536`) answers at once, `dims<N>-slow` after LATENCY seconds.
Answers are cached by (path, body), so after the first round the server only looks them up:
what the benchmark measures is the client. Sleeps are concurrent (one task per connection).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import sys
from contextlib import ExitStack

from scripts._paths import ROOT

LATENCY = 0.05  # seconds added to every answer of a `-slow` index
INDEX_PATTERN = re.compile(rb"/indexes/dims(\d+)(-slow)?/get_by_ids$")
ENVELOPE_HEAD = b'{"success":true,"errors":[],"messages":[],"result":['
ENVELOPE_TAIL = b"]}"


def vector_json(vector_id: str, dims: int) -> bytes:
    """Return one vector as Cloudflare writes it: float32 values printed to 9 digits."""
    # Seeded: the same id always has the same values (test data, not cryptography).
    rng = random.Random(f"{vector_id}/{dims}")  # noqa: S311
    values = ",".join(f"{rng.uniform(-1.0, 1.0):.9g}" for _ in range(dims))
    metadata = json.dumps({"source": "bench", "n": len(vector_id)}, separators=(",", ":"))
    return f'{{"id":{json.dumps(vector_id)},"values":[{values}],"metadata":{metadata}}}'.encode()


def answer(path: bytes, body: bytes) -> tuple[int, bytes]:
    """Return status and body for one request (computed once, then cached by the caller)."""
    match = INDEX_PATTERN.search(path)
    if match is None:
        return 404, b'{"success":false,"errors":[{"code":7003,"message":"No route"}],"result":null}'
    ids = json.loads(body)["ids"]
    dims = int(match.group(1))
    vectors = b",".join(vector_json(vector_id, dims) for vector_id in ids)
    return 200, ENVELOPE_HEAD + vectors + ENVELOPE_TAIL


class Server:
    """A minimal HTTP/1.1 keep-alive server over asyncio streams."""

    def __init__(self) -> None:
        self._cache: dict[tuple[bytes, bytes], tuple[bytes, bool]] = {}

    def _response(self, path: bytes, body: bytes) -> tuple[bytes, bool]:
        key = (path, body)
        cached = self._cache.get(key)
        if cached is None:
            status, content = answer(path, body)
            reason = b"OK" if status == 200 else b"Not Found"
            head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n" % (status, reason)
            head += b"content-length: %d\r\n\r\n" % len(content)
            slow = bool((match := INDEX_PATTERN.search(path)) and match.group(2))
            cached = self._cache[key] = (head + content, slow)
        return cached

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection until the client closes it."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, _, headers = head.partition(b"\r\n")
                length = 0
                for line in headers.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                response, slow = self._response(request_line.split(b" ")[1], body)
                if slow:
                    await asyncio.sleep(LATENCY)
                writer.write(response)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client closed the connection, or the server is stopping
        finally:
            writer.close()


async def serve() -> None:
    """Serve on a free loopback port until stdin closes (the benchmark ends or dies)."""
    server = await asyncio.start_server(Server().handle, "127.0.0.1", 0, backlog=256)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/client/v4", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def start_server(stack: ExitStack) -> str:
    """Start the loopback server in its own process; return its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts._bench_server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stack.callback(server.wait, timeout=10)
    stack.callback(server.stdin.close)  # type: ignore[union-attr]
    line = server.stdout.readline().strip()  # type: ignore[union-attr]
    if not line.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"the benchmark server did not start: {line!r}")
    return line


if __name__ == "__main__":
    asyncio.run(serve())
