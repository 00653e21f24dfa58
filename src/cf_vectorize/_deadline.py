"""A total deadline for the sync client's requests, kept by the socket reads themselves.

httpx's read timeout restarts with every byte, so a server dripping its answer could hold
a call as long as it liked. Wrapping the transport's network backend clamps each read and
write to the time left before the calling thread's deadline: the request runs on the
calling thread, with no helper thread to hand it to (a thread per call cost more than the
rest of a small call; issue 7). Used only on the transport the client makes itself; for
a transport or client passed in, `Vectorize` falls back to a helper thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import httpx

if TYPE_CHECKING:  # httpx imports httpcore only when it makes a transport: so do we
    from ssl import SSLContext

    import httpcore


class Deadlines(threading.local):
    """The deadline (time.monotonic) of the request running on each thread, if any."""

    at: float | None = None


def _time_left(deadlines: Deadlines, timeout: float | None) -> float | None:
    at = deadlines.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        import httpcore  # noqa: PLC0415 (loaded by then: the transport imported it)

        raise httpcore.ReadTimeout("the total timeout has passed")
    return left if timeout is None else min(timeout, left)


class _Stream:
    """httpcore's NetworkStream interface, each read and write clamped to the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadlines: Deadlines) -> None:
        self._stream, self._deadlines = stream, deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(self._deadlines, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(self._deadlines, timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> _Stream:
        stream = self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _Stream(stream, self._deadlines)

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 (httpcore's signature)
        return self._stream.get_extra_info(info)


class _Backend:
    """httpcore's NetworkBackend interface, making _Stream streams."""

    def __init__(self, backend: httpcore.NetworkBackend, deadlines: Deadlines) -> None:
        self._backend, self._deadlines = backend, deadlines

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self._deadlines)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        stream = self._backend.connect_unix_socket(path, timeout, socket_options)
        return _Stream(stream, self._deadlines)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_reads(client: httpx.Client, deadlines: Deadlines) -> bool:
    """Make every transport of client keep deadlines; False (nothing changed) if one can't.

    It reaches into httpx's and httpcore's internals (`_transport`, `_mounts`, `_pool`,
    `_network_backend`, stable across httpx 0.23-0.28 and httpcore 1.x), so it checks each
    before changing any: a False here makes the caller use its helper thread instead.
    """
    import httpcore  # noqa: PLC0415 (loaded by then: making the client's transport imported it)

    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    pools = []
    for transport in transports:
        if transport is None:  # a mount that disables a proxy route
            continue
        pool = getattr(transport, "_pool", None) if type(transport) is httpx.HTTPTransport else None
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(pool, httpcore.ConnectionPool) or not isinstance(
            backend, httpcore.NetworkBackend
        ):
            return False
        pools.append(pool)
    for pool in pools:
        backend = _Backend(pool._network_backend, deadlines)  # duck-typed, as httpcore uses it
        pool._network_backend = cast("httpcore.NetworkBackend", backend)
    return True
