"""A fault-injecting HTTP server on 127.0.0.1, for the reliability tests and `make reliability`.

It speaks just enough HTTP/1.1 over raw sockets to misbehave in ways a real server library
would not let us: reset a connection mid-body, drip bytes, never answer. Each request is
answered by the next behaviour of its script (the last one repeats); every request is
recorded. Everything it starts ends by itself once the server is closed.
"""

from __future__ import annotations

import functools
import json
import select
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

MAX_HEAD_BYTES = 64 * 1024
# A connection's thread gives up after this long without hearing from the client.
IDLE_LIMIT = 30.0


@dataclass(frozen=True)
class Request:
    """One request as received."""

    method: str
    target: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Exchange:
    """What a behaviour may use: the socket, the request, and the server's stop signal.

    `earlier` holds the requests the server received before this one; behaviours keep no
    state of their own, so one script can serve many runs.
    """

    sock: socket.socket
    request: Request
    stopped: threading.Event
    earlier: tuple[Request, ...] = ()

    def send(self, data: bytes) -> bool:
        """Send data; False once the client has gone."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def wait_for_close(self, limit: float = IDLE_LIMIT) -> None:
        """Return once the client closes the connection, the server stops, or limit passes."""
        deadline = time.monotonic() + limit
        self.sock.settimeout(0.05)
        while not self.stopped.is_set() and time.monotonic() < deadline:
            try:
                if not self.sock.recv(4096):
                    return
            except TimeoutError:
                continue
            except OSError:
                return


# A behaviour answers one request; it returns whether the connection may serve another.
Behaviour = Callable[[Exchange], bool]


def http_response(
    status: int, body: bytes, content_type: str = "application/json", **headers: str
) -> bytes:
    """Return the bytes of a complete HTTP/1.1 response."""
    lines = [f"HTTP/1.1 {status} Status", f"Content-Type: {content_type}"]
    lines += [f"Content-Length: {len(body)}", "cf-ray: 0123456789abcdef-LCL"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def respond(
    status: int, body: bytes, content_type: str = "application/json", **headers: str
) -> Behaviour:
    """Answer with this status, body and headers."""
    data = http_response(status, body, content_type, **headers)

    def behaviour(exchange: Exchange) -> bool:
        return exchange.send(data)

    return behaviour


def respond_json(status: int, payload: Any, **headers: str) -> Behaviour:
    """Answer with payload as JSON."""
    return respond(status, json.dumps(payload).encode(), **headers)


def envelope(result: Any) -> dict[str, Any]:
    """Cloudflare's success envelope around result."""
    return {"success": True, "errors": [], "messages": [], "result": result}


def failure_body(code: int, message: str) -> dict[str, Any]:
    """Cloudflare's error envelope with one item."""
    return {
        "success": False,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": None,
    }


def vector(vector_id: str) -> dict[str, Any]:
    """The vector the fault server returns for an id."""
    return {"id": vector_id, "values": [0.5, -0.25], "metadata": {"id": vector_id}}


def found(exchange: Exchange) -> bool:
    """Answer a get_by_ids request with a vector for each id asked."""
    ids = exchange.request.json()["ids"]
    return respond_json(200, envelope([vector(i) for i in ids]))(exchange)


def failing_for(vector_id: str, bad: Behaviour, times: int | None = None) -> Behaviour:
    """Answer with bad when the request asks for vector_id (the first times only), else found."""

    def behaviour(exchange: Exchange) -> bool:
        asked = [request for request in exchange.earlier if vector_id in request.json()["ids"]]
        chosen = vector_id in exchange.request.json()["ids"] and (
            times is None or len(asked) < times
        )
        return (bad if chosen else found)(exchange)

    return behaviour


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_before_body(exchange: Exchange) -> bool:
    """Read the request, send nothing, and reset the connection."""
    _reset(exchange.sock)
    return False


