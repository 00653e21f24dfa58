"""HTTP handling of the stand-in: reading requests within a deadline, routing, and answering.

Every answer, whatever the request, is Cloudflare's JSON envelope with a status of its
own: ``http.server``'s HTML error pages, its 501 for unknown methods and its bare
HTTP/0.9 replies are all replaced here, at the level of the handler class rather than
per method.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import secrets
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import unquote

from .._limits import MAX_ACCOUNT_ID_LENGTH
from . import _get_by_ids, _listing, _responses
from ._auth import Credentials
from ._hooks import CREDENTIAL_HEADERS, Faults, RecordedRequest, RequestLog
from ._responses import Answer
from ._routes import Request, Route
from ._store import Store

__all__ = ["ROUTES", "Config", "HTTPServer", "Handler"]

_log = logging.getLogger("cf_vectorize.server")

# Every endpoint the stand-in serves; each answers under .../indexes/{index_name}/{action}.
ROUTES: Final[tuple[Route, ...]] = (_get_by_ids.ROUTE, _listing.ROUTE)

_INDEX_PATH: Final = re.compile(
    r"/client/v4/accounts/(?P<account>[^/]+)/vectorize/v2/indexes/(?P<index>[^/]+)"
    r"/(?P<action>[^/]+)/?"
)
_MAX_REQUEST_LINE: Final = 65536
# Empty lines a client may send before a request line (RFC 9112, section 2.2).
_MAX_EMPTY_LINES: Final = 8
_CONTENT_LENGTH: Final = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Config:
    """What a running stand-in serves and accepts, and the hooks tests steer it with."""

    store: Store
    credentials: Credentials
    account_id: str | None
    max_body_bytes: int
    timeout: float  # seconds a connection may stay silent
    max_connections: int
    request_timeout: float  # seconds a client has to send one whole request
    faults: Faults = field(default_factory=Faults)
    log: RequestLog | None = None
    listings: _listing.Listings = field(default_factory=_listing.Listings)


class HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the stand-in's configuration."""

    # Threads of idle keep-alive connections must not hold up shutdown.
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections,
    # and each dropped one waits a second for the retransmission.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], config: Config) -> None:
        self.config = config
        # One thread per connection: the cap keeps many slow or idle clients from
        # growing the server without bound. Past it, new connections get a 503 at once.
        self._slots = threading.BoundedSemaphore(config.max_connections)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._stopping = threading.Event()
        # Written to by stop(): wakes the accept loop at once instead of at its next poll.
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(address, Handler)

    def serve(self) -> None:
        """Accept connections until :meth:`stop` (``serve_forever`` polls; this is woken)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopping.is_set():
                        self.handle_request()

    def stopped_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; return True at once when the server stops meanwhile."""
        return self._stopping.wait(seconds)

    def stop(self) -> None:
        """Stop accepting, and end every open connection (its thread then ends too)."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")
        with self._open_lock:
            open_now = list(self._open)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def server_close(self) -> None:
        """Release the port and the wake-up pair."""
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def process_request(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Serve the connection on a thread of its own, or refuse it when all slots are taken."""
        if not self._slots.acquire(blocking=False):
            _log.info(
                "%s refused: %d connections open", client_address, self.config.max_connections
            )
            _refuse(request)
            self.shutdown_request(request)
            return
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Serve the connection, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Log a failure of the stand-in itself (socketserver would print to stderr)."""
        _log.exception("the stand-in failed serving %s", client_address)


def _refuse(connection: socket.socket) -> None:
    """Send a Cloudflare-shaped 503 without reading the request (it may never come)."""
    answer = _responses.too_many_connections()
    body = answer.payload()
    head = (
        f"HTTP/1.1 {answer.status} Service Unavailable\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    try:
        connection.settimeout(1.0)
        connection.sendall(head.encode() + body)
        connection.shutdown(socket.SHUT_WR)
        # Discard what the client sent so far: closing with unread data would reset the
        # connection, and the client could lose the 503 before reading it.
        connection.recv(65536, socket.MSG_DONTWAIT)
    except OSError:
        pass  # the client is gone, or sent nothing yet


class _DeadlineReader(io.RawIOBase):
    """Reads a socket with a timeout per read and, while armed, a deadline for all reads.

    A per-read timeout alone lets a client hold a connection for ever by sending a byte
    just before each timeout ends; the deadline bounds one whole request.
    """

    def __init__(self, sock: socket.socket, silence: float) -> None:
        super().__init__()
        self._sock = sock
        self._silence = silence
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401 - a writable buffer
        timeout = self._silence
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the request deadline passed")
            timeout = min(timeout, remaining)
        self._sock.settimeout(timeout)
        return self._sock.recv_into(buffer)


class _BodyError(Exception):
    """The body cannot be read; the answer is sent and the connection closed."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


