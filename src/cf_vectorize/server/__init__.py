"""A local stand-in for Cloudflare Vectorize's get_by_ids and List Vectors, for demos and tests.

Cloudflare offers no local Vectorize; this serves indexes loaded from NDJSON files (the
format ``wrangler vectorize insert --file`` takes) with Cloudflare's envelope, errors and
20-id limit, and lists their ids in snapshot pages behind expiring cursors (see
``_listing``), under ``/client/v4``::

    with StandInServer(credentials=Credentials(token="t")) as server:
        httpx.post(f"{server.base_url}/accounts/a/vectorize/v2/indexes/sample/get_by_ids",
                   json={"ids": ["doc-001"]}, headers={"Authorization": "Bearer t"})
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Final, Self

from .._durations import duration_problem
from ._auth import Credentials
from ._handler import ROUTES, Config, HTTPServer
from ._hooks import Faults, RecordedRequest, RequestLog
from ._listing import (
    CURSOR_EXPIRED_CODE,
    DEFAULT_CURSOR_TTL,
    INVALID_CURSOR_CODE,
    INVALID_QUERY_CODE,
    Listings,
)
from ._store import (
    SAMPLE_INDEX_NAME,
    DataFileError,
    Index,
    Store,
    load_index,
    load_sample_index,
    parse_index_lines,
    parse_index_rows,
)

__all__ = [
    "CURSOR_EXPIRED_CODE",
    "DEFAULT_CURSOR_TTL",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "INVALID_CURSOR_CODE",
    "INVALID_QUERY_CODE",
    "SAMPLE_INDEX_NAME",
    "Credentials",
    "DataFileError",
    "Index",
    "RecordedRequest",
    "StandInServer",
    "Store",
    "load_index",
    "load_sample_index",
    "parse_index_lines",
    "parse_index_rows",
]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
# Seconds a connection may stay silent (mid-request or idle between requests).
DEFAULT_TIMEOUT: Final = 10.0
# Seconds a client has to send one whole request, from its first byte to its body's last:
# a client sending a byte at a time keeps no connection longer than this.
DEFAULT_REQUEST_TIMEOUT: Final = 5.0
# Connections served at once (a thread each); more are answered 503 at once.
DEFAULT_MAX_CONNECTIONS: Final = 256


class StandInServer:
    """The stand-in, bound on construction and served from a thread while started.

    Use it as a context manager (start on enter, stop on exit), or call :meth:`start`
    and :meth:`stop`. With no ``credentials`` it makes a random API token, readable as
    ``.credentials.token``; with no ``store`` it serves the bundled ``sample`` index.
    For tests: :meth:`add_index` while serving, :meth:`fail_next` to inject errors, and
    with ``record_requests=True``, :attr:`requests`.
    List Vectors cursors expire ``cursor_ttl`` seconds after they are issued;
    :meth:`expire_cursors` expires every one issued so far.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        credentials: Credentials | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        account_id: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        record_requests: bool = False,
        cursor_ttl: float = DEFAULT_CURSOR_TTL,
    ) -> None:
        _check_limits(timeout, request_timeout, max_body_bytes, max_connections)
        if store is None:
            store = Store({SAMPLE_INDEX_NAME: load_sample_index()})
        self.credentials = credentials if credentials is not None else Credentials.random_token()
        self.store = store
        self._faults = Faults()
        self._log = RequestLog() if record_requests else None
        config = Config(
            store=store,
            credentials=self.credentials,
            account_id=account_id,
            max_body_bytes=max_body_bytes,
            timeout=timeout,
            max_connections=max_connections,
            request_timeout=request_timeout,
            faults=self._faults,
            log=self._log,
            listings=Listings(cursor_ttl),
        )
        server_class = _IPv6Server if ":" in host else HTTPServer
        self._server = server_class((host, port), config)
        self._thread: threading.Thread | None = None

    def expire_cursors(self) -> None:
        """Expire every List Vectors cursor issued so far (their next use gets code 40003)."""
        self._server.config.listings.expire_all()

    @property
    def port(self) -> int:
        """The port bound (the one picked when asked for port 0)."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The API base URL, ``http://HOST:PORT/client/v4``."""
        host = str(self._server.server_address[0])
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/client/v4"

    def add_index(self, name: str, vectors: Iterable[object]) -> Index:
        """Serve ``vectors`` (rows as in a data file) as the index ``name``, replacing any.

        Each row is checked as a data file's line is: ``{"id", "values", "metadata"?,
        "namespace"?}``; a bad row raises :class:`DataFileError` naming it, and nothing
        is served.
        """
        index = parse_index_rows(name, vectors)
        self.store.add(index)
        return index

    def fail_next(
        self,
        status: int,
        *,
        code: int,
        message: str | None = None,
        retry_after: float | str | None = None,
        times: int | None = 1,
        route: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests with Cloudflare's error envelope.

        ``status`` (400-599) and ``code`` as Cloudflare would send them, ``message``
        (default: the status's phrase), ``retry_after`` as the ``Retry-After`` header;
        ``times=None`` until :meth:`clear_faults`. ``route`` (``"get_by_ids"`` or
        ``"list_vectors"``) limits the fault to one endpoint. A fault answers before
        credentials are checked, as Cloudflare's edge does; paths that name no endpoint
        are never faulted.
        """
        _check_route(route)
        self._faults.add(
            status, code=code, message=message, retry_after=retry_after, times=times, route=route
        )

    def delay_next(
        self, seconds: float, *, times: int | None = 1, route: str | None = None
    ) -> None:
        """Hold the next ``times`` requests ``seconds`` (at most a day) before answering.

        For testing a client's timeouts: the answer then comes as usual, or from
        :meth:`fail_next`. ``times=None`` until :meth:`clear_faults`; ``route`` as for
        :meth:`fail_next`. Stopping the stand-in ends a wait at once.
        """
        _check_route(route)
        self._faults.add_delay(seconds, times=times, route=route)

    def clear_faults(self) -> None:
        """Drop every fault and delay not yet used."""
        self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, in order (needs ``record_requests=True``)."""
        if self._log is None:
            raise RuntimeError(
                "requests are recorded only with StandInServer(record_requests=True)"
            )
        return self._log.snapshot()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        if self._log is not None:
            self._log.clear()

    def start(self) -> None:
        """Serve from a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("the stand-in is already started")
        self._thread = threading.Thread(
            target=self._server.serve, name=f"cf-vectorize-stand-in:{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port; open connections are closed."""
        if self._thread is not None:
            self._server.stop()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"StandInServer(base_url={self.base_url!r}, indexes={sorted(self.store.indexes)})"


def _check_limits(
    timeout: float, request_timeout: float, max_body_bytes: int, max_connections: int
) -> None:
    """Refuse limits a socket or a semaphore would only refuse later, in a serving thread."""
    for name, seconds in (("timeout", timeout), ("request_timeout", request_timeout)):
        problem = duration_problem(seconds)  # a socket timeout overflows long before inf
        if problem is not None:
            raise ValueError(f"{name} must be {problem}")
    if max_body_bytes < 0:
        raise ValueError(f"max_body_bytes must be 0 or more, got {max_body_bytes}")
    if max_connections < 1:
        raise ValueError(f"max_connections must be at least 1, got {max_connections}")


class _IPv6Server(HTTPServer):
    address_family = socket.AF_INET6


def _check_route(route: str | None) -> None:
    names = sorted(r.name for r in ROUTES)
    if route is not None and route not in names:
        # A misspelt route would otherwise never fault, and the test pass for nothing.
        raise ValueError(f"no route {route!r}: the routes are {', '.join(names)}")
