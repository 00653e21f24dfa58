"""The cap on a response body (max_response_bytes): declared, undeclared, compression bombs.

Bodies are streams made while they are read, so each test can tell how much the client
read before it stopped: the cap must hold while reading, not after.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from cf_vectorize import (
    DEFAULT_MAX_RESPONSE_BYTES,
    APIConnectionError,
    APIResponseValidationError,
    ApiToken,
    InvalidInputError,
    ResponseTooLargeError,
    Vectorize,
)
from cf_vectorize._body import ACCEPT_ENCODING, BodyReader, describe_size
from tests.clientkit import ACCOUNT, TOKEN, Runner, Server, envelope, vector

CAP = 64 * 1024  # small, so that the bombs stay small too
CHUNK = 16 * 1024


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent chunk by chunk, counting the chunks the client asked for."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self.make = make
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.make():
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.make():
            self.sent += 1
            yield chunk


def endless(chunk: bytes = b" " * CHUNK) -> Callable[[], Iterator[bytes]]:
    def make() -> Iterator[bytes]:
        while True:
            yield chunk

    return make


def bomb(compressor: Callable[[], zlib._Compress], size: int) -> bytes:
    """size zero bytes, compressed (about 1,000 times smaller)."""
    packer = compressor()
    block = bytes(1 << 20)
    parts = [
        packer.compress(block[: min(len(block), size - done)])
        for done in range(0, size, len(block))
    ]
    return b"".join(parts) + packer.flush()


def gzip_packer() -> zlib._Compress:
    return zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)


def zlib_packer() -> zlib._Compress:
    return zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)


def raw_deflate_packer() -> zlib._Compress:
    return zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)


def pieces(data: bytes, size: int = 1024) -> Callable[[], Iterator[bytes]]:
    def make() -> Iterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]

    return make


def serve(stream: Chunks, **headers: str) -> Server:
    headers = {"content-type": "application/json", **headers}
    return Server([lambda request, ids: httpx.Response(200, headers=headers, stream=stream)])


def too_large(runner: Runner, server: Server, cap: int = CAP) -> ResponseTooLargeError:
    with pytest.raises(ResponseTooLargeError) as caught:
        runner.get(server, "my-index", ["a"], max_response_bytes=cap, max_retries=0)
    return caught.value


def test_the_default_is_far_above_an_honest_answer_and_documented() -> None:
    honest = json.dumps(envelope([vector(f"{n:064d}", [-0.123456789] * 1536) for n in range(20)]))
    assert len(honest) * 8 < DEFAULT_MAX_RESPONSE_BYTES == 16 * 1024 * 1024
    assert describe_size(DEFAULT_MAX_RESPONSE_BYTES) == "16 MiB"


def test_a_declared_length_past_the_cap_is_refused_before_reading(runner: Runner) -> None:
    stream = Chunks(endless())
    error = too_large(runner, serve(stream, **{"content-length": str(500 * 1024 * 1024)}))
    assert stream.sent == 0
    assert "524,288,000" in str(error) and "64 KiB" not in str(error)
    assert "65,536 bytes" in str(error) and "max_response_bytes" in str(error)
    assert (error.limit, error.status_code) == (CAP, 200)
    assert isinstance(error, APIResponseValidationError)


def test_an_undeclared_endless_body_is_cut_at_the_cap(runner: Runner) -> None:
    stream = Chunks(endless())
    error = too_large(runner, serve(stream))
    assert stream.sent == CAP // CHUNK + 1  # the chunk that passes the cap is the last read
    assert "more bytes" in str(error)


@pytest.mark.parametrize(
    ("encoding", "packer"),
    [
        ("gzip", gzip_packer),
        ("x-gzip", gzip_packer),
        ("deflate", zlib_packer),
        ("deflate", raw_deflate_packer),
    ],
)
def test_a_compression_bomb_is_cut_at_the_cap(
    runner: Runner, encoding: str, packer: Callable[[], zlib._Compress]
) -> None:
    data = bomb(packer, 64 * 1024 * 1024)  # 64 MiB of zeros in about 64 KiB
    stream = Chunks(pieces(data))
    error = too_large(runner, serve(stream, **{"content-encoding": encoding}))
    assert "decodes to more" in str(error)
    # A 1 KiB piece inflates to about 1 MiB: the cap is passed within the first piece.
    assert stream.sent == 1


def test_the_bomb_is_not_inflated_past_the_cap_in_one_step() -> None:
    """BodyReader itself: each step inflates at most what the cap still allows, plus one."""
    data = bomb(gzip_packer, 16 * 1024 * 1024)
    response = httpx.Response(
        200, headers={"content-encoding": "gzip"}, stream=Chunks(pieces(data))
    )
    reader = BodyReader(response, CAP)
    with pytest.raises(ResponseTooLargeError):
        reader.feed(data)  # all of it at once: 16 KiB that inflates to 16 MiB
    assert sum(len(piece) for piece in reader._pieces) <= CAP


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
        ("gzip", lambda data: gzip.compress(data[:10]) + gzip.compress(data[10:])),  # 2 members
        ("identity", lambda data: data),
    ],
)
@pytest.mark.parametrize("piece", [1, 7, 4096])
def test_an_honest_compressed_body_reads_whole(
    runner: Runner, encoding: str, compress: Callable[[bytes], bytes], piece: int
) -> None:
    body = json.dumps(envelope([vector("a"), vector("b")])).encode()
    stream = Chunks(pieces(compress(body), piece))
    result = runner.get(serve(stream, **{"content-encoding": encoding}), "my-index", ["a", "b"])
    assert [v.id for v in result] == ["a", "b"]


def test_a_body_exactly_at_the_cap_is_read(runner: Runner) -> None:
    body = json.dumps(envelope([vector("a")])).encode()
    body += b" " * (CAP - len(body))
    stream = Chunks(pieces(gzip.compress(body)))
    result = runner.get(
        serve(stream, **{"content-encoding": "gzip"}), "my-index", ["a"], max_response_bytes=CAP
    )
    assert [v.id for v in result] == ["a"]
    with pytest.raises(ResponseTooLargeError):
        runner.get(serve(Chunks(pieces(body + b" "))), "my-index", ["a"], max_response_bytes=CAP)


@pytest.mark.parametrize(
    ("encoding", "data", "problem"),
    [
        ("br", b"\x8b\x00\x80", "does not accept"),
        ("gzip, gzip", gzip.compress(gzip.compress(b"{}")), "does not accept"),
        ("gzip", gzip.compress(b'{"success": true}')[:-6], "ends before"),
        ("gzip", b"not gzip at all", "does not decode"),
        ("deflate", zlib.compress(b"{}") + b"trailing", "bytes after the end"),
    ],
)
def test_a_body_that_does_not_decode_is_typed(
    runner: Runner, encoding: str, data: bytes, problem: str
) -> None:
    stream = Chunks(pieces(data))
    with pytest.raises(APIResponseValidationError, match=problem) as caught:
        runner.get(serve(stream, **{"content-encoding": encoding}), "my-index", ["a"])
    assert type(caught.value) is APIResponseValidationError
    assert f"Content-Encoding ({encoding})" in str(caught.value)


def test_the_request_accepts_only_what_the_reader_inflates(runner: Runner) -> None:
    server = Server([lambda request, ids: httpx.Response(200, json=envelope([]))])
    runner.get(server, "my-index", ["a"])
    assert server.requests[0].headers["accept-encoding"] == ACCEPT_ENCODING == "gzip, deflate"


def test_an_in_memory_response_is_held_to_the_cap_too(runner: Runner) -> None:
    """httpx reads a response made in memory at once (MockTransport); the cap still applies."""
    body = envelope([vector("a", [0.5] * 20_000)])
    server = Server([lambda request, ids: httpx.Response(200, json=body)])
    with pytest.raises(ResponseTooLargeError):
        runner.get(server, "my-index", ["a"], max_response_bytes=CAP)
    assert len(runner.get(server, "my-index", ["a"], max_response_bytes=CAP * 4)) == 1


def test_an_error_status_past_the_cap_is_refused_too(runner: Runner) -> None:
    stream = Chunks(endless())
    headers = {"content-type": "text/html"}
    server = Server([lambda request, ids: httpx.Response(503, headers=headers, stream=stream)])
    error = too_large(runner, server)
    assert error.status_code == 503 and "HTTP 503" in str(error)


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "16"])
def test_the_cap_must_be_a_positive_int(value: object) -> None:
    with pytest.raises(InvalidInputError, match="max_response_bytes"):
        Vectorize(account_id=ACCOUNT, auth=ApiToken(TOKEN), max_response_bytes=value)  # type: ignore[arg-type]


def test_a_transport_that_fails_to_decode_is_a_connection_error(runner: Runner) -> None:
    """httpx decodes an in-memory response as it is made: in the transport, before any reply."""

    def answer(request: httpx.Request, ids: list[str]) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"content-encoding": "gzip"})

    with pytest.raises(APIConnectionError, match="did not decode"):
        runner.get(Server([answer]), "my-index", ["a"], max_retries=0)