def reset_during_body(exchange: Exchange) -> bool:
    """Send the head and half of a success body, then reset the connection."""
    ids = exchange.request.json()["ids"]
    data = http_response(200, json.dumps(envelope([vector(i) for i in ids])).encode())
    head_end = data.index(b"\r\n\r\n") + 4
    exchange.send(data[: head_end + (len(data) - head_end) // 2])
    time.sleep(0.05)  # let the half arrive before the reset
    _reset(exchange.sock)
    return False


def close_during_body(exchange: Exchange) -> bool:
    """Send the head and half of a success body, then close the connection cleanly (FIN)."""
    ids = exchange.request.json()["ids"]
    data = http_response(200, json.dumps(envelope([vector(i) for i in ids])).encode())
    head_end = data.index(b"\r\n\r\n") + 4
    exchange.send(data[: head_end + (len(data) - head_end) // 2])
    return False


def never_answer(exchange: Exchange) -> bool:
    """Read the request and say nothing until the client gives up."""
    exchange.wait_for_close()
    return False


def drip(interval: float = 0.2, head_first: bool = False) -> Behaviour:
    """Send a success answer one byte every interval (after the whole head if head_first)."""

    def behaviour(exchange: Exchange) -> bool:
        ids = exchange.request.json()["ids"]
        data = http_response(200, json.dumps(envelope([vector(i) for i in ids])).encode())
        start = data.index(b"\r\n\r\n") + 4 if head_first else 0
        if not exchange.send(data[:start]):
            return False
        for position in range(start, len(data)):
            if exchange.stopped.wait(interval) or not exchange.send(data[position : position + 1]):
                return False
        return True

    return behaviour


def slow(seconds: float) -> Behaviour:
    """Answer as `found` does, after seconds (or at once when the server stops)."""

    def behaviour(exchange: Exchange) -> bool:
        if exchange.stopped.wait(seconds):
            return False
        return found(exchange)

    return behaviour


def stream_zeros(exchange: Exchange, total: int, chunked: bool = False) -> bool:
    """Send total zero bytes of body (as chunks when chunked) until the client goes."""
    block = bytes(64 * 1024)
    if chunked:
        block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    for _ in range(0, total, 64 * 1024):
        if exchange.stopped.is_set() or not exchange.send(block):
            return False
    return exchange.send(b"0\r\n\r\n") if chunked else True


def declared_body(size: int) -> Behaviour:
    """A 200 that declares a body of size bytes (Content-Length), and sends it."""

    def behaviour(exchange: Exchange) -> bool:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}"
        return exchange.send(head.encode() + b"\r\n\r\n") and stream_zeros(exchange, size)

    return behaviour


def undeclared_body(size: int) -> Behaviour:
    """A 200 whose body of size bytes comes in chunks, its size declared nowhere."""

    def behaviour(exchange: Exchange) -> bool:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
        sent = exchange.send(head.encode() + b"\r\n\r\n")
        return sent and stream_zeros(exchange, size, chunked=True)

    return behaviour


@functools.cache
def zeros_compressed(size: int, encoding: str) -> bytes:
    """size zero bytes compressed as gzip or deflate (zlib-wrapped): about 1,000 times smaller."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | (16 if encoding == "gzip" else 0))
    block = bytes(1 << 20)
    parts = [packer.compress(block[: size - done]) for done in range(0, size, len(block))]
    return b"".join(parts) + packer.flush()


def compression_bomb(size: int, encoding: str = "gzip") -> Behaviour:
    """A 200 whose small body inflates to size bytes of zeros."""

    def behaviour(exchange: Exchange) -> bool:
        body = zeros_compressed(size, encoding)
        return respond(200, body, **{"Content-Encoding": encoding})(exchange)

    return behaviour


def redirect(status: int, location: str) -> Behaviour:
    """Answer with a redirect to location."""
    body = json.dumps({"moved": location}).encode()
    return respond(status, body, Location=location)


def proxy(relayed: list[bytes]) -> Behaviour:
    """Act as an HTTP proxy: tunnel a CONNECT to its target; refuse anything else with 502.

    Every byte the client sends through a tunnel is appended to relayed (what a proxy could
    read there); the request heads it receives are recorded as any FaultServer records
    them. Forwarding a plain-http request is refused: seeing it is already the failure.
    """

    def behaviour(exchange: Exchange) -> bool:
        request = exchange.request
        if request.method != "CONNECT":
            exchange.send(http_response(502, b'{"proxy": "only CONNECT is served"}'))
            return False
        host, _, port = request.target.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
        except (OSError, ValueError):
            exchange.send(http_response(502, b'{"proxy": "cannot reach the target"}'))
            return False
        with upstream:
            if exchange.send(b"HTTP/1.1 200 Connection established\r\n\r\n"):
                _relay(exchange, upstream, relayed)
        return False

    return behaviour


def _relay(exchange: Exchange, upstream: socket.socket, relayed: list[bytes]) -> None:
    """Copy bytes both ways until either side closes or the server stops."""
    client = exchange.sock
    deadline = time.monotonic() + IDLE_LIMIT
    while not exchange.stopped.is_set() and time.monotonic() < deadline:
        readable, _, _ = select.select([client, upstream], [], [], 0.05)
        for sock in readable:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            if sock is client:
                relayed.append(data)
            try:
                (upstream if sock is client else client).sendall(data)
            except OSError:
                return


@dataclass
class FaultServer:
    """Serves a script of behaviours on 127.0.0.1 from threads; use as a context manager."""

    script: Sequence[Behaviour]
    requests: list[Request] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)
    tls: ssl.SSLContext | None = None  # serve https with this server context
    handshakes_failed: int = 0

    def __post_init__(self) -> None:
        if not self.script:
            raise ValueError("a script needs at least one behaviour")
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._acceptor = threading.Thread(target=self._accept, name="fault-server", daemon=True)

    @property
    def port(self) -> int:
        """The port picked by the system."""
        return int(self._listener.getsockname()[1])

    @property
    def base_url(self) -> str:
        """The API base URL to give a client."""
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self.port}/client/v4"

    @property
    def attempts(self) -> int:
        """How many requests arrived."""
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> FaultServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting, end every connection and wait for the threads."""
        self.stopped.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            connections, threads = list(self._connections), list(self._threads)
        for sock in connections:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            with self._lock:
                self._connections.append(sock)
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(IDLE_LIMIT)
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError):
                with self._lock:
                    self.handshakes_failed += 1
                sock.close()
                return
            with self._lock:  # so that close() shuts the TLS socket down
                self._connections.append(sock)
        with sock:
            buffer = b""
            while not self.stopped.is_set():
                try:
                    request, buffer = _read_request(sock, buffer)
                except (OSError, ValueError):
                    return
                if request is None:
                    return
                with self._lock:
                    behaviour = self.script[min(len(self.requests), len(self.script) - 1)]
                    earlier = tuple(self.requests)
                    self.requests.append(request)
                sock.settimeout(IDLE_LIMIT)
                if not behaviour(Exchange(sock, request, self.stopped, earlier)):
                    return


def _read_request(sock: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    """Read one request; None when the client closed between requests."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEAD_BYTES:
            raise ValueError("request head too large")
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return Request(method, target, headers, rest[:length]), rest[length:]


@contextmanager
def serving(*script: Behaviour) -> Iterator[FaultServer]:
    """Start a FaultServer with this script, and close it afterwards."""
    with FaultServer(list(script)) as server:
        yield server
