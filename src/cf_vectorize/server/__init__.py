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
from types import TracebackType
from typing import Final

from ._auth import Credentials
from ._handler import Config, HTTPServer
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
)

__all__ = [
    "CURSOR_EXPIRED_CODE",
    "DEFAULT_CURSOR_TTL",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_TIMEOUT",
    "INVALID_CURSOR_CODE",
    "INVALID_QUERY_CODE",
    "SAMPLE_INDEX_NAME",
    "Credentials",
    "DataFileError",
    "Index",
    "StandInServer",
    "Store",
    "load_index",
    "load_sample_index",
    "parse_index_lines",
]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
# Seconds a connection may stay silent (mid-request or idle between requests).
DEFAULT_TIMEOUT: Final = 10.0
# Connections served at once (a thread each); more are answered 503 at once.
DEFAULT_MAX_CONNECTIONS: Final = 256


class StandInServer:
    """The stand-in, bound on construction and served from a thread while started.

    Use it as a context manager (start on enter, stop on exit), or call :meth:`start`
    and :meth:`stop`. With no ``credentials`` it makes a random API token, readable as
    ``.credentials.token``; with no ``store`` it serves the bundled ``sample`` index.
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
        cursor_ttl: float = DEFAULT_CURSOR_TTL,
    ) -> None:
        if store is None:
            store = Store({SAMPLE_INDEX_NAME: load_sample_index()})
        self.credentials = credentials if credentials is not None else Credentials.random_token()
        self.store = store
        config = Config(
            store=store,
            credentials=self.credentials,
            account_id=account_id,
            max_body_bytes=max_body_bytes,
            timeout=timeout,
            max_connections=max_connections,
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

    def start(self) -> None:
        """Serve from a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("the stand-in is already started")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"cf-vectorize-stand-in:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port; idle connections are dropped."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> StandInServer:
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


class _IPv6Server(HTTPServer):
    address_family = socket.AF_INET6
