"""The sync client's total deadline: the calling thread's deadline, kept by DeadlineTransport.

Over real sockets on 127.0.0.1: a server dripping its head or body ends in a timeout near
the total, through the transport the client makes and through one the caller builds; the
transport maps httpcore's errors to httpx's and goes through proxies as httpx's does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpcore
import httpx
import pytest

from cf_vectorize import (
    APIConnectionError,
    APITimeoutError,
    ApiToken,
    DeadlineTransport,
    Timeout,
    Vectorize,
)
from cf_vectorize._deadline import calling_thread, time_left
from tests.faultserver import FaultServer, drip, found, reset_before_body

TOTAL = 0.5
# "Does not hang": the drips below take 20 s or more in full, so an end within this bound
# is the deadline's doing (the bound is generous for a loaded machine).
WITHIN = TOTAL + 3.0


@pytest.fixture
def deadline_in() -> Iterator[Callable[[float], None]]:
    """Set the calling thread's deadline seconds from now; cleared after the test."""

    def set_in(seconds: float) -> None:
        calling_thread.at = time.monotonic() + seconds

    yield set_in
    calling_thread.at = None


def test_the_time_left_clamps_the_timeout(deadline_in: Callable[[float], None]) -> None:
    assert time_left(5.0, httpcore.ReadTimeout) == 5.0  # no deadline on this thread
    deadline_in(100)
    assert time_left(5.0, httpcore.ReadTimeout) == 5.0
    left = time_left(None, httpcore.ReadTimeout)
    assert left is not None and 0 < left <= 100
    deadline_in(1)
    left = time_left(5.0, httpcore.ReadTimeout)
    assert left is not None and left <= 1


@pytest.mark.parametrize("kind", [httpcore.ReadTimeout, httpcore.ConnectTimeout])
def test_a_passed_deadline_stops_the_wait_before_it_starts(
    kind: type[Exception], deadline_in: Callable[[float], None]
) -> None:
    deadline_in(-1)
    with pytest.raises(kind, match="total timeout"):
        time_left(5.0, kind)


def test_deadlines_are_per_thread(deadline_in: Callable[[float], None]) -> None:
    deadline_in(10)
    seen: list[float | None] = []
    thread = threading.Thread(target=lambda: seen.append(calling_thread.at))
    thread.start()
    thread.join()
    assert seen == [None]


# --- the transport over real sockets ------------------------------------------------------


def test_the_transport_cuts_a_dripped_head_at_the_deadline(
    deadline_in: Callable[[float], None],
) -> None:
    """Each byte comes well within the read timeout: only the deadline can end the wait."""
    with FaultServer([drip(0.1)]) as server, httpx.Client(transport=DeadlineTransport()) as http:
        deadline_in(TOTAL)
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout, match=r"total timeout|timed out"):
            http.post(server.base_url, json={"ids": ["a"]}, timeout=5.0)
        assert time.monotonic() - started < WITHIN


def test_without_a_deadline_the_transport_is_a_plain_one() -> None:
    with (
        FaultServer([drip(0.001, head_first=True)]) as server,
        httpx.Client(transport=DeadlineTransport()) as http,
    ):
        response = http.post(server.base_url, json={"ids": ["a", "b"]}, timeout=5.0)
    assert response.status_code == 200
    assert [v["id"] for v in response.json()["result"]] == ["a", "b"]


def test_the_transport_raises_httpx_errors() -> None:
    refused = socket.create_server(("127.0.0.1", 0))
    port = refused.getsockname()[1]
    refused.close()  # nothing listens there now
    with httpx.Client(transport=DeadlineTransport()) as http:
        with pytest.raises(httpx.ConnectError):
            http.get(f"http://127.0.0.1:{port}/")
        with FaultServer([reset_before_body]) as server, pytest.raises(httpx.TransportError):
            http.post(server.base_url, json={"ids": ["a"]})
        with pytest.raises(httpx.UnsupportedProtocol):
            http.get("ftp://127.0.0.1/")


def test_the_transport_goes_through_a_proxy() -> None:
    """An http:// URL through an HTTP proxy: the proxy gets the request in absolute form."""
    with (
        FaultServer([found]) as proxy,
        httpx.Client(transport=DeadlineTransport(proxy=f"http://127.0.0.1:{proxy.port}")) as http,
    ):
        response = http.post("http://vectorize.invalid/v4/get_by_ids", json={"ids": ["a"]})
    assert response.status_code == 200
    assert proxy.requests[0].target == "http://vectorize.invalid/v4/get_by_ids"


@pytest.mark.parametrize(
    ("proxy", "error"),
    [("ftp://127.0.0.1:1", ValueError), ("socks5://127.0.0.1:1", ImportError)],
)
def test_a_proxy_it_cannot_use_is_refused_as_httpx_refuses_it(
    proxy: str, error: type[Exception]
) -> None:
    """socksio (httpx's `socks` extra) is not installed here, as in most installs."""
    with pytest.raises(error) as ours:
        DeadlineTransport(proxy=proxy)
    with pytest.raises(error) as theirs:
        httpx.HTTPTransport(proxy=httpx.Proxy(proxy))
    assert str(ours.value) == str(theirs.value)


# --- the sync client: one deadline path, whichever transport ----------------------------


def client_for(base_url: str, transport: httpx.BaseTransport | None = None) -> Vectorize:
    return Vectorize(
        account_id="a" * 32,
        auth=ApiToken("t" * 40),
        base_url=base_url,
        timeout=Timeout(total=TOTAL, connect=TOTAL),
        max_retries=0,
        pacing=None,
        transport=transport,
    )


@pytest.mark.parametrize("head_first", [False, True], ids=["head", "body"])
@pytest.mark.parametrize("made", [True, False], ids=["own-transport", "transport-passed-in"])
def test_a_dripping_server_ends_in_a_timeout_near_the_total(head_first: bool, made: bool) -> None:
    threads_before = threading.active_count()
    with FaultServer([drip(0.1, head_first=head_first)]) as server:
        transport = None if made else DeadlineTransport()
        with client_for(server.base_url, transport) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match=f"within {TOTAL:g} s \\(total timeout\\)"):
                client.get_by_ids("my-index", ["a"])
            assert time.monotonic() - started < WITHIN
            # The request ran on this thread: no helper left reading the drip.
            assert threading.active_count() <= threads_before + 2  # the server's two threads


def test_every_chunk_of_a_batch_keeps_its_own_deadline() -> None:
    """Chunks run on the client's thread pool: each worker's deadline is its own."""
    with FaultServer([drip(0.1)]) as server, client_for(server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            client.get_by_ids("my-index", [f"id-{n}" for n in range(60)])
        assert time.monotonic() - started < WITHIN
    assert len(caught.value.unfetched_ids) == 60


def test_a_foreign_transport_keeps_its_own_timeouts_and_the_total_between_body_reads() -> None:
    """httpx's own transport: the head's wait is its read timeout; the body is checked as it
    comes, so a dripped body still ends near the total."""
    with (
        FaultServer([drip(0.1, head_first=True)]) as server,
        client_for(server.base_url, httpx.HTTPTransport()) as client,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="total timeout"):
            client.get_by_ids("my-index", ["a"])
        assert time.monotonic() - started < WITHIN


def test_the_deadline_is_cleared_after_each_attempt() -> None:
    with FaultServer([reset_before_body, found]) as server, client_for(server.base_url) as client:
        with pytest.raises(APIConnectionError):
            client.get_by_ids("my-index", ["a"])
        assert calling_thread.at is None
        assert [v.id for v in client.get_by_ids("my-index", ["a"])] == ["a"]
        assert calling_thread.at is None
