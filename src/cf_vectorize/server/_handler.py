"""HTTP handling of the stand-in: routing, body limits, auth, and the get_by_ids answer."""

from __future__ import annotations

import json
import logging
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from .._limits import MAX_ACCOUNT_ID_LENGTH, MAX_ID_BYTES, MAX_IDS_PER_REQUEST
from . import _responses
from ._auth import Credentials
from ._responses import Answer
from ._store import Store

__all__ = ["Config", "HTTPServer", "Handler"]

_log = logging.getLogger("cf_vectorize.server")

_ROUTE: Final = re.compile(
    r"^/client/v4/accounts/(?P<account>[^/]+)/vectorize/v2/indexes/(?P<index>[^/]+)"
    r"/get_by_ids/?$"
)


@dataclass(frozen=True)
class Config:
    """What a running stand-in serves and accepts."""

    store: Store
    credentials: Credentials
    account_id: str | None
    max_body_bytes: int
    timeout: float
    max_connections: int


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
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Serve the connection on a thread of its own, or refuse it when all slots are taken."""
        if not self._slots.acquire(blocking=False):
            _log.info(
                "%s refused: %d connections open", client_address, self.config.max_connections
            )
            _refuse(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        """Serve the connection, then free its slot."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _refuse(connection: socket.socket) -> None:
    """Send a Cloudflare-shaped 503 without reading the request (it may never come)."""
    answer = _responses.too_many_connections()
    body = json.dumps(answer.body).encode()
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


class _BodyError(Exception):
    """The body cannot be read; the answer is sent and the connection closed."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


class Handler(BaseHTTPRequestHandler):
    """Answers ``POST .../get_by_ids`` as Cloudflare does, and everything else with errors."""

    protocol_version = "HTTP/1.1"
    server_version = "cf-vectorize-stand-in"
    sys_version = ""
    server: HTTPServer

    def setup(self) -> None:
        """Set the per-connection socket timeout before the streams are made."""
        self.request.settimeout(self.server.config.timeout)
        super().setup()

    def do_POST(self) -> None:
        """Handle POST."""
        self._dispatch()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST

    def log_message(self, format: str, *args: object) -> None:
        """Log through ``logging`` (the request line only: never a header)."""
        _log.info("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        try:
            answer = self._answer()
        except _BodyError as problem:
            self.close_connection = True
            answer = problem.answer
        except TimeoutError:
            _log.info("%s timed out reading the body", self.address_string())
            self.close_connection = True
            return
        except Exception:
            _log.exception("the stand-in failed on %s %s", self.command, self.path)
            self.close_connection = True
            answer = _responses.internal_error()
        self._send(answer)

    def _answer(self) -> Answer:  # noqa: PLR0911 - one return per kind of answer
        config = self.server.config
        match = _ROUTE.match(urlsplit(self.path).path)
        account = unquote(match["account"]) if match else ""
        if match is None or len(account) > MAX_ACCOUNT_ID_LENGTH:
            return self._unread_body(_responses.no_route())
        if self.command != "POST":
            return self._unread_body(_responses.method_not_allowed("POST"))
        body = self._read_body(config.max_body_bytes)
        refusal = config.credentials.check(self.headers)
        if refusal is not None:
            return refusal
        if config.account_id is not None and account != config.account_id:
            # Cloudflare answers a token without access to an account this way.
            return _responses.authentication_error(403)
        index_name = unquote(match["index"])
        index = config.store.get(index_name)
        if index is None:
            return _responses.index_not_found(index_name)
        ids = _parse_ids(body)
        if isinstance(ids, Answer):
            return ids
        return _responses.success(index.get_by_ids(ids))

    def _unread_body(self, answer: Answer) -> Answer:
        # A body left unread would be taken for the next request on this connection.
        if self.headers.get("Content-Length", "0").strip() not in ("", "0"):
            self.close_connection = True
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
        return answer

    def _read_body(self, limit: int) -> bytes:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if "Transfer-Encoding" in self.headers:
                raise _BodyError(_responses.length_required())
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BodyError(_responses.malformed_body("invalid Content-Length")) from None
        if length < 0:
            raise _BodyError(_responses.malformed_body("invalid Content-Length"))
        if length > limit:
            raise _BodyError(_responses.body_too_large(limit))
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BodyError(_responses.malformed_body("body shorter than Content-Length"))
        return body

    def _send(self, answer: Answer) -> None:
        payload = json.dumps(answer.body, separators=(",", ":")).encode()
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


def _parse_ids(body: bytes) -> list[str] | Answer:  # noqa: PLR0911 - one per problem
    """Return the ids of a get_by_ids body, or the error answer for a bad one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _responses.malformed_body("the body is not valid JSON")
    if not isinstance(payload, dict):
        return _responses.malformed_body("the body must be a JSON object")
    if "ids" not in payload:
        return _responses.malformed_body("ids is required")
    ids = payload["ids"]
    if not isinstance(ids, list):
        return _responses.malformed_body("ids must be an array of strings")
    if len(ids) > MAX_IDS_PER_REQUEST:
        return _responses.too_many_ids()
    if not ids:
        return _responses.malformed_body("ids must hold at least one id")
    for position, vector_id in enumerate(ids):
        if not isinstance(vector_id, str) or not vector_id:
            return _responses.malformed_body(f"ids[{position}] must be a non-empty string")
        if len(vector_id.encode()) > MAX_ID_BYTES:
            return _responses.malformed_body(f"ids[{position}] is over {MAX_ID_BYTES} bytes")
    return ids