@dataclass
class _Seen:
    """What is known of the request being answered, for the requests log."""

    route: str | None = None
    account_id: str | None = None
    index_name: str | None = None
    body: bytes = b""
    injected: bool = False


class Handler(BaseHTTPRequestHandler):
    """Answers the routes in ``ROUTES`` as Cloudflare does, and everything else with errors."""

    protocol_version = "HTTP/1.1"
    # A request line without a version (HTTP/0.9) is refused, and every answer, errors
    # included, has a status line: http.server leaves it out for HTTP/0.9.
    default_request_version = "HTTP/1.1"
    server_version = "cf-vectorize-stand-in"
    sys_version = ""
    server: HTTPServer

    def setup(self) -> None:
        """Make the request stream read under the silence timeout and the request deadline."""
        super().setup()
        # The head and the body go out as two writes: without TCP_NODELAY, Nagle's
        # algorithm holds the body until the client's delayed ACK, about 40 ms an answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()
        self._reader = _DeadlineReader(self.connection, self.server.config.timeout)
        self._buffered = io.BufferedReader(self._reader)
        self.rfile = self._buffered
        self._answered = False
        self._seen = _Seen()

    def handle_one_request(self) -> None:
        """Read one request within the deadline and answer it; every answer is JSON."""
        config = self.server.config
        self.command, self.request_version, self.requestline = "", "HTTP/1.1", ""
        self._answered, self._seen = False, _Seen()
        self._reader.deadline = None
        started = False
        try:
            # Waiting for a request is bounded by the silence timeout; once its first
            # byte is in, the whole request must arrive within the deadline.
            if not self._buffered.peek(1):
                self.close_connection = True
                return
            started = True
            self._reader.deadline = time.monotonic() + config.request_timeout
            if not self._read_request_line() or not self.parse_request():
                self.close_connection = True
                return
            self._dispatch()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
            if started and not self._answered:
                _log.info("%s: request not received in time", self.address_string())
                self._send(_responses.request_timeout(config.request_timeout), best_effort=True)
        except OSError as error:  # the client reset or closed the connection
            _log.info("%s: connection lost: %s", self.address_string(), error)
            self.close_connection = True

    def _read_request_line(self) -> bool:
        """Read the request line into ``raw_requestline``; answer and return False if bad."""
        for _ in range(_MAX_EMPTY_LINES + 1):
            line = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if line not in (b"\r\n", b"\n"):
                break
        self.raw_requestline = line
        if not line:
            return False  # the client closed the connection
        if len(line) > _MAX_REQUEST_LINE:
            self.send_error(414, "request line too long")
            return False
        if len(line.split()) != 3:
            self.requestline = str(line, "iso-8859-1").rstrip("\r\n")
            self.send_error(400, "malformed request line: expected METHOD TARGET HTTP/1.x")
            return False
        return True

    def parse_request(self) -> bool:
        """Parse the request line and headers; make sure a refusal is answered."""
        parsed = super().parse_request()
        if not parsed and not self._answered:
            self.send_error(400, "malformed request line")
        return parsed

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer what http.server refuses with Cloudflare's envelope, never an HTML page."""
        self.close_connection = True
        self._send(_responses.protocol_error(code, message))

    def send_response_only(self, code: int, message: str | None = None) -> None:
        """Write the status line, whatever version the request named (or failed to)."""
        if message is None:
            message = self.responses.get(code, ("",))[0]
        if not hasattr(self, "_headers_buffer"):
            self._headers_buffer = []
        line = f"{self.protocol_version} {code} {message}\r\n"
        self._headers_buffer.append(line.encode("latin-1", "replace"))

    def log_message(self, format: str, *args: object) -> None:
        """Log through ``logging`` (the request line only: never a header)."""
        _log.info("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        try:
            answer = self._answer()
        except _BodyError as problem:
            self.close_connection = True
            answer = problem.answer
        except OSError:  # a timeout or a lost connection: handle_one_request's to deal with
            raise
        except Exception:
            _log.exception("the stand-in failed on %s %s", self.command, self.path)
            self.close_connection = True
            answer = _responses.internal_error()
        self._record(answer)
        self._send(answer)

    def _answer(self) -> Answer:  # noqa: PLR0911 - one return per kind of answer
        config = self.server.config
        path, _, query = self.path.partition("?")
        match = _INDEX_PATH.fullmatch(path)
        routes = [r for r in ROUTES if match and r.action == match["action"]]
        account = unquote(match["account"]) if match else ""
        if not routes or len(account) > MAX_ACCOUNT_ID_LENGTH:
            return self._unread_body(_responses.no_route())
        assert match is not None  # noqa: S101 - routes is empty otherwise
        index_name = unquote(match["index"])
        self._seen.account_id, self._seen.index_name = account, index_name
        route = _route_for(routes, self.command)
        if route is None:
            allowed = ", ".join(sorted({r.method for r in routes}))
            return self._unread_body(_responses.method_not_allowed(allowed))
        self._seen.route = route.name
        body = self._read_body(config.max_body_bytes)
        self._seen.body = body
        delay = config.faults.take_delay(route.name)
        if delay and self.server.stopped_within(delay):
            self.close_connection = True
            return _responses.stopping()
        fault = config.faults.take(route.name)
        if fault is not None:
            self._seen.injected = True
            return fault
        refusal = config.credentials.check(self.headers)
        if refusal is not None:
            return refusal
        if config.account_id is not None and account != config.account_id:
            # Cloudflare answers a token without access to an account this way.
            return _responses.authentication_error(403)
        index = config.store.get(index_name)
        if index is None:
            return _responses.index_not_found(index_name)
        request = Request(
            self.command, path, query, account, index_name, self.headers, body, config
        )
        return route.answer(index, request)

    def _unread_body(self, answer: Answer) -> Answer:
        # A body left unread would be taken for the next request on this connection.
        if self.headers.get("Content-Length", "0").strip() not in ("", "0"):
            self.close_connection = True
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
        return answer

    def _read_body(self, limit: int) -> bytes:
        if "Transfer-Encoding" in self.headers:
            # Chunked bodies are not read; with a Content-Length too, a proxy in front could
            # take the body's end elsewhere than the stand-in does.
            raise _BodyError(_responses.length_required())
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        # Strictly digits (int() would take "+5", "5_0" or other scripts' digits), and
        # only one value: two could be read differently by a proxy in front.
        texts = {text.strip() for text in lengths}
        if len(texts) != 1 or not _CONTENT_LENGTH.fullmatch(text := texts.pop()):
            raise _BodyError(_responses.malformed_body("invalid Content-Length"))
        length = int(text)
        if length > limit:
            raise _BodyError(_responses.body_too_large(limit))
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BodyError(_responses.malformed_body("body shorter than Content-Length"))
        return body

    def _record(self, answer: Answer) -> None:
        log = self.server.config.log
        if log is None:
            return
        path, _, query = self.path.partition("?")
        seen = self._seen
        headers = {
            name.lower(): value
            for name, value in self.headers.items()
            if name.lower() not in CREDENTIAL_HEADERS
        }
        log.add(
            RecordedRequest(
                method=self.command,
                path=path,
                query=query,
                route=seen.route,
                account_id=seen.account_id,
                index_name=seen.index_name,
                headers=headers,
                body=seen.body,
                status=int(answer.status),
                injected=seen.injected,
            )
        )

    def _send(self, answer: Answer, *, best_effort: bool = False) -> None:
        self._answered = True
        # Writing is bounded by the silence timeout, not by what is left of the deadline.
        self._reader.deadline = None
        self.connection.settimeout(self.server.config.timeout)
        payload = answer.payload()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            # Cloudflare's request id; clients report it with errors.
            self.send_header("cf-ray", f"{secrets.token_hex(8)}-LCL")
            for name, value in (answer.headers or {}).items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except OSError:
            if not best_effort:
                raise


def _route_for(routes: list[Route], method: str) -> Route | None:
    for route in routes:
        if route.method == method or (method == "HEAD" and route.method == "GET"):
            return route
    return None
