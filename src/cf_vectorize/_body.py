"""Reading a response body whole under a cap on its size, decompressing it ourselves.

httpx's decoders inflate each network chunk whole, so 64 KiB of gzip can become 64 MiB in
one step. Here the raw bytes are read (`iter_raw`) and inflated with zlib's `max_length`,
so no step outgrows what the cap still allows: the memory a body can take is about twice
the cap (its pieces, then the joined copy), whatever it declares or decompresses to.
`BodyReader` holds the logic; `read_body` and `aread_body` only drive it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Protocol

import httpx

from ._errors import APIResponseValidationError, ResponseTooLargeError

# A cap far above the largest honest answer (20 vectors of 1,536 values and 10 KiB of
# metadata: about 2 MB of JSON even with every character escaped) and low enough that
# reading 8 chunks in flight at once stays within a few hundred MB. (Parsing what the cap
# lets through costs more: up to ~30 times the body for the most wasteful JSON.)
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# The encodings we can inflate under the cap (br and zstd decoders give no such bound);
# sent as Accept-Encoding so that an honest server uses no other.
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16}


class _Inflater(Protocol):
    """What is used of a zlib decompress object (its class is private to zlib)."""

    @property
    def eof(self) -> bool: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def describe_size(size: int) -> str:
    """Return a size as MiB when it is a whole number of them, else as bytes."""
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    return f"{size:,} bytes"


class BodyReader:
    """Gather a response's body from its raw bytes, refusing it past `limit` bytes.

    The limit holds for the bytes as sent and as decoded; a Content-Length above it is
    refused before anything is read.
    """

    def __init__(self, response: httpx.Response, limit: int, *, decoded: bool = False) -> None:
        self._response = response
        self._limit = limit
        self._pieces: list[bytes] = []
        self._size = 0  # decoded bytes so far
        self._received = 0  # raw bytes so far
        header = "" if decoded else response.headers.get("content-encoding", "")
        codings = (
            [  # not walked for the usual body that names no encoding
                token.strip().lower()
                for token in header.split(",")
                if token.strip().lower() not in ("", "identity")
            ]
            if header
            else []
        )
        if len(codings) > 1 or (codings and codings[0] not in (*_WBITS, "deflate")):
            raise self._invalid(
                f"is encoded in a way the client does not accept (it accepts {ACCEPT_ENCODING})"
            )
        self._coding = codings[0] if codings else None
        self._inflater: _Inflater | None = None
        self._head = b""  # a deflate body's first bytes, until its format is known
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(f"declares Content-Length {int(declared):,}")

    def feed(self, raw: bytes) -> None:
        """Take the next raw bytes of the body."""
        self._received += len(raw)
        if self._received > self._limit:
            raise self._too_large("sends more bytes than that")
        if self._coding is None:
            self._keep(raw)
            return
        if self._inflater is None:
            raw = self._start(raw)
            if self._inflater is None:
                return
        self._inflate(raw)

    def finish(self) -> bytes:
        """Return the whole decoded body."""
        if self._received and self._coding and not (self._inflater and self._inflater.eof):
            raise self._invalid("ends before its compressed data does")
        return b"".join(self._pieces)

    def _start(self, raw: bytes) -> bytes:
        """Choose the inflater once the format is known; return the bytes for it."""
        if self._coding != "deflate":
            self._inflater = zlib.decompressobj(_WBITS[self._coding or ""])
            return raw
        # "deflate" is meant as zlib-wrapped, yet some servers send it raw: httpx accepts
        # both, and so do we, telling them apart by the zlib header (RFC 1950).
        self._head += raw
        if len(self._head) < 2:
            return b""
        first, second = self._head[0], self._head[1]
        wrapped = first & 0x0F == 8 and (first << 8 | second) % 31 == 0
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        raw, self._head = self._head, b""
        return raw

    def _inflate(self, raw: bytes) -> None:
        inflater = self._inflater
        assert inflater is not None  # noqa: S101 (set by _start before this is called)
        while raw:
            if inflater.eof:
                # Another gzip member may follow (RFC 1952); anything else is garbage.
                if self._coding == "deflate":
                    raise self._invalid("has bytes after the end of its compressed data")
                inflater = self._inflater = zlib.decompressobj(_WBITS[self._coding or ""])
            try:
                # One byte more than the cap allows: getting it means the cap is passed.
                piece = inflater.decompress(raw, self._limit - self._size + 1)
            except zlib.error as error:
                raise self._invalid(f"does not decode as that encoding: {error}") from None
            self._keep(piece)
            raw = inflater.unconsumed_tail or inflater.unused_data

    def _keep(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._size > self._limit:
            raise self._too_large("decodes to more than that")
        if piece:
            self._pieces.append(piece)

    def _invalid(self, problem: str) -> APIResponseValidationError:
        encoding = self._response.headers.get("content-encoding", "none")
        return APIResponseValidationError(
            f"HTTP {self._response.status_code} with a body (Content-Encoding ({encoding})) "
            f"that {problem}",
            status_code=self._response.status_code,
            cf_ray=self._response.headers.get("cf-ray"),
        )

    def _too_large(self, how: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"HTTP {self._response.status_code} with a body larger than the cap of "
            f"{describe_size(self._limit)} (it {how}); the largest honest answer is about 2 MB. "
            f"To accept it anyway, pass Vectorize / AsyncVectorize a max_response_bytes= "
            f"above {self._limit}",
            status_code=self._response.status_code,
            cf_ray=self._response.headers.get("cf-ray"),
            limit=self._limit,
        )


def _in_memory(response: httpx.Response, limit: int) -> bytes | None:
    """Return the body of a response httpx already read, checked against the cap; else None.

    httpx reads a response made in memory (as `httpx.MockTransport` handlers make them)
    when it is made, decoding it too: only the cap is left to check.
    """
    if not response.is_stream_consumed:
        return None
    reader = BodyReader(response, limit, decoded=True)
    reader.feed(response.content)
    return reader.finish()


def read_body(
    response: httpx.Response, limit: int, after_each: Callable[[], object] = lambda: None
) -> bytes:
    """Read a streamed response's body whole (sync), calling after_each after each chunk."""
    content = _in_memory(response, limit)
    if content is not None:
        return content
    reader = BodyReader(response, limit)
    for raw in response.iter_raw():
        reader.feed(raw)
        after_each()
    return reader.finish()


async def aread_body(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed response's body whole (async)."""
    content = _in_memory(response, limit)
    if content is not None:
        return content
    reader = BodyReader(response, limit)
    async for raw in response.aiter_raw():
        reader.feed(raw)
    return reader.finish()
