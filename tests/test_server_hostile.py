"""The stand-in under hostile and heavy use: garbage, oversized and slow requests, and load.

None of them crashes it, holds a thread past its timeout, or stops it answering others;
under 32 concurrent clients x 200 requests from a second process, every answer is right.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cf_vectorize.server import Credentials, StandInServer
from scripts import load
from tests.standin_faults import envelope_problem

TOKEN = "hostile-test-token-0123456789"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
PATH = f"/client/v4/accounts/{ACCOUNT}/vectorize/v2/indexes/sample/get_by_ids"
SILENCE = 0.3  # the stand-in's per-connection timeout in these tests


@pytest.fixture(scope="module")
def server() -> Iterator[StandInServer]:
    with StandInServer(
        credentials=Credentials(token=TOKEN), timeout=SILENCE, max_body_bytes=4096
    ) as running:
        yield running


def exchange(port: int, data: bytes, *, half_close: bool = True) -> bytes:
    """Send raw bytes and return everything the stand-in sends back before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def assert_timed_out(sock: socket.socket) -> None:
    """The stand-in answered 408 / 10408 in Cloudflare's envelope, then closed."""
    head, _, body = read_all(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), head
    assert json.loads(body)["errors"][0]["code"] == 10408


def still_serving(server: StandInServer) -> bool:
    response = httpx.post(
        server.base_url.removesuffix("/client/v4") + PATH,
        json={"ids": ["doc-001"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    return response.status_code == 200 and response.json()["result"][0]["id"] == "doc-001"


def handler_threads() -> set[threading.Thread]:
    """The threads alive now that serve a connection (http.server names them Thread-N)."""
    return {t for t in threading.enumerate() if t.name.startswith("Thread-")}


def settle(before: set[threading.Thread]) -> int:
    """Wait (5 s at most) for connection threads started since before to end; count the rest."""
    for _ in range(100):
        if not handler_threads() - before:
            break
        time.sleep(0.05)
    return len(handler_threads() - before)


request_lines = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda method, target, version, headers, body: (
            f"{method} {target} {version}\r\n{headers}\r\n".encode(errors="surrogateescape") + body
        ),
        st.sampled_from(["POST", "GET", "PUT", "BREW", "", "P\x00ST"]),
        st.sampled_from([PATH, "/", "*", "//x", PATH + "?x=%zz", "http://x" + PATH]),
        st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/9.9", "", "FTP/1"]),
        st.lists(
            st.sampled_from(
                [
                    f"Authorization: Bearer {TOKEN}",
                    "Authorization: Bearer wrong",
                    "Authorization: Basic x",
                    "Content-Length: 5",
                    "Content-Length: -1",
                    "Content-Length: 99999999999",
                    "Content-Length: x",
                    "Transfer-Encoding: chunked",
                    "X-Auth-Email: a@b.c",
                    "X-Auth-Key: k",
                    "Content-Type: application/json",
                    "Bad Header Line",
                ]
            ),
            max_size=5,
        ).map(lambda lines: "".join(line + "\r\n" for line in lines)),
        st.binary(max_size=40) | st.just(b'{"ids": ["doc-001"]}'),
    ),
)


@settings(max_examples=150, deadline=None)
@given(data=request_lines)
def test_garbage_gets_an_http_answer_or_a_close(server: StandInServer, data: bytes) -> None:
    received = exchange(server.port, data)  # returns once the stand-in has closed
    status_line = received.split(b"\r\n", 1)[0]
    if b" 200 " in status_line:
        assert f"Bearer {TOKEN}".encode() in data  # nothing is served without the token
    elif received:  # anything else is Cloudflare's envelope with a 4xx of its own, never HTML
        assert envelope_problem(received, (*range(400, 500), 505)) == (
            int(status_line.split(b" ")[1]),
            None,
        )
    assert still_serving(server)


def test_oversized_requests_are_refused_without_reading_them(server: StandInServer) -> None:
    auth = f"Authorization: Bearer {TOKEN}\r\n"
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{auth}"
    too_long_line = exchange(server.port, f"POST /{'x' * 70_000} HTTP/1.1\r\n\r\n".encode())
    assert too_long_line.startswith(b"HTTP/1.0 414") or too_long_line.startswith(b"HTTP/1.1 414")
    many_headers = "".join(f"X-{n}: y\r\n" for n in range(150))
    assert b" 431 " in exchange(server.port, f"{head}{many_headers}\r\n".encode())
    huge = exchange(server.port, f"{head}Content-Length: {10**12}\r\n\r\n".encode())
    assert b" 413 " in huge and b"10413" in huge
    body = b'{"ids": ["' + b"x" * 5000 + b'"]}'
    sent = exchange(server.port, f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert b" 413 " in sent
    assert still_serving(server)


def test_requests_without_valid_credentials_are_refused(server: StandInServer) -> None:
    body = b'{"ids": ["doc-001"]}'
    for auth in ("", "Authorization: Bearer wrong\r\n", "X-Auth-Email: a@b.c\r\nX-Auth-Key: k\r\n"):
        data = f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {len(body)}\r\n\r\n"
        answer = exchange(server.port, data.encode() + body)
        status = answer.split(b"\r\n", 1)[0]
        assert status.split(b" ")[1] in (b"400", b"401"), status
        assert b"doc-001" not in answer


def test_slow_and_silent_connections_are_dropped_and_do_not_block_others(
    server: StandInServer,
) -> None:
    baseline = handler_threads()
    partial = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{{".encode()
    stalled = []
    for n in range(40):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(partial if n % 2 else b"POST / HT")  # mid-body, or mid-request-line
        stalled.append(sock)
    try:
        assert still_serving(server)  # answered while 40 connections stall
        for sock in stalled:  # after SILENCE seconds: a 408 in the envelope, then the close
            assert_timed_out(sock)
    finally:
        for sock in stalled:
            sock.close()
    assert settle(baseline) == 0


def test_bounded_load_from_a_second_process_gets_only_right_answers() -> None:
    clients, per_client = 32, 200
    with StandInServer(credentials=Credentials(token=TOKEN)) as server:
        baseline = handler_threads()
        done = load.from_another_process(server.base_url, TOKEN, clients, per_client, 300)
        assert done.returncode == 0, done.stdout + done.stderr
        figures = json.loads(done.stdout)
        assert figures["requests"] == figures["correct"] == clients * per_client
        assert figures["wrong"] == figures["errors"] == 0
        assert settle(baseline) == 0  # every connection's thread ended with its client
        assert still_serving(server)


def test_connections_past_the_cap_get_a_503_at_once_and_threads_stay_bounded() -> None:
    """Idle connections fill every slot; the next is refused, Cloudflare-shaped, not queued."""
    with StandInServer(credentials=Credentials(token=TOKEN), timeout=5, max_connections=3) as cap:
        baseline = handler_threads()
        idle = [socket.create_connection(("127.0.0.1", cap.port), timeout=10) for _ in range(3)]
        try:
            for _ in range(50):  # wait until the stand-in has taken all three
                if len(handler_threads() - baseline) == 3:
                    break
                time.sleep(0.02)
            # The 503 is sent on accept, before any request is read: a client that sends
            # nothing reads it whole (one that does may see a reset instead, and retry).
            with socket.create_connection(("127.0.0.1", cap.port), timeout=10) as sock:
                refused = b""
                while chunk := sock.recv(65536):
                    refused += chunk
            head, _, body = refused.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503 ")
            assert b"Retry-After: 1" in head
            assert json.loads(body)["errors"][0]["code"] == 10503
            assert len(handler_threads() - baseline) == 3
        finally:
            for sock in idle:
                sock.close()
        assert settle(baseline) == 0  # each closed connection frees its slot
        assert still_serving(cap)
